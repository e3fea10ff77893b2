/**
 * PyTorch parity: every layer example and every template, exported (model.py + weights.pt written
 * from Node) and run under /usr/bin/python3 with torch on a fixed input: outputs equal the engine's
 * within 1e-4 (max abs). One Python process runs every case.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeWeights } from '../weights';
import { writePytorch } from './writer';
import { allCases, prepare, PY } from '../test-cases';
import { needs } from '../../../../scripts/needs';

needs('torch', 'numpy').describe('PyTorch export parity', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-pt-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('every layer example and template matches the engine within 1e-4', async () => {
    const manifest: unknown[] = [];
    const cases = allCases();
    for (const c of cases) {
      const dir = join(root, c.name);
      const { compiled, inputs, outputs } = prepare(c);
      try {
        await writePytorch(c.doc, nodeWeights(compiled), dir);
      } finally {
        compiled.model.dispose();
      }
      const ins = inputs.map((x, i) => {
        const file = join(dir, `in${i}.bin`);
        writeFileSync(file, x.data);
        return { file, shape: x.shape, dtype: x.dtype };
      });
      const outs = outputs.map((y, i) => {
        const file = join(dir, `out${i}.bin`);
        writeFileSync(file, y.data);
        return { file, shape: y.shape };
      });
      manifest.push({ dir, inputs: ins, outputs: outs });
    }
    writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest));
    const out = execFileSync(PY, [join(import.meta.dirname, 'pytorch_parity.py'), join(root, 'manifest.json')], {
      encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    const results = JSON.parse(out) as Record<string, number | string>;
    const failures = Object.entries(results).filter(([, v]) => typeof v !== 'number' || !(v < 1e-4))
      .map(([k, v]) => `${k.slice(root.length + 1)}: ${v}`);
    expect(failures).toEqual([]);
    expect(Object.keys(results)).toHaveLength(cases.length);
  }, 240_000);
});
