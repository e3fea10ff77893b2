/**
 * Every catalog layer type trains on the wasm backend: for each example in LAYER_EXAMPLES, the
 * layer (compiled by the engine's compileModel, with a Flatten + Dense head appended) gets
 *  1. gradients on wasm equal to the cpu backend's (same weights, same inputs, inference mode), and
 *  2. a few Adam steps on wasm in training mode with a finite loss that decreases, and the layer's
 *     own weights changing (layers with weights) or a finite non-zero gradient reaching its inputs.
 */
import { tf, tfl } from '../tfjs';
import { compileModel } from '../compile';
import { LAYER_EXAMPLES, exampleDocument, type LayerExample } from '../../../shared/catalog/examples';
import { LAYER_TYPES, type LayerType } from '../../../shared/catalog';
import { analyze } from '../../../shared/analysis';
import type { LoomDocument } from '../../../shared/document';
import { initWasm, onBackend } from './test-backends';
import { mulberry32 } from '../../../shared/random';

/** The example's document with a head: [Flatten →] Dense(3) named `head`. */
function withHead(type: LayerType, ex: LayerExample): LoomDocument {
  const base = exampleDocument(type, ex);
  if (type === 'Input') {
    return { ...base, nodes: [...base.nodes, { id: 'head', type: 'Dense', params: { units: 3 } }], edges: [{ from: 'layer', to: 'head' }] };
  }
  const out = analyze(base).nodes.layer!.outputShape!;
  const nodes = [...base.nodes];
  const edges = [...base.edges];
  let last = 'layer';
  if (out.length > 1) {
    nodes.push({ id: 'flat', type: 'Flatten', params: {} });
    edges.push({ from: last, to: 'flat' });
    last = 'flat';
  }
  nodes.push({ id: 'head', type: 'Dense', params: { units: 3 } });
  edges.push({ from: last, to: 'head' });
  return { ...base, nodes, edges };
}

const seeded = mulberry32;

const BATCH = 4;

/** Plain-array inputs/targets for a compiled example (deterministic). */
function makeData(shapes: number[][], dtypes: string[], vocab: number | undefined, seed: number) {
  const r = seeded(seed);
  const xs = shapes.map((s, i) => {
    const n = BATCH * s.reduce((a, b) => a * b, 1);
    const v = Array.from({ length: n }, () => (dtypes[i] === 'int32' ? Math.floor(r() * (vocab ?? 2)) : r() * 2 - 1));
    return { values: v, shape: [BATCH, ...s], dtype: dtypes[i] as 'float32' | 'int32' };
  });
  const y = Array.from({ length: BATCH * 3 }, () => r() * 2 - 1);
  return { xs, y };
}

type Case = { type: LayerType; index: number; ex: LayerExample };
const CASES: Case[] = LAYER_TYPES.flatMap((type) => (LAYER_EXAMPLES[type] as LayerExample[]).map((ex, index) => ({ type, index, ex })));

interface Built {
  model: tfl.LayersModel;
  xs: tf.Tensor[];
  y: tf.Tensor;
}

function build(c: Case, weights?: number[][]): Built {
  const doc = withHead(c.type, c.ex);
  const compiled = compileModel(doc, { seed: 7 });
  const { xs, y } = makeData(compiled.inputShapes as number[][], compiled.inputDtypes, c.ex.intInputs?.vocab, 100 + c.index);
  const model = compiled.model;
  if (weights) {
    const ts = model.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape));
    model.setWeights(ts);
    tf.dispose(ts);
  }
  return { model, xs: xs.map((x) => tf.tensor(x.values, x.shape, x.dtype)), y: tf.tensor(y, [BATCH, 3]) };
}

/**
 * Gradients are compared in training mode, except for layers whose training mode is random.
 */
const RANDOM_IN_TRAINING = new Set<LayerType>(['Dropout']);

/**
 * Two examples that stock TF.js 4.22 cannot train on any backend and the engine patches
 * (layers/workarounds.ts): Conv2D with dilation > 1 and a linear activation (the fused conv gradient
 * refuses dilations) and BatchNormalization with center:false (tfjs-layers reads the missing beta).
 * They must train like every other example, and also be differentiable in inference mode.
 */
