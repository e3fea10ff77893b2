/**
 * The fused LSTM (fused-lstm.ts + kernels/simd/assembly/lstm.ts) on the wasm backend against the
 * stock tfjs-layers LSTM on the cpu backend: forward output and every gradient, for the configs
 * it covers; the patched layer falls back where it must; a tiny model trains the same Adam steps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../tfjs';
import { initWasm } from '../kernels/test-backends';
import { simdKernels, withScratch } from '../kernels/simd';
import type { WasmBackend } from '../kernels/wasm-util';
import { fuseBidirectionalLstm, fuseGru, fuseLstm, fuseSimpleRnn, fusedGru, fusedLstm, fusedSimpleRnn } from './fused-lstm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../../shared/random';
import type { LoomDocument } from '../../../shared/document';
import { compileModel } from '../compile';

const rand = (n: number, seed: number, scale = 1) => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
};

/** Largest |a − b| relative to the largest |b| (gradients sum many terms: a relative-to-scale bound). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, 1e-30);
}

interface Case { B: number; T: number; I: number; U: number; seq: boolean; back: boolean; bias: boolean }

interface Result { y: Float32Array; grads: Float32Array[] }

/** y and d(Σ y·p)/d(x, W, R, b) through `f`, on the active backend. */
function run(c: Case, f: (x: tf.Tensor, w: tf.Tensor, r: tf.Tensor, b: tf.Tensor | null) => tf.Tensor, gates = 4): Result {
  return tf.tidy(() => {
    const x = tf.tensor3d(rand(c.B * c.T * c.I, 1), [c.B, c.T, c.I]);
    const w = tf.tensor2d(rand(c.I * gates * c.U, 2, 0.8), [c.I, gates * c.U]);
    // A SimpleRNN with recurrent weights this large is chaotic (spectral radius ≈ 2.6 at 32 units):
    // float rounding grows ~1e4x over 30 steps. Its case uses contracting weights.
    const r = tf.tensor2d(rand(c.U * gates * c.U, 3, gates === 1 ? 0.2 : 0.8), [c.U, gates * c.U]);
    const b = c.bias ? tf.tensor1d(rand(gates * c.U, 4, 0.5)) : null;
    const outShape = c.seq ? [c.B, c.T, c.U] : [c.B, c.U];
    const p = tf.tensor(rand(outShape.reduce((a, v) => a * v, 1), 5), outShape);
    const args = b ? [x, w, r, b] : [x, w, r];
    const { value, grads } = tf.valueAndGrads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(a[0]!, a[1]!, a[2]!, a[3] ?? null), p)))(args);
    const y = f(x, w, r, b);
    void value;
    return { y: y.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

/** The stock tfjs-layers LSTM (or GRU) computing the same thing (weights from the arguments). */
function stockLstm(c: Case, kind: 'lstm' | 'gru' | 'rnn' = 'lstm') {
  return (x: tf.Tensor, w: tf.Tensor, r: tf.Tensor, b: tf.Tensor | null) => {
    const args = { units: c.U, returnSequences: c.seq, goBackwards: c.back, useBias: c.bias };
    const layer = kind === 'gru' ? tfl.layers.gru({ ...args, recurrentActivation: 'sigmoid' })
      : kind === 'rnn' ? tfl.layers.simpleRNN(args) : tfl.layers.lstm({ ...args, recurrentActivation: 'sigmoid' });
    layer.build([c.B, c.T, c.I]);
    layer.built = true;
    const cell = (layer as unknown as { cell: { kernel: { read(): tf.Tensor }; recurrentKernel: { read(): tf.Tensor }; bias: { read(): tf.Tensor } | null } }).cell;
    // Read the weights from the traced arguments so the gradient reaches them.
    cell.kernel = { read: () => w };
    cell.recurrentKernel = { read: () => r };
    cell.bias = b ? { read: () => b } : null;
    if (c.T > 1) return layer.apply(x) as tf.Tensor;
    // T = 1: the stock layer's gradient throws (tfjs 4.22's Unpack gradient of one
    // step: "Argument tensors passed to stack must be a `Tensor[]`"); its own cell, stepped by hand.
    const step = (layer as unknown as { cell: { call(i: tf.Tensor[], k: object): tf.Tensor[] } }).cell;
    const zero = tf.zeros([c.B, c.U]);
    const [h] = step.call([tf.reshape(x, [c.B, c.I]), zero, ...(kind === 'lstm' ? [zero] : [])], {});
    return c.seq ? tf.reshape(h!, [c.B, 1, c.U]) : h!;
  };
}

let prev = '';
beforeAll(async () => {
  prev = tf.getBackend();
  await initWasm();
});
afterAll(async () => {
  await tf.setBackend(prev || 'cpu');
});

async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  return f();
}
async function onWasm<T>(f: () => T): Promise<T> {
  await tf.setBackend('wasm');
  return f();
}

