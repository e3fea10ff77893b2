/**
 * meanLoss equals tf.mean(lossPerSample(...)) in value and gradient, on the cpu and wasm backends:
 * ordinary probabilities, probabilities that need normalising, clipped ones (0 and 1, where the
 * gradient must vanish as tfjs' clip makes it) and a rank-3 (per-time-step) output.
 */
import { tf } from '../tfjs';
import { lossPerSample, type LossSpec } from '../losses';
import { initWasm } from '../kernels/test-backends';
import { meanLoss } from './loss';

const SPEC: LossSpec = { loss: 'categoricalCrossentropy', mode: 'onehot', fromLogits: false, classes: 3 };

function compare(p: number[], shape: number[], y: number[]) {
  const run = (f: (yt: tf.Tensor, pt: tf.Tensor) => tf.Scalar) => tf.tidy(() => {
    const yt = tf.tensor(y, shape);
    const { value, grads } = tf.variableGrads(() => f(yt, pv), [pv]);
    return { value: value.dataSync()[0]!, grad: Array.from(grads[pv.name]!.dataSync()) };
  });
  const pv = tf.variable(tf.tensor(p, shape));
  try {
    const ref = run((yt, pt) => tf.mean(lossPerSample(SPEC, yt, pt)) as tf.Scalar);
    const got = run((yt, pt) => meanLoss(SPEC, yt, pt));
    expect(got.value).toBeCloseTo(ref.value, 6);
    got.grad.forEach((g, i) => expect(Math.abs(g - ref.grad[i]!), `grad[${i}] ${g} vs ${ref.grad[i]}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.grad[i]!))));
    return got;
  } finally {
    pv.dispose();
  }
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await initWasm();
    await tf.setBackend(backend);
  });

  it('matches the stock loss for softmax outputs', () => {
    compare([0.7, 0.2, 0.1, 0.1, 0.3, 0.6], [2, 3], [1, 0, 0, 0, 0, 1]);
  });

  it('matches for unnormalised and clipped probabilities (no gradient where clipped)', () => {
    const { grad } = compare([0.4, 0.4, 0.4, 1, 0, 0, 0, 0.5, 0.5], [3, 3], [0, 1, 0, 1, 0, 0, 1, 0, 0]);
    expect(grad.slice(3, 6).every((g) => g === 0 || Math.abs(g) < 1e-6)).toBe(true); // row 2: q = 1 and 0, clipped
  });

  it('matches for a per-time-step output [n, T, k]', () => {
    compare([0.2, 0.5, 0.3, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8, 0.3, 0.3, 0.4], [2, 2, 3], [0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1]);
  });

  it('leaves logits and other losses to lossPerSample', () => {
    tf.tidy(() => {
      const y = tf.tensor2d([[1, 0, 0]]);
      const p = tf.tensor2d([[2, -1, 0.5]]);
      const logits: LossSpec = { ...SPEC, fromLogits: true };
      expect(meanLoss(logits, y, p).dataSync()[0]).toBeCloseTo(tf.mean(lossPerSample(logits, y, p)).dataSync()[0]!, 6);
      const mse: LossSpec = { loss: 'meanSquaredError', mode: 'values', fromLogits: false };
      expect(meanLoss(mse, y, p).dataSync()[0]).toBeCloseTo(tf.mean(lossPerSample(mse, y, p)).dataSync()[0]!, 6);
    });
  });
});

describe('on wasm, one kernel each way (LAYERLOOM_FUSED_DENSE)', () => {
  beforeAll(async () => {
    await initWasm();
    await tf.setBackend('wasm');
  });
  afterAll(() => { delete process.env.LAYERLOOM_FUSED_DENSE; });

  const kernelsOf = async (v: string) => {
    process.env.LAYERLOOM_FUSED_DENSE = v;
    const pv = tf.variable(tf.tensor2d([0.7, 0.2, 0.1, 0.1, 0.3, 0.6], [2, 3]));
    const y = tf.tensor2d([1, 0, 0, 0, 0, 1], [2, 3]);
    try {
      const prof = await tf.profile(() => { tf.dispose(tf.variableGrads(() => meanLoss(SPEC, y, pv), [pv])); });
      return prof.kernels.map((k) => k.name);
    } finally {
      tf.dispose([pv, y]);
    }
  };

  it('runs the loss kernel and its gradient kernel, and the op-by-op path when switched off', async () => {
    // (Identity: tfjs' copies of the saved inputs, shared instead in training runs: overhead.ts)
    expect((await kernelsOf('1')).filter((k) => k !== 'Identity')).toEqual(['LayerloomCrossEntropyProb', 'LayerloomCrossEntropyProbGrad']);
    const off = await kernelsOf('0');
    expect(off.length).toBeGreaterThan(10);
    expect(off).not.toContain('LayerloomCrossEntropyProb');
  });

  it('both paths match the stock loss (value and gradient) with the switch either way', () => {
    for (const v of ['0', '1']) {
      process.env.LAYERLOOM_FUSED_DENSE = v;
      compare([0.4, 0.4, 0.4, 1, 0, 0, 0, 0.5, 0.5, 0.9999999, 1e-8, 0], [4, 3], [0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0]);
    }
  });
});
