/**
 * Keras export checks (no TensorFlow/Keras here, so this is what can be checked honestly): model.py
 * and train.py are valid Python (py_compile); model.py (parsed with Python's ast) builds the same
 * layers with the same settings and wiring as the engine's model (its TF.js model.json); and
 * model.weights.h5 — written from Node with h5wasm — has the Keras 3 layout with every weight equal
 * to the engine's, inspected with h5py by keras_check.py, which derives layer order and names
 * independently from model.json.
 * Not run: loading the file in Keras itself (see docs/export.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKeras } from './writer';
import { writeTfjs } from '../tfjs/writer';
import { nodeWeights } from '../weights';
import { allCases, prepare, PY } from '../test-cases';
import { needs } from '../../../../scripts/needs';

needs('h5py', 'numpy').describe('Keras export', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-keras-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('model.py compiles and model.weights.h5 has the Keras 3 layout (every example and template)', async () => {
    const dirs: string[] = [];
    for (const c of allCases()) {
      const p = prepare(c, 1);
      const dir = join(root, c.name);
      try {
        await writeKeras(c.doc, nodeWeights(p.compiled), dir);
        await writeTfjs(p.compiled, dir);
      } finally {
        p.compiled.model.dispose();
      }
      dirs.push(dir);
    }
    writeFileSync(join(root, 'manifest.json'), JSON.stringify(dirs));
    const out = execFileSync(PY, [join(import.meta.dirname, 'keras_check.py'), join(root, 'manifest.json')], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const results = JSON.parse(out) as Record<string, string>;
    const bad = Object.entries(results).filter(([, v]) => v !== 'ok').map(([k, v]) => `${k.slice(root.length + 1)}: ${v}`);
    expect(bad).toEqual([]);
    expect(Object.keys(results)).toHaveLength(dirs.length);
  }, 120_000);
});