const CASES: Case[] = [
  { B: 5, T: 7, I: 3, U: 6, seq: true, back: false, bias: true },
  { B: 5, T: 7, I: 3, U: 6, seq: false, back: false, bias: true },
  { B: 4, T: 6, I: 8, U: 8, seq: true, back: true, bias: true },
  { B: 3, T: 5, I: 2, U: 5, seq: false, back: true, bias: false },
  { B: 1, T: 9, I: 1, U: 3, seq: true, back: false, bias: true },
  { B: 7, T: 1, I: 4, U: 7, seq: false, back: false, bias: true },
  { B: 9, T: 4, I: 5, U: 1, seq: true, back: true, bias: true },
  { B: 33, T: 30, I: 32, U: 32, seq: false, back: false, bias: true },
];

describe('fused LSTM (wasm) vs stock tfjs-layers LSTM (cpu)', () => {
  it.each(CASES)('B $B T $T I $I U $U seq $seq back $back bias $bias', async (c) => {
    const ref = await onCpu(() => run(c, stockLstm(c)));
    const got = await onWasm(() => run(c, (x, w, r, b) => {
      const y = fusedLstm(x, w, r, b, { goBackwards: c.back, returnSequences: c.seq });
      if (!y) throw new Error('fused LSTM did not run');
      return y;
    }));
    expect(relErr(got.y, ref.y)).toBeLessThan(2e-6);
    expect(got.grads.length).toBe(c.bias ? 4 : 3);
    got.grads.forEach((g, i) => expect(relErr(g, ref.grads[i]!), `gradient ${i}`).toBeLessThan(1e-5));
  });

  it.each(CASES.flatMap((c) => [{ ...c, cell: 'gru' as const }, { ...c, cell: 'rnn' as const }]))('$cell: B $B T $T I $I U $U seq $seq back $back bias $bias', async (c) => {
    const gates = c.cell === 'gru' ? 3 : 1;
    const ref = await onCpu(() => run(c, stockLstm(c, c.cell), gates));
    const got = await onWasm(() => run(c, (x, w, r, b) => {
      const y = (c.cell === 'gru' ? fusedGru : fusedSimpleRnn)(x, w, r, b, { goBackwards: c.back, returnSequences: c.seq });
      if (!y) throw new Error('fused op did not run');
      return y;
    }, gates));
    expect(relErr(got.y, ref.y)).toBeLessThan(2e-6);
    expect(got.grads.length).toBe(c.bias ? 4 : 3);
    got.grads.forEach((g, i) => expect(relErr(g, ref.grads[i]!), `gradient ${i}`).toBeLessThan(1e-5));
  });

  it('sigmoid, tanh and exp match Math to a few float32 ulps over a wide range', async () => {
    await onWasm(() => undefined);
    const backend = tf.backend() as unknown as WasmBackend;
    const k = simdKernels(backend)!;
    const xs = Float32Array.from({ length: 4003 }, (_, i) => -100 + i * 0.05);
    for (const [which, f] of [[0, (v: number) => 1 / (1 + Math.exp(-v))], [1, Math.tanh], [2, Math.exp]] as const) {
      const out = withScratch(backend, xs.length * 4, (p) => {
        backend.wasm.HEAPF32.set(xs, p / 4);
        k.lstmActivation(p, xs.length, which);
        return backend.wasm.HEAPF32.slice(p / 4, p / 4 + xs.length);
      });
      for (let i = 0; i < xs.length; i++) {
        const want = f(xs[i]!);
        if (which === 2 && Math.abs(xs[i]!) > 87) continue; // clamped to float32's normal range
        const tol = which === 2 ? 4e-7 * want : 3e-7 * Math.max(Math.abs(want), which === 1 ? 0 : 1e-30) + 1e-38;
        expect(Math.abs(out[i]! - want), `${which} at ${xs[i]}`).toBeLessThanOrEqual(tol);
      }
    }
  });
});

type Layers = 'lstm' | 'bidirectional' | 'gru' | 'rnn';

