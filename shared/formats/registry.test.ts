import { EXPORT_FORMATS, getExportFormat, isExportFormat } from './registry';
import { ExportError } from './plan';
import type { LoomDocument } from '../document/schema';

const doc = (extra: LoomDocument['nodes'] = []): LoomDocument => ({
  format: 'layerloom.model', version: 1, name: 'tiny net',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [2, 2, 2, 2] } }, { id: 'up', type: 'BatchNormalization', params: {} }, ...extra],
  edges: [{ from: 'x', to: 'up' }],
});

describe('export registry', () => {
  it('lists the four formats once, each with files and a statement of what is verified', () => {
    expect(EXPORT_FORMATS.map((f) => f.id)).toEqual(['tfjs', 'keras', 'pytorch', 'onnx']);
    for (const f of EXPORT_FORMATS) {
      expect(f.files.length).toBeGreaterThan(0);
      expect(f.verified.length).toBeGreaterThan(20);
      expect(getExportFormat(f.id)).toBe(f);
    }
    expect(isExportFormat('onnx')).toBe(true);
    expect(isExportFormat('caffe')).toBe(false);
    expect(() => getExportFormat('caffe')).toThrow(ExportError);
  });

  it('lists unsupported layers per format instead of throwing', () => {
    const d = doc();
    expect(getExportFormat('pytorch').unsupported(d).map((u) => u.nodeId)).toEqual(['up']);
    expect(getExportFormat('onnx').unsupported(d).map((u) => u.nodeId)).toEqual(['up']);
    expect(getExportFormat('keras').unsupported(d)).toEqual([]);
    expect(getExportFormat('tfjs').unsupported(d)).toEqual([]);
  });

  it('previews the generated Python without the engine', () => {
    const d: LoomDocument = {
      format: 'layerloom.model', version: 1, name: 'tiny',
      nodes: [{ id: 'x', type: 'Input', params: { shape: [3] } }, { id: 'out-1', type: 'Dense', params: { units: 2 } }],
      edges: [{ from: 'x', to: 'out-1' }],
    };
    const pt = getExportFormat('pytorch').preview(d);
    expect(pt.map((f) => f.name)).toEqual(['model.py', 'train.py']);
    expect(pt[0]!.text).toContain('self.out_1 = nn.Linear(3, 2)');
    expect(getExportFormat('keras').preview(d)[0]!.text).toContain('layers.Dense(2, activation="linear", use_bias=True, name="out-1")(x_node)');
  });
});
