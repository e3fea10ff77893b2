/**
 * One Layerloom measurement in its own process (so peak RSS is per network):
 *   tsx bench/tfjs-bench.ts <cnn|mlp|lstm|lenet> [--mode engine|loop|parallel] [--threads N|auto] [--batches N] [--batch 64] [--warmup N] [--backend wasm|cpu] [--profile]
 * Prints one JSON line: { model, mode, backend, simd (the kernels' build: relaxed, plain or off), samplesPerSec, peakRssMB, parallel (per-step costs of a data-parallel run), ... }.
 * Under Node 20 the relaxed-SIMD build runs only with --experimental-wasm-relaxed-simd:
 *   node --experimental-wasm-relaxed-simd --import tsx bench/tfjs-bench.ts cnn
 *
 * samplesPerCpuSec divides by the CPU time the process used (user + system, all threads): on a
 * machine shared with other work it shows compute efficiency independent of the share of the CPU
 * the process got.
 * mode engine (default): the engine's own training run (startTraining: compile, batching, Adam 1e-3,
 *   batch 64, metrics), 2 epochs over `batches` batches; the 2nd epoch's samples/s is reported.
 *   --threads: the run's training.threads (default 1; `auto` = the engine's own choice); `threads`
 *   in the output is what the run used (its start event).
 * mode parallel: mode engine with --threads 2 (data-parallel: electron/engine/parallel/replicas.ts).
 * mode loop: the engine's compiled model and backend in a minimal loop (data held as one tensor,
 *   batches sliced from it, the loss read once at the end): the compute-bound ceiling.
 * --profile: per-kernel time of one training step (tf.profile), top kernels printed to stderr.
 */
import { tf, tfl } from '../electron/engine/tfjs';
import { initBackend } from '../electron/engine/backend';
import { compileModel } from '../electron/engine/compile';
import { startTraining } from '../electron/engine/train';
import { simdFlavor } from '../electron/engine/kernels/simd';
import { lastParallelStats } from '../electron/engine/parallel/replicas';
import type { Dataset, PreparedData } from '../electron/engine/data';
import type { TrainEvent } from '../shared/engine/events';
import { benchData, benchDocument, MODEL_NAMES, type BenchData, type ModelName } from './models';

const BATCH = Number(process.argv.includes('--batch') ? process.argv[process.argv.indexOf('--batch') + 1] : 64);

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

const rssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** CPU seconds (user + system, all threads) used by this process so far. */
const cpuSec = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

function toDataset(d: BenchData, name: string): Dataset {
  const sampleSize = d.sampleShape.reduce((a, b) => a * b, 1);
  return {
    name, description: d.source, task: d.classes ? 'classification' : 'regression', count: d.count,
    x: d.x, dtype: 'float32', sampleShape: d.sampleShape, sampleSize, y: d.y, targetShape: [1], targetSize: 1,
    ...(d.classes ? { classes: Array.from({ length: d.classes }, (_, i) => String(i)) } : {}),
    kind: d.sampleShape.length === 3 ? 'image' : 'sequence', defaultNormalize: 'none', defaultTestSplit: 0,
  };
}

async function engineRun(name: ModelName, d: BenchData, threads: number | 'auto') {
  const data: PreparedData = {
    dataset: toDataset(d, name),
    split: { train: Int32Array.from({ length: d.count }, (_, i) => i), validation: new Int32Array(0), test: new Int32Array(0) },
    normalization: { mode: 'none', offset: [0], scale: [1], groups: 1 },
  };
  const epochs: number[] = [];
  const cpuAtEpoch: number[] = [];
  let error: string | undefined;
  let used: number | undefined;
  const handle = startTraining({
    runId: `bench-${name}`, doc: benchDocument(name), backend: (arg('backend', 'wasm') as 'wasm' | 'cpu'), data,
    overrides: {
      epochs: 2, batchSize: BATCH, optimizer: 'adam', learningRate: 1e-3, validationSplit: 0, seed: 1,
      loss: d.classes ? 'sparseCategoricalCrossentropy' : 'meanSquaredError', metrics: d.classes ? ['accuracy'] : [], threads,
    },
  }, (e: TrainEvent) => {
    if (e.type === 'start') used = e.backend.threads;
    if (e.type === 'epoch') {
      epochs.push(e.samplesPerSec);
      cpuAtEpoch.push(cpuSec());
    }
    if (e.type === 'error') error = e.message;
  });
  await handle.done;
  if (error) throw new Error(error);
  const cpu = cpuAtEpoch.length >= 2 ? cpuAtEpoch[1]! - cpuAtEpoch[0]! : NaN;
  return { samplesPerSec: epochs[epochs.length - 1] ?? 0, samplesPerCpuSec: d.count / cpu, epochSamplesPerSec: epochs, threads: used, ...(used && used > 1 ? { parallel: stepCosts() } : {}) };
}

