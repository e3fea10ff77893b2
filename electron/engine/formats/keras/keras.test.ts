/**
 * Keras export checks (no TensorFlow/Keras here, so this is what can be checked honestly): model.py
 * and train.py are valid Python (py_compile); model.py (parsed with Python's ast) builds the same
 * layers with the same wiring as the engine's model (its TF.js model.json), writes out every
 * setting of each engine layer (the catalog's resolved params, in engine.json: a setting left out
 * would silently take Keras' default) and nothing else, and ends with keras.Model over the engine's
 * inputs and outputs; and model.weights.h5 — written from Node with h5wasm — has the Keras 3
 * layout with every weight equal to the engine's, inspected with h5py by keras_check.py, which
 * derives layer order and names independently from model.json. The checker is shown to fail on
 * doctored copies of model.py (a setting dropped or changed, an extra one, wrong model outputs).
 * Not run: loading the file in Keras itself (see docs/export.md).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKeras } from './writer';
import { writeTfjs } from '../tfjs/writer';
import { nodeWeights } from '../weights';
import { allCases, prepare, PY } from '../test-cases';
import { needs } from '../../../../scripts/needs';

/** model.py edits that the checker must refuse: [case, text in model.py, replacement, expected error]. */
const DOCTORED: Record<string, [string, string, string, RegExp]> = {
  'dropped-momentum': ['extra-norms', 'momentum=0.5, ', '', /bn2: momentum is missing from model\.py \(the engine's layer has 0\.5\)/],
  'changed-scale': ['extra-norms', 'center=True, scale=False', 'center=True, scale=True', /bn\.scale: model\.py True vs engine False/],
  'dropped-reset-after': ['GRU-0', ', reset_after=False', '', /layer: reset_after is missing/],
  'inner-reset-after': ['Bidirectional-1', ', reset_after=False)', ')', /layer\(GRU\): reset_after is missing/],
  'keras-hard-sigmoid': ['Activation-2', '(tfjs_hard_sigmoid, ', '("hard_sigmoid", ', /layer\.activation: model\.py 'hard_sigmoid' vs engine tfjs_hard_sigmoid/],
  'extra-setting': ['extra-mha-qvk-two-outputs', 'use_bias=True, name="side"', 'use_bias=True, kernel_regularizer="l2", name="side"', /side: model\.py sets \['kernel_regularizer'\]/],
  'dropped-output': ['extra-mha-qvk-two-outputs', 'outputs=[enc, side]', 'outputs=[enc]', /keras\.Model outputs \['enc'\] vs engine \['enc', 'side'\]/],
  'swapped-inputs': ['extra-mha-qvk-two-outputs', 'inputs=[q, v, k]', 'inputs=[q, k, v]', /keras\.Model inputs \['q', 'k', 'v'\] vs engine \['q', 'v', 'k'\]/],
};

needs('h5py', 'numpy').describe('Keras export', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-keras-'));
  const dirs: string[] = [];
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // One Python process for the real exports and the doctored copies, run by the first test that
  // asks (not in a beforeAll, which would run before needs() says what is missing).
  let run: Promise<Record<string, string>> | undefined;
  const check = () => (run ??= exportAndCheck());
  async function exportAndCheck(): Promise<Record<string, string>> {
    for (const c of allCases()) {
      const p = prepare(c, 1);
      const dir = join(root, c.name);
      try {
        await writeKeras(c.doc, nodeWeights(p.compiled), dir);
        await writeTfjs(p.compiled, dir);
        const { analysis, inputIds, outputIds } = p.compiled;
        const layers = Object.fromEntries(analysis.order.map((id) => {
          const n = analysis.nodes[id]!;
          return [id, { id, type: n.type, params: n.resolved, outShape: n.outputShape }];
        }));
        writeFileSync(join(dir, 'engine.json'), JSON.stringify({ inputs: inputIds, outputs: outputIds, layers }));
      } finally {
        p.compiled.model.dispose();
      }
      dirs.push(dir);
    }
    const doctored = Object.entries(DOCTORED).map(([name, [from, text, replacement]]) => {
      const dir = join(root, `doctored-${name}`);
      cpSync(join(root, from), dir, { recursive: true });
      const py = readFileSync(join(dir, 'model.py'), 'utf8');
      if (!py.includes(text)) throw new Error(`doctored ${name}: "${text}" is not in ${from}/model.py`);
      writeFileSync(join(dir, 'model.py'), py.replace(text, replacement));
      return dir;
    });
    writeFileSync(join(root, 'manifest.json'), JSON.stringify([...dirs, ...doctored]));
    const out = execFileSync(PY, [join(import.meta.dirname, 'keras_check.py'), join(root, 'manifest.json')], { encoding: 'utf8', maxBuffer: 1 << 24 });
    return JSON.parse(out) as Record<string, string>;
  }

  it('model.py writes every engine setting and model.weights.h5 has the Keras 3 layout (every example and template)', async () => {
    const results = await check();
    const bad = dirs.map((d) => [d, results[d]]).filter(([, v]) => v !== 'ok').map(([k, v]) => `${k!.slice(root.length + 1)}: ${v}`);
    expect(bad).toEqual([]);
    expect(Object.keys(results)).toHaveLength(dirs.length + Object.keys(DOCTORED).length);
  }, 120_000);

  it.each(Object.entries(DOCTORED))('the check fails on a doctored model.py: %s', async (name, [, , , error]) => {
    expect((await check())[join(root, `doctored-${name}`)]).toMatch(error);
  }, 120_000);
});
