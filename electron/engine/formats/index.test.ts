import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ExportResultSchema } from '../../../shared/ipc/contract';
import { loadDocumentOrThrow } from '../../../shared/document';
import { ExportError, exportModel } from './index';
import { TEMPLATES_DIR } from './test-cases';

describe('exportModel (engine API behind export.run)', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-export-api-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('defaults the output to <document folder>/export/<format> and answers in the IPC result shape', async () => {
    const docPath = join(root, 'lr.loom');
    copyFileSync(join(TEMPLATES_DIR, 'linear-regression.loom'), docPath);
    const doc = loadDocumentOrThrow(readFileSync(docPath, 'utf8'));
    const r = await exportModel({ doc, format: 'pytorch', docPath });
    expect(r.outDir).toBe(join(root, 'export', 'pytorch'));
    expect(ExportResultSchema.parse(r)).toMatchObject({ canceled: false, outDir: r.outDir });
    expect(r.weights).toBe('initial');
    for (const f of ['model.py', 'weights.pt', 'train.py', 'data.npz', 'README.md']) expect(existsSync(join(r.outDir, f)), f).toBe(true);
    expect(readFileSync(join(r.outDir, 'README.md'), 'utf8')).toMatch(/initial, untrained weights/);
  });

  it('refuses unsupported layers with the list, and unknown formats', async () => {
    const doc = loadDocumentOrThrow(JSON.stringify({
      format: 'layerloom.model', version: 1, name: 'x',
      nodes: [{ id: 'x', type: 'Input', params: { shape: [2, 2, 2, 2] } }, { id: 'bn', type: 'BatchNormalization' }],
      edges: [{ from: 'x', to: 'bn' }],
    }));
    await expect(exportModel({ doc, format: 'onnx', outDir: join(root, 'o') })).rejects.toThrow(/bn \(BatchNormalization\)/);
    await expect(exportModel({ doc, format: 'caffe' as 'onnx', outDir: join(root, 'o') })).rejects.toThrow(ExportError);
  });
});