/** Input [T=6, I=3] → LSTM(5, sequences) → LSTM(4, goBackwards) → Dense(1), or a Bidirectional(LSTM 3, concat) → Dense(1). */
function tinyModel(kind: Layers, fuse: boolean, recurrentActivation: 'sigmoid' | 'hardSigmoid' = 'sigmoid', dropout = 0) {
  const f = <L extends tfl.layers.Layer>(l: L) => (fuse ? fuseLstm(l) : l);
  const g = <L extends tfl.layers.Layer>(l: L) => (fuse ? fuseGru(l) : l);
  const sr = <L extends tfl.layers.Layer>(l: L) => (fuse ? fuseSimpleRnn(l) : l);
  const layers = kind === 'rnn'
    ? [
      sr(tfl.layers.simpleRNN({ units: 5, returnSequences: true, inputShape: [6, 3] })),
      sr(tfl.layers.simpleRNN({ units: 4, goBackwards: true, useBias: false })),
    ]
    : kind === 'gru'
    ? [
      g(tfl.layers.gru({ units: 5, returnSequences: true, recurrentActivation, inputShape: [6, 3] })),
      g(tfl.layers.gru({ units: 4, goBackwards: true, recurrentActivation })),
    ]
    : kind === 'lstm'
    ? [
      f(tfl.layers.lstm({ units: 5, returnSequences: true, recurrentActivation, dropout, inputShape: [6, 3] })),
      f(tfl.layers.lstm({ units: 4, goBackwards: true, recurrentActivation, recurrentDropout: dropout })),
    ]
    : [(fuse ? fuseBidirectionalLstm : <L>(l: L) => l)(tfl.layers.bidirectional({
      layer: tfl.layers.lstm({ units: 3, returnSequences: true, recurrentActivation }), inputShape: [6, 3],
    })), tfl.layers.flatten()];
  return tfl.sequential({ layers: [...layers, tfl.layers.dense({ units: 1 })] });
}

/** Weights after `steps` Adam steps (MSE) from the same start, and the kernel calls of one forward pass. */
async function train(kind: Layers, fuse: boolean, steps: number, start: tf.Tensor[]): Promise<{ weights: Float32Array[]; forwardKernels: number; losses: number[] }> {
  const model = tinyModel(kind, fuse);
  model.setWeights(start);
  const x = tf.tensor3d(rand(8 * 6 * 3, 11), [8, 6, 3]);
  const y = tf.tensor2d(rand(8, 12), [8, 1]);
  const opt = tf.train.adam(0.01);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = opt.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  const prof = await tf.profile(() => tf.tidy(() => model.predict(x)));
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  opt.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return { weights, forwardKernels: prof.kernels.length, losses };
}

describe('patched tfjs-layers LSTM layers', () => {
  it.each<Layers>(['lstm', 'bidirectional', 'gru', 'rnn'])('%s: Adam steps on wasm with the fused op follow the stock layers', async (kind) => {
    await onWasm(() => undefined);
    const start = tinyModel(kind, false).getWeights().map((w) => w.clone());
    const stock = await train(kind, false, 5, start);
    const fused = await train(kind, true, 5, start);
    tf.dispose(start);
    expect(fused.forwardKernels).toBeLessThan(stock.forwardKernels / 5);
    expect(fused.losses[4]).toBeLessThan(fused.losses[0]!); // it learns
    fused.losses.forEach((l, i) => expect(Math.abs(l - stock.losses[i]!)).toBeLessThan(1e-5 * Math.max(1, stock.losses[i]!)));
    fused.weights.forEach((w, i) => expect(relErr(w, stock.weights[i]!), `weight ${i}`).toBeLessThan(1e-4));
  });

  it('leaks no tensor in training steps and inference', async () => {
    await onWasm(() => undefined);
    const model = tinyModel('lstm', true);
    const x = tf.tensor3d(rand(8 * 6 * 3, 11), [8, 6, 3]);
    const opt = tf.train.adam(0.01);
    const y = tf.ones([8, 1]);
    const step = () => opt.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar);
    step(); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    step();
    step();
    tf.tidy(() => { model.predict(x); });
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });

  it('keeps the class, config and weights of the stock layer', () => {
    const fused = tinyModel('lstm', true);
    const stock = tinyModel('lstm', false);
    expect(fused.layers.map((l) => l.getClassName())).toEqual(['LSTM', 'LSTM', 'Dense']);
    expect(fused.getWeights().map((w) => w.shape)).toEqual(stock.getWeights().map((w) => w.shape));
    const cfg = (m: tfl.Sequential) => m.layers.map((l) => ({ ...l.getConfig(), name: undefined }));
    expect(cfg(fused)).toEqual(cfg(stock));
    fused.dispose();
    stock.dispose();
  });

  it.each([
    ['hardSigmoid gates', 'hardSigmoid', 0],
    ['dropout', 'sigmoid', 0.3],
  ] as const)('falls back to the stock call for %s (same values, same kernel count)', async (_what, act, dropout) => {
    await onWasm(() => undefined);
    const stock = tinyModel('lstm', false, act, dropout);
    const fused = tinyModel('lstm', true, act, dropout);
    fused.setWeights(stock.getWeights());
    const x = tf.tensor3d(rand(2 * 6 * 3, 13), [2, 6, 3]);
    const a = await tf.profile(() => tf.tidy(() => stock.predict(x)));
    const b = await tf.profile(() => tf.tidy(() => fused.predict(x)));
    expect(b.kernels.length).toBe(a.kernels.length);
    const ya = (stock.predict(x) as tf.Tensor).dataSync(), yb = (fused.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(yb)).toEqual(Array.from(ya));
    tf.dispose([x]);
    stock.dispose();
    fused.dispose();
  });

  it('runs the stock call on the cpu backend', async () => {
    await onCpu(() => undefined);
    const x = tf.tensor3d(rand(2 * 6 * 3, 13), [2, 6, 3]);
    const l = fuseLstm(tfl.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' }));
    const prof = await tf.profile(() => tf.tidy(() => l.apply(x) as tf.Tensor));
    expect(prof.kernels.length).toBeGreaterThan(50);
    tf.dispose([x]);
    l.dispose();
  });
});