const isDilatedLinearConv = (c: Case) => (c.type === 'Conv2D' || c.type === 'Conv1D') && c.ex.params.dilationRate !== undefined && !c.ex.params.activation;
const isUncenteredBatchNorm = (c: Case) => c.type === 'BatchNormalization' && c.ex.params.center === false;

const lossOf = (b: Built, training: boolean) => tf.losses.meanSquaredError(b.y, b.model.apply(b.xs, { training }) as tf.Tensor) as tf.Scalar;

beforeAll(async () => {
  await initWasm();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('every catalog layer trains on wasm', () => {
  it.each(CASES.map((c) => [`${c.type} #${c.index}`, c] as const))('%s', async (_label, c) => {
    // 1. gradients equal to the cpu backend's, on the same weights and inputs
    const mode = !RANDOM_IN_TRAINING.has(c.type);
    const patched = isDilatedLinearConv(c) || isUncenteredBatchNorm(c);
    const grads = (b: Built) => tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => lossOf(b, mode), b.model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
      return { names: Object.keys(g), values: Object.values(g).map((t) => Array.from(t.dataSync())) };
    });
    const inferenceGrads = (b: Built) => tf.tidy(() => Object.values(tf.variableGrads(() => lossOf(b, false)).grads).map((t) => Array.from(t.dataSync())));
    const cpu = await onBackend('cpu', () => {
      const b = build(c);
      const weights = b.model.getWeights().map((w) => Array.from(w.dataSync()));
      const g = grads(b);
      const gi = patched ? inferenceGrads(b) : [];
      b.model.dispose();
      tf.dispose([...b.xs, b.y]);
      return { weights, g, gi };
    });
    if (patched) {
      expect(cpu.gi.length, `${c.type} inference-mode gradients on cpu`).toBeGreaterThan(0);
      for (const g of cpu.gi) expect(g.every(Number.isFinite), `${c.type} inference-mode gradient finite`).toBe(true);
    }
    await onBackend('wasm', () => {
      const before = tf.memory().numTensors;
      const b = build(c, cpu.weights);
      const g = grads(b);
      if (patched) {
        const gi = inferenceGrads(b);
        expect(gi.length, `${c.type} inference-mode gradients on wasm`).toBe(cpu.gi.length);
        gi.forEach((v, i) => v.forEach((x, j) => expect(Math.abs(x - cpu.gi[i]![j]!)).toBeLessThan(1e-4 * Math.max(1, ...cpu.gi[i]!.map(Math.abs)))));
      }
      expect(g.values.length).toBe(cpu.g.values.length);
      g.values.forEach((v, i) => {
        const ref = cpu.g.values[i]!;
        const scale = Math.max(1e-3, ...ref.map(Math.abs));
        const err = Math.max(0, ...v.map((x, j) => Math.abs(x - ref[j]!))) / scale;
        expect(err, `${c.type} gradient ${g.names[i]} (relative to max |g|)`).toBeLessThan(1e-3);
      });

      // 2. a few Adam steps in training mode
      const layerWeights = b.model.getLayer('layer').trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      const w0 = layerWeights.map((w) => Array.from(w.dataSync()));
      const opt = tf.train.adam(0.02);
      const losses: number[] = [];
      for (let step = 0; step < 6; step++) {
        const l = opt.minimize(() => lossOf(b, true), true)!;
        losses.push(l.dataSync()[0]!);
        l.dispose();
      }
      const final = tf.tidy(() => lossOf(b, false).dataSync()[0]!);
      for (const l of [...losses, final]) expect(Number.isFinite(l), `${c.type} loss ${losses.join(', ')}`).toBe(true);
      expect(final, `${c.type} loss ${losses.join(', ')} → ${final}`).toBeLessThan(losses[0]!);
      if (layerWeights.length) {
        const changed = layerWeights.some((w, i) => Array.from(w.dataSync()).some((v, j) => v !== w0[i]![j]));
        expect(changed, `${c.type} weights changed`).toBe(true);
      } else if (c.type !== 'Input' && b.xs.every((x) => x.dtype === 'float32')) {
        const gx = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => tf.losses.meanSquaredError(b.y, b.model.apply(xs, { training: false }) as tf.Tensor))(b.xs)
          .map((t) => Array.from(t.dataSync())));
        for (const g of gx) {
          expect(g.every(Number.isFinite), `${c.type} input gradient finite`).toBe(true);
          expect(g.some((v) => v !== 0), `${c.type} input gradient non-zero`).toBe(true);
        }
      }
      opt.dispose();
      b.model.dispose();
      tf.dispose([...b.xs, b.y]);
      expect(tf.memory().numTensors, 'no tensor leak').toBe(before);
    });
  });
});

