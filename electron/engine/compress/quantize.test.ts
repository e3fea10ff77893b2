/**
 * The int8 simulation: its quantization points, its Q→DQ arithmetic (bit-equal to shared/compress's
 * reference), and — the referee — an independent NumPy re-implementation run on the same exported
 * weights and samples (int8_reference.py under /usr/bin/python3).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affineParams, fakeQuantAffine } from '../../../shared/compress';
import { mulberry32 } from '../../../shared/random';
import { initBackend } from '../backend';
import { compileModel } from '../compile';
import { tf } from '../tfjs';
import { forwardByLayer, readNodeWeights, writeNodeWeights } from './layers';
import { chain } from './test-fixtures';
import { calibrate, fakeQuantTensor, planQuantization, quantizeWeights, simulateInt8 } from './quantize';


const cnn = chain([8, 8, 2], [
  ['Conv2D', { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }],
  ['MaxPooling2D', { poolSize: 2 }],
  ['Flatten', {}],
  ['Dense', { units: 8, activation: 'relu' }],
  ['Dense', { units: 3, activation: 'softmax' }],
]);

const randomX = (n: number, size: number, seed: number) => { const r = mulberry32(seed); return Float32Array.from({ length: n * size }, () => r() * 2 - 0.5); };

beforeAll(async () => { await initBackend('wasm'); });

describe('quantization points', () => {
  it('the Input, each int8 layer but the output; pooling/Flatten keep the grid; an average pool gets its own point', () => {
    const c = compileModel(cnn, { seed: 1 });
    const plan = planQuantization(c, cnn);
    expect(plan.points).toEqual(['in', 'l0', 'l3']);
    expect(plan.int8).toEqual([
      { nodeId: 'l0', type: 'Conv2D', inputPoint: 'in' }, { nodeId: 'l3', type: 'Dense', inputPoint: 'l0' }, { nodeId: 'l4', type: 'Dense', inputPoint: 'l3' },
    ]);
    c.model.dispose();
    const avg = chain([8, 8, 2], [
      ['Conv2D', { filters: 4, kernelSize: 3 }], ['BatchNormalization', {}], ['AveragePooling2D', { poolSize: 2 }], ['Flatten', {}], ['Dense', { units: 3 }],
    ]);
    const d = compileModel(avg, { seed: 1 });
    const p2 = planQuantization(d, avg);
    expect(p2.points).toEqual(['in', 'l0', 'l3']);
    expect(p2.int8.at(-1)).toEqual({ nodeId: 'l4', type: 'Dense', inputPoint: 'l3' });
    expect(p2.keptFloat).toEqual([{ nodeId: 'l1', type: 'BatchNormalization', reason: 'BatchNormalization has no int8 path in Layerloom: its weights and arithmetic stay float32' }]);
    d.model.dispose();
  });

  it('layer-by-layer inference equals model.predict', () => {
    const c = compileModel(cnn, { seed: 2 });
    const x = tf.tensor(randomX(5, 128, 3), [5, 8, 8, 2]);
    const [a] = forwardByLayer(c, cnn, [x]);
    const b = c.model.predict(x) as tf.Tensor;
    expect(Array.from(a!.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a!, b]);
    c.model.dispose();
  });

  it('the engine\'s Q→DQ is bit-equal to the reference arithmetic, halves included', () => {
    const p = affineParams({ min: -1.3, max: 2.1 }, 'uint8');
    const r = mulberry32(4);
    const xs = Float32Array.from({ length: 5000 }, (_, i) => (i < 200 ? (i - 100 + 0.5) * p.scale : r() * 5 - 2));
    for (const params of [p, affineParams({ min: -1.3, max: 2.1 }, 'int8')]) {
      const t = tf.tensor(xs);
      const got = fakeQuantTensor(t, params);
      expect(Array.from(got.dataSync())).toEqual(Array.from(fakeQuantAffine(xs, params)));
      tf.dispose([t, got]);
    }
  });
});

describe('calibration in the engine', () => {
  it('percentile ranges lie inside the min/max ranges and cut the tails', () => {
    const c = compileModel(cnn, { seed: 9 });
    const plan = planQuantization(c, cnn);
    const x = randomX(64, 128, 10);
    const batches = () => [{ x, size: 64 }];
    const base = { samples: 64, percentile: 99, activationDtype: 'uint8' as const };
    const mm = calibrate(c, cnn, plan, batches, { ...base, method: 'minmax' });
    const pc = calibrate(c, cnn, plan, batches, { ...base, method: 'percentile' });
    expect(pc.map((p) => p.nodeId)).toEqual(mm.map((p) => p.nodeId));
    pc.forEach((p, i) => {
      expect(p.min).toBeGreaterThanOrEqual(mm[i]!.min);
      expect(p.max).toBeLessThanOrEqual(mm[i]!.max);
    });
    expect(pc[0]!.max).toBeLessThan(mm[0]!.max); // the input's top 1 % is cut
    expect(mm[0]!.max).toBe(Math.max(...x));
    c.model.dispose();
  });
});

describe('int8 simulation against NumPy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-int8-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['uint8', 'int8'] as const)('%s activations: same ranges, integer weights and outputs', (dtype) => {
    const c = compileModel(cnn, { seed: 5 });
    const calX = randomX(64, 128, 6);
    const testX = randomX(40, 128, 7);
    const plan = planQuantization(c, cnn);
    const points = calibrate(c, cnn, plan, () => [{ x: calX.subarray(0, 32 * 128), size: 32 }, { x: calX.subarray(32 * 128), size: 32 }],
      { samples: 64, method: 'minmax', percentile: 99.99, activationDtype: dtype });
    const qw = quantizeWeights(c, plan, 'int8', points);
    const sim = compileModel(cnn, { seed: 5 });
    writeNodeWeights(sim, qw.weights);
    const out = tf.tidy(() => simulateInt8(sim, cnn, points, [tf.tensor(testX, [40, 8, 8, 2])])[0]!.dataSync());

    // The exported (float) weights and the samples, for NumPy.
    const w = readNodeWeights(c);
    const file = (name: string, v: Float32Array) => { const f = join(dir, `${dtype}-${name}.bin`); writeFileSync(f, v); return f; };
    const layers = cnn.nodes.slice(1).map((n) => ({
      type: n.type, activation: n.params.activation ?? 'linear', pool: 2,
      ...(w[n.id] ? { kernel: { file: file(`${n.id}-k`, w[n.id]!.kernel!.values), shape: w[n.id]!.kernel!.shape }, bias: { file: file(`${n.id}-b`, w[n.id]!.bias!.values), shape: w[n.id]!.bias!.shape } } : {}),
    }));
    const manifest = join(dir, `${dtype}.json`);
    writeFileSync(manifest, JSON.stringify({
      layers, activationDtype: dtype, calibration: { file: file('cal', calX), shape: [64, 8, 8, 2] }, test: { file: file('test', testX), shape: [40, 8, 8, 2] },
    }));
    const ref = JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'int8_reference.py'), manifest], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } })) as {
      points: { scale: number; zeroPoint: number; min: number; max: number }[]; kernels: number[][]; scales: number[][]; outputs: number[];
    };

    expect(ref.points).toHaveLength(points.length);
    ref.points.forEach((rp, i) => {
      expect(points[i]!.zeroPoint).toBe(rp.zeroPoint);
      expect(Math.abs(points[i]!.scale - rp.scale) / rp.scale).toBeLessThan(1e-6);
    });
    const int8 = qw.encoded.filter((e) => e.encoding === 'int8');
    expect(int8.map((e) => Array.from(e.q))).toEqual(ref.kernels);
    expect(int8.map((e) => Array.from(e.scales))).toEqual(ref.scales.map((s) => s.map(Math.fround)));

    expect(out).toHaveLength(ref.outputs.length);
    let maxDiff = 0;
    for (let i = 0; i < out.length; i++) {
      expect(Number.isFinite(out[i]!)).toBe(true);
      maxDiff = Math.max(maxDiff, Math.abs(out[i]! - ref.outputs[i]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    // The quantization did something: the float model's outputs differ.
    const float = tf.tidy(() => (c.model.predict(tf.tensor(testX, [40, 8, 8, 2])) as tf.Tensor).dataSync());
    expect(Math.max(...Array.from(float).map((v, i) => Math.abs(v - out[i]!)))).toBeGreaterThan(1e-4);
    c.model.dispose();
    sim.model.dispose();
  });
});
