/**
 * Reweighing applied in training: the engine's weighted step equals a closed-form step with the
 * Kamiran & Calders weights counted here; on the synthetic biased hiring data it narrows the
 * demographic-parity gap of the test split; and the exported PyTorch train.py, given the same
 * data.npz (with its train_weight), trains to the same model as the engine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoomDocument } from '../../../shared/document';
import { biasedHiring } from '../../../shared/fairness';
import { needs } from '../../../scripts/needs';
import { initBackend } from '../backend';
import { compileModel } from '../compile';
import { gather } from '../data/batch';
import { writeTrainingData } from '../formats/data';
import { writePytorch } from '../formats/pytorch/writer';
import { PY } from '../formats/test-cases';
import { nodeWeights } from '../formats/weights';
import { disposeRun, getRun } from '../runs';
import { startPytorchTraining } from '../runtimes/pytorch/launch';
import { startTraining } from '../train';
import { HIRING_DOC, HIRING_ROWS, HIRING_SEED, writeHiring } from './hiring-fixture';
import { fairnessReport, predictSplit } from './index';

const BY_GROUP = { sensitive: [{ kind: 'column' as const, column: 'group' }] };
/** Full-batch SGD without shuffling: the same steps in any framework, whatever the sample order. */
const FULL_BATCH = { optimizer: 'sgd', learningRate: 0.5, batchSize: 4096, shuffle: false, epochs: 1 } as const;

function docWith(training: Partial<NonNullable<LoomDocument['training']>>): LoomDocument {
  return { ...HIRING_DOC, training: { ...HIRING_DOC.training!, ...training } };
}

async function train(dir: string, runId: string, doc: LoomDocument): Promise<void> {
  const last = await startTraining({ runId, doc, baseDir: dir, backend: 'wasm' }, () => {}).done;
  if (last.type !== 'end') throw new Error(`training failed: ${JSON.stringify(last)}`);
}

/** Kamiran & Calders weights counted directly from the rows: n_g · n_y / (N · n_gy). */
function formulaWeights(train: Int32Array): number[] {
  const rows = biasedHiring(HIRING_ROWS, HIRING_SEED);
  const key = (i: number) => `${rows[i]!.group}|${rows[i]!.hired}`;
  const count = (f: (i: number) => string) => {
    const m = new Map<string, number>();
    for (const i of train) m.set(f(i), (m.get(f(i)) ?? 0) + 1);
    return m;
  };
  const cell = count(key), group = count((i) => rows[i]!.group), label = count((i) => String(rows[i]!.hired));
  return Array.from(train, (i) => (group.get(rows[i]!.group)! * label.get(String(rows[i]!.hired))!) / (train.length * cell.get(key(i))!));
}