describe('compiled models', () => {
  const doc = (nodes: LoomDocument['nodes']): LoomDocument => ({
    format: 'layerloom.model', version: 1, name: 'rnn',
    nodes: [{ id: 'in', type: 'Input', params: { shape: [7, 2] } }, ...nodes, { id: 'out', type: 'Dense', params: { units: 1 } }],
    edges: ['in', ...nodes.map((n) => n.id), 'out'].slice(1).map((to, i, a) => ({ from: i === 0 ? 'in' : a[i - 1]!, to })),
  });
  it.each([
    ['LSTM template', 1, JSON.parse(readFileSync(join(import.meta.dirname, '../../../assets/templates/lstm-sequence.loom'), 'utf8')) as LoomDocument],
    ['Bidirectional LSTM', 1, doc([{ id: 'bi', type: 'Bidirectional', params: { layer: 'LSTM', units: 3, returnSequences: true } }, { id: 'f', type: 'Flatten', params: {} }])],
    ['GRU template', 1, JSON.parse(readFileSync(join(import.meta.dirname, '../../../assets/templates/gru-model.loom'), 'utf8')) as LoomDocument],
    ['GRU, goBackwards via Bidirectional', 1, doc([{ id: 'g', type: 'GRU', params: { units: 5, returnSequences: true } }, { id: 'bg', type: 'Bidirectional', params: { layer: 'GRU', units: 3, mergeMode: 'sum' } }])],
    ['SimpleRNN template', 1, JSON.parse(readFileSync(join(import.meta.dirname, '../../../assets/templates/simplernn-classifier.loom'), 'utf8')) as LoomDocument],
    ['Bidirectional SimpleRNN', 1, doc([{ id: 'bs', type: 'Bidirectional', params: { layer: 'SimpleRNN', units: 4, mergeMode: 'concat' } }])],
    ['SimpleRNN with relu (stock)', 0, doc([{ id: 's', type: 'SimpleRNN', params: { units: 3, activation: 'relu' } }])],
  ] as const)('%s: compile.ts fuses LSTM, GRU and SimpleRNN layers on wasm; LAYERLOOM_FUSED_LSTM=0 restores the stock layers', async (_name, fused, d) => {
    await onWasm(() => undefined);
    const { model, inputShapes } = compileModel(d, { seed: 3 });
    const shape = [4, ...inputShapes[0]!];
    const x = tf.tensor(rand(shape.reduce((a, v) => a * v, 1), 21), shape);
    const predict = async () => {
      const prof = await tf.profile(() => tf.tidy(() => model.predict(x)));
      return { kernels: prof.kernels.length, y: tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()) };
    };
    const on = await predict();
    process.env.LAYERLOOM_FUSED_LSTM = '0';
    const off = await predict().finally(() => { delete process.env.LAYERLOOM_FUSED_LSTM; });
    if (fused) expect(on.kernels).toBeLessThan(off.kernels / 5);
    else expect(on.kernels).toBe(off.kernels);
    expect(relErr(on.y, off.y)).toBeLessThan(1e-5);
    model.dispose();
    x.dispose();
  });
});
