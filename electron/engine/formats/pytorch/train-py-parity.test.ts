/**
 * The exported train.py trains like the engine: from the exported (engine-initialised) weights, one
 * process, plain data order of the engine's seeded shuffle, its loss after each of the first 20 steps
 * equals the engine's within 1e-4 relative — for outputs without softmax/sigmoid under the
 * cross-entropies (logits), k sigmoid outputs under binary cross-entropy (one-hot class ids), an LSTM
 * (PyTorch's second recurrent bias frozen), RMSprop with momentum and Adagrad (TF.js' epsilon), and
 * BatchNormalization (its biased moving variance shows in the validation losses, compared too).
 * Real PyTorch (Debian's python3-torch) runs the script as a user would.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { needs } from '../../../../scripts/needs';
import type { LoomDocument, TrainingConfig } from '../../../../shared/document';
import { initBackend } from '../../backend';
import { compileModel } from '../../compile';
import { disposeRun } from '../../runs';
import { engineLosses, maxRelDiff, PY, SGD, TEMPLATES, template, withoutDropout } from '../../runtimes/pytorch/test-support';
import { writeTrainingData } from '../data';
import { nodeWeights } from '../weights';
import { writePytorch } from './writer';

const run = promisify(execFile);

/** 5 epochs of batches of 16 (20 steps or more); a small validation split. */
const STEPS: Partial<TrainingConfig> = { ...SGD, learningRate: 0.05, batchSize: 16, epochs: 5, validationSplit: 0.1, seed: 7 };

/** Input → Dense 8 relu [→ BatchNormalization] → Dense `units` with `activation` (none: logits). */
function dense(name: string, dataset: string, units: number, loss: TrainingConfig['loss'], inputs: number,
  o: { activation?: string; batchNorm?: boolean; training?: Partial<TrainingConfig> } = {}): LoomDocument {
  const chain = [
    { id: 'x', type: 'Input', params: { shape: [inputs] } },
    { id: 'hidden', type: 'Dense', params: { units: 8, activation: 'relu' } },
    ...(o.batchNorm ? [{ id: 'norm', type: 'BatchNormalization', params: { momentum: 0.5 } }] : []),
    { id: 'out', type: 'Dense', params: { units, ...(o.activation ? { activation: o.activation } : {}) } },
  ];
  return {
    format: 'layerloom.model', version: 1, name, nodes: chain,
    edges: chain.slice(1).map((n, i) => ({ from: chain[i]!.id, to: n.id })),
    dataset: { source: 'builtin', name: dataset, limit: 70 },
    training: { ...STEPS, loss, ...o.training } as TrainingConfig,
  };
}

function lstm(): LoomDocument {
  const doc = withoutDropout(template('lstm-sequence'));
  return { ...doc, dataset: { ...doc.dataset!, limit: 70 }, training: { ...doc.training, ...STEPS } as TrainingConfig };
}

const CASES: [string, LoomDocument][] = [
  ['logits-categorical', dense('logits-categorical', 'iris', 3, 'categoricalCrossentropy', 4)],
  ['logits-sparse', dense('logits-sparse', 'iris', 3, 'sparseCategoricalCrossentropy', 4)],
  ['logits-binary', dense('logits-binary', 'blobs', 1, 'binaryCrossentropy', 2)],
  ['binary-k-outputs', dense('binary-k-outputs', 'iris', 3, 'binaryCrossentropy', 4, { activation: 'sigmoid' })],
  ['lstm', lstm()],
  ['rmsprop-momentum', dense('rmsprop-momentum', 'iris', 3, 'sparseCategoricalCrossentropy', 4, { activation: 'softmax', training: { optimizer: 'rmsprop', momentum: 0.5, learningRate: 0.01 } })],
  ['adagrad', dense('adagrad', 'iris', 3, 'sparseCategoricalCrossentropy', 4, { activation: 'softmax', training: { optimizer: 'adagrad', learningRate: 0.1 } })],
  ['batchnorm', dense('batchnorm', 'iris', 3, 'categoricalCrossentropy', 4, { activation: 'softmax', batchNorm: true })],
];

interface Losses { steps: number[]; validation: number[] }

/** Export the model with the engine's seeded initial weights and its data, then run train.py. */
async function trainPy(root: string, name: string, doc: LoomDocument): Promise<Losses> {
  const dir = join(root, name);
  const compiled = compileModel(doc, { seed: doc.training!.seed });
  try {
    await writePytorch(doc, nodeWeights(compiled), dir);
  } finally {
    compiled.model.dispose();
  }
  await writeTrainingData(doc, dir, TEMPLATES);
  const env = { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' };
  const { stdout } = await run(PY, ['train.py', '--resume', '--log-every', '1'], { cwd: dir, env });
  const values = (re: RegExp) => [...stdout.matchAll(re)].map((m) => Number(m[1]));
  return { steps: values(/^step \d+ loss=(\S+)$/gm), validation: values(/^validation \d+ loss=(\S+)$/gm) };
}

needs('torch', 'numpy').describe('exported train.py: parity with the engine', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-trainpy-'));
  const python = new Map<string, Promise<Losses>>();
  const engine = new Map<string, Losses>();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    await initBackend('wasm');
    // Python runs in other processes, two at a time, while the engine's side runs here.
    const queue = [...CASES];
    const next = (): Promise<unknown> | undefined => {
      const c = queue.shift();
      if (!c) return undefined;
      const p = trainPy(root, c[0], c[1]);
      python.set(c[0], p);
      return p.catch(() => undefined).then(() => next());
    };
    void next();
    void next();
    for (const [name, doc] of CASES) {
      const en = await engineLosses({ runId: `trainpy-${name}`, doc, baseDir: TEMPLATES });
      disposeRun(`trainpy-${name}`);
      engine.set(name, {
        steps: en.losses,
        validation: en.events.flatMap((e) => (e.type === 'epoch' ? [e.logs.val_loss!] : [])),
      });
    }
  }, 900_000);

  it.each(CASES.map((c) => c[0]))('%s: 20 steps of the same losses (1e-4 relative), same validation losses', async (name) => {
    while (!python.has(name)) await new Promise((r) => setTimeout(r, 200));
    const py = await python.get(name)!;
    const en = engine.get(name)!;
    expect(en.steps.length).toBeGreaterThanOrEqual(20);
    expect(py.steps).toHaveLength(en.steps.length);
    expect(maxRelDiff(py.steps, en.steps)).toBeLessThan(1e-4);
    // The loss moved: the comparison is over training, not 20 copies of the start.
    expect(Math.abs(py.steps.at(-1)! - py.steps[0]!)).toBeGreaterThan(1e-4 * Math.abs(py.steps[0]!));
    expect(en.validation).toHaveLength(5);
    expect(maxRelDiff(py.validation, en.validation)).toBeLessThan(1e-4);
  }, 900_000);
});