/**
 * Milliseconds per step of the run's data-parallel steps (both epochs), from the replica pool's
 * counters: compute = the shares' forward and backward passes summed over the threads; average =
 * summing the gradients, per thread; idle = waiting at the barriers, per thread; serial = the main
 * thread's optimizer update and weight publishing. Wall-clock times: on a busy machine a thread
 * waiting for a core counts as compute or idle.
 */
function stepCosts() {
  const s = lastParallelStats();
  if (!s || !s.steps) return undefined;
  const per = (v: number[]) => v.reduce((a, b) => a + b, 0) / s.steps;
  return {
    participants: s.participants, steps: s.steps,
    computeMs: per(s.compute), averageMs: per(s.average) / s.participants, idleMs: per(s.idle) / s.participants, serialMs: s.serial / s.steps,
    replicaMB: s.replicas.map((r) => Math.round(r.wasmHeapMB + r.jsHeapMB)),
  };
}

async function loopRun(name: ModelName, d: BenchData, warmup: number, batches: number) {
  const { model } = compileModel(benchDocument(name), { seed: 1 });
  const X = tf.tensor(d.x, [d.count, ...d.sampleShape]);
  const Y = d.classes ? tf.oneHot(tf.tensor1d(d.y as Int32Array, 'int32'), d.classes) : tf.tensor2d(d.y as Float32Array, [d.count, 1]);
  const opt = tf.train.adam(1e-3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const n = Math.floor(d.count / BATCH);
  const lossFn = (b: number) => () => tf.tidy(() => {
    const i = (b % n) * BATCH;
    const x = tf.slice(X, i, BATCH);
    const y = tf.slice(Y, i, BATCH);
    const p = model.apply(x, { training: true }) as tf.Tensor;
    return tf.mean(d.classes ? tfl.metrics.categoricalCrossentropy(y, p) : tf.square(tf.sub(y, p))) as tf.Scalar;
  });
  for (let b = 0; b < warmup; b++) opt.minimize(lossFn(b), false, vars);
  if (process.argv.includes('--profile')) {
    const prof = await tf.profile(() => { opt.minimize(lossFn(0), false, vars); });
    const by = new Map<string, number>();
    for (const k of prof.kernels) by.set(k.name, (by.get(k.name) ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0));
    const total = [...by.values()].reduce((a, b) => a + b, 0);
    const top = [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
    process.stderr.write(`profile ${name}: ${total.toFixed(1)} ms in kernels per step (${prof.kernels.length} kernel calls)\n`);
    for (const [k, ms] of top) process.stderr.write(`  ${k.padEnd(28)} ${ms.toFixed(2).padStart(8)} ms  ${(100 * ms / total).toFixed(1)}%\n`);
  }
  const t0 = performance.now();
  const c0 = cpuSec();
  let last: tf.Scalar | null = null;
  for (let b = 0; b < batches; b++) {
    const r = opt.minimize(lossFn(warmup + b), b === batches - 1, vars);
    if (r) last = r;
  }
  const loss = last ? last.dataSync()[0] : NaN;
  const sec = (performance.now() - t0) / 1000;
  const cpu = cpuSec() - c0;
  tf.dispose([X, Y, last!]);
  opt.dispose();
  model.dispose();
  return { samplesPerSec: (batches * BATCH) / sec, samplesPerCpuSec: (batches * BATCH) / cpu, loss };
}

async function main() {
  const name = process.argv[2] as ModelName;
  if (!MODEL_NAMES.includes(name)) throw new Error(`usage: tfjs-bench.ts <${MODEL_NAMES.join('|')}> [--mode engine|loop|parallel] [--threads N|auto]`);
  const mode = arg('mode', 'engine');
  const warmup = Number(arg('warmup', '5'));
  const batches = Number(arg('batches', '40'));
  const backend = await initBackend(arg('backend', 'wasm') as 'wasm' | 'cpu');
  const d = benchData(name, (mode === 'loop' ? Math.max(batches, warmup + 1) : batches) * BATCH);
  const t = arg('threads', mode === 'parallel' ? '2' : '1');
  const r = mode === 'loop' ? { ...(await loopRun(name, d, warmup, batches)), threads: backend.threads }
    : await engineRun(name, d, t === 'auto' ? 'auto' : Number(t));
  const simd = backend.name === 'wasm' ? simdFlavor()?.flavor ?? 'off' : undefined;
  process.stdout.write(JSON.stringify({ model: name, mode, backend: backend.name, simd, data: d.source, ...r, peakRssMB: rssMB() }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