describe('reweighing in the engine\'s training loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-rew-'));
  const runs: string[] = [];
  beforeAll(async () => {
    await initBackend('wasm');
    writeHiring(dir);
  });
  afterAll(() => {
    runs.forEach(disposeRun);
    rmSync(dir, { recursive: true, force: true });
  });

  it('one weighted full-batch step equals the closed form with the formula\'s weights', async () => {
    const doc = docWith({ ...FULL_BATCH, reweighing: BY_GROUP });
    const seed = doc.training!.seed!;
    const init = compileModel(doc, { seed });
    const [k0, b0] = init.model.getWeights().map((t) => Array.from(t.dataSync()));
    init.model.dispose();
    runs.push('step');
    await train(dir, 'step', doc);
    const run = getRun('step');
    const split = run.split!;
    const [k1, b1] = run.compiled.model.getWeights().map((t) => Array.from(t.dataSync()));
    const { x, y } = gather(run.dataset!, split.train, run.normalization);
    const w = formulaWeights(split.train);
    expect(w.reduce((a, b) => a + b, 0) / w.length).toBeCloseTo(1, 10); // weights average to 1
    // The closed form: θ − lr · ∂/∂θ mean(w · BCE(σ(x·k + b), y)) = θ − lr · mean(w · (p − y) · [x, 1]).
    const step = (weight: (i: number) => number) => {
      const n = split.train.length;
      const g = [0, 0, 0];
      for (let i = 0; i < n; i++) {
        const z = x[2 * i]! * k0![0]! + x[2 * i + 1]! * k0![1]! + b0![0]!;
        const r = (weight(i) * (1 / (1 + Math.exp(-z)) - y[i]!)) / n;
        g[0]! += r * x[2 * i]!;
        g[1]! += r * x[2 * i + 1]!;
        g[2]! += r;
      }
      const lr = FULL_BATCH.learningRate;
      return [k0![0]! - lr * g[0]!, k0![1]! - lr * g[1]!, b0![0]! - lr * g[2]!];
    };
    const got = [k1![0]!, k1![1]!, b1![0]!];
    const maxDiff = (e: number[]) => Math.max(...got.map((v, j) => (Number.isFinite(v) ? Math.abs(v - e[j]!) : Infinity)));
    expect(maxDiff(step((i) => w[i]!))).toBeLessThan(1e-5);
    // Without the weights the step is a different one (the check above can fail).
    expect(maxDiff(step(() => 1))).toBeGreaterThan(1e-3);
  }, 60_000);

  it('narrows the demographic-parity gap on the synthetic biased data', async () => {
    runs.push('plain', 'reweighed');
    await train(dir, 'plain', HIRING_DOC);
    await train(dir, 'reweighed', docWith({ reweighing: BY_GROUP }));
    const gap = async (runId: string) => (await fairnessReport({ runId, baseDir: dir, ...BY_GROUP, bootstrap: { samples: 0 } })).summary.demographicParityDifference!;
    const before = await gap('plain');
    const after = await gap('reweighed');
    console.log(`reweighing: demographic-parity difference on the test split ${before.toFixed(3)} → ${after.toFixed(3)}`);
    expect(before).toBeGreaterThan(0.08);
    expect(after).toBeLessThan(before / 2);
    // The run record keeps the option: the run says how it was trained.
    expect(getRun('reweighed').record.training.reweighing).toEqual(BY_GROUP);
  }, 120_000);

  it('names a missing sensitive column', async () => {
    const last = await startTraining({ runId: 'bad', doc: docWith({ reweighing: { sensitive: [{ kind: 'column', column: 'race' }] } }), baseDir: dir, backend: 'wasm' }, () => {}).done;
    expect(last.type).toBe('error');
    expect(last.type === 'error' && last.message).toMatch(/Reweighing: .*no column "race"/);
  }, 60_000);

  it('the PyTorch runtime refuses it by name instead of training unweighted', async () => {
    const last = await startPytorchTraining({ runId: 'pt', doc: HIRING_DOC, overrides: { reweighing: BY_GROUP }, baseDir: dir, runtime: { python: PY } }, () => {}).done;
    expect(last).toMatchObject({ type: 'error', code: 'data' });
    expect(last.type === 'error' && last.message).toMatch(/Reweighing is not applied by the PyTorch runtime/);
  });
});

needs('torch', 'numpy').describe('reweighing in the exported PyTorch train.py', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-rew-py-'));
  afterAll(() => {
    disposeRun('py-weighted');
    disposeRun('py-plain');
    rmSync(dir, { recursive: true, force: true });
  });

  it('train.py applies the engine\'s weights: the same model as the engine\'s reweighted run', async () => {
    await initBackend('wasm');
    writeHiring(dir);
    const doc = docWith({ ...FULL_BATCH, epochs: 3, reweighing: BY_GROUP });
    const init = compileModel(doc, { seed: doc.training!.seed! });
    try {
      await writePytorch(doc, nodeWeights(init), dir); // the engine's initial weights as weights.pt
    } finally {
      init.model.dispose();
    }
    await writeTrainingData(doc, dir, dir);
    const env = { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' };
    expect(execFileSync(PY, ['train.py', '--resume'], { cwd: dir, encoding: 'utf8', env })).toMatch(/epoch 3\/3 loss=/);
    const torchOut: number[] = JSON.parse(execFileSync(PY, ['-c', [
      'import json, numpy as np, torch', 'from model import Model',
      'm = Model(); m.load_state_dict(torch.load("trained.pt")); m.eval()',
      'd = np.load("data.npz"); x = (d["x"].astype(np.float32) - d["norm_offset"]) * d["norm_scale"]',
      'with torch.no_grad(): p = m(torch.from_numpy(x[d["test_idx"]].astype(np.float32))).numpy()',
      'print(json.dumps(p.reshape(-1).tolist()))',
    ].join('\n')], { cwd: dir, encoding: 'utf8', env }));
    await train(dir, 'py-weighted', doc);
    await train(dir, 'py-plain', docWith({ ...FULL_BATCH, epochs: 3 }));
    const probs = async (runId: string) => Array.from((await predictSplit(getRun(runId), 'test', dir)).probabilities!).filter((_, i) => i % 2 === 1);
    const engine = await probs('py-weighted');
    const plain = await probs('py-plain');
    expect(torchOut).toHaveLength(engine.length);
    const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => (Number.isFinite(v) ? Math.abs(v - b[i]!) : Infinity)));
    expect(maxDiff(torchOut, engine)).toBeLessThan(1e-4);
    // The weights matter at this tolerance: the unweighted run is far from both.
    expect(maxDiff(torchOut, plain)).toBeGreaterThan(1e-2);
  }, 180_000);
});