it('the patched examples are in the catalog (dilated linear Conv1D and Conv2D, BatchNormalization without center)', () => {
  expect(CASES.filter(isDilatedLinearConv).map((c) => c.type).sort()).toEqual(['Conv1D', 'Conv2D']);
  expect(CASES.filter(isUncenteredBatchNorm).length).toBeGreaterThan(0);
});

it('the patched layers compute what the stock layers compute (forward, inference mode, cpu)', async () => {
  // The patched computation runs only while a gradient is recorded: capture its output inside tf.grads.
  const recorded = (l: tfl.layers.Layer, x: tf.Tensor) => {
    let out: tf.Tensor | undefined;
    tf.dispose(tf.grads((xx: tf.Tensor) => {
      const y = l.apply(xx, { training: false }) as tf.Tensor;
      out = tf.keep(y.clone());
      return tf.sum(y);
    })([x]));
    return out!;
  };
  const { fixBatchNormalization, fixDilatedConv } = await import('../layers/workarounds');
  await onBackend('cpu', () => {
    const r = seeded(5);
    const x4 = tf.tensor4d(Array.from({ length: 2 * 9 * 8 * 3 }, () => r() * 2 - 1), [2, 9, 8, 3]);
    const x3 = tf.tensor3d(Array.from({ length: 2 * 11 * 3 }, () => r() * 2 - 1), [2, 11, 3]);
    const cases: [() => tfl.layers.Layer, (l: tfl.layers.Layer) => tfl.layers.Layer, tf.Tensor?][] = [
      ...(['same', 'valid'] as const).flatMap((padding) => [[2, 2], [3, 1], [1, 2]].map((dilationRate) => [
        () => tfl.layers.conv2d({ filters: 4, kernelSize: [3, 2], padding, dilationRate: dilationRate as [number, number], activation: 'tanh' }),
        fixDilatedConv,
      ] as [() => tfl.layers.Layer, (l: tfl.layers.Layer) => tfl.layers.Layer])),
      // (TF.js allows no stride > 1 together with a dilation rate > 1.)
      ...(['same', 'valid'] as const).flatMap((padding) => [2, 3].map((dilationRate) => [
        () => tfl.layers.conv1d({ filters: 4, kernelSize: 3, padding, dilationRate, activation: 'relu' }),
        fixDilatedConv,
        x3,
      ] as [() => tfl.layers.Layer, (l: tfl.layers.Layer) => tfl.layers.Layer, tf.Tensor])),
      [() => tfl.layers.batchNormalization({ center: false }), fixBatchNormalization],
      // last axis only: the catalog has no axis, and tfjs' BatchNorm kernels are wrong for other axes
      [() => tfl.layers.batchNormalization({ scale: false }), fixBatchNormalization],
      [() => tfl.layers.batchNormalization({ center: false, scale: false }), fixBatchNormalization],
    ];
    for (const [make, fix, input] of cases) {
      const x = input ?? x4;
      const stock = make();
      const patched = fix(make());
      const ys = stock.apply(x) as tf.Tensor;
      patched.apply(x);
      // random (non-trivial) weights, also for the moving statistics
      patched.setWeights(stock.getWeights().map((w) => tf.add(tf.randomUniform(w.shape, 0.5, 1.5, 'float32', 3), 0)));
      stock.setWeights(patched.getWeights());
      const a = stock.apply(x, { training: false }) as tf.Tensor;
      const same = patched.apply(x, { training: false }) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(a, same))).dataSync()[0], 'stock call without a gradient').toBe(0);
      const b = recorded(patched, x);
      expect(b.shape).toEqual(a.shape);
      const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
      expect(diff, `${stock.getClassName()} ${JSON.stringify(stock.getConfig())}`).toBeLessThan(1e-4);
      tf.dispose([ys, a, b, same]);
    }
    tf.dispose([x4, x3]);
  });
});
