/**
 * Compression benchmark (printed, not a test): the MNIST CNN template trained 3 epochs on the
 * built-in digits, then
 *   int8 (and dynamic, float16): weight size ratio, accuracy drop, agreement;
 *   80 % unstructured sparsity + 1 fine-tuning epoch: accuracy drop, gzip ratio;
 *   50 % channel pruning + 2 fine-tuning epochs: FLOPs ratio, wasm batch-1 latency ratio
 *     (interleaved timings), accuracy drop;
 *   a ¼-width student distilled from it vs the same student trained alone (same seed, 3 epochs).
 * The targets are the compression benchmark's own (printed beside each figure); docs/compress.md holds the figures of a run.
 *
 *   npx tsx bench/compress.ts [--run DIR] [--out DIR] [--latency-runs N] [--only distil] [--seeds N] [--distil T:α,T:α]
 * --run reuses a trained run folder of the template; --out keeps the run folders (default: a temp dir);
 * --seeds trains the students with N seeds (the run's seed, then +1, ...); --distil lists the
 * temperature:alpha settings tried (default 4:0.7, the request schema's defaults).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeStudent, type CompressReport } from '../shared/compress';
import { parseDocument, trainingDefaults } from '../shared/document';
import { initBackend } from '../electron/engine/backend';
import { compress } from '../electron/engine/compress';
import { distil } from '../electron/engine/compress/distill';
import { evaluateWith, type EvalTarget } from '../electron/engine/compress/measure';
import { dataOf } from '../electron/engine/evaluate';
import { loadRun } from '../electron/engine/persist';
import { disposeRun, getRun } from '../electron/engine/runs';
import { tf } from '../electron/engine/tfjs';
import { startTraining } from '../electron/engine/train';

const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };
const out = resolve(arg('out') ?? mkdtempSync(join(tmpdir(), 'loom-bench-compress-')));
const LATENCY_RUNS = Number(arg('latency-runs') ?? 300);
const SEEDS = Number(arg('seeds') ?? 1);
const SETTINGS = (arg('distil') ?? '4:0.7').split(',').map((s) => s.split(':').map(Number) as [number, number]);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const pts = (a?: number, b?: number) => (a === undefined || b === undefined ? '—' : `${(100 * (a - b)).toFixed(2)} points`);
const log = (s: string) => process.stdout.write(`${s}\n`);

async function trainTemplate(): Promise<string> {
  const given = arg('run');
  if (given) return resolve(given);
  const r = parseDocument(readFileSync(join(import.meta.dirname, '../assets/templates/mnist-cnn.loom'), 'utf8'));
  if (!r.ok) throw new Error('template');
  const dir = join(out, 'mnist-cnn');
  const t0 = performance.now();
  const end = await startTraining({ runId: 'mnist-cnn', doc: r.doc, runDir: dir, backend: 'wasm' }, (e) => {
    if (e.type === 'epoch') log(`  epoch ${e.epoch}: ${JSON.stringify(e.logs)} (load ${load()})`);
  }).done;
  if (end.type !== 'end') throw new Error(`training failed: ${JSON.stringify(end)}`);
  disposeRun('mnist-cnn');
  log(`trained in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return dir;
}

function line(r: CompressReport, extra: string) {
  log(`${r.method}: accuracy ${(100 * r.before.accuracy!).toFixed(2)} % → ${(100 * r.after.accuracy!).toFixed(2)} % (drop ${pts(r.before.accuracy, r.after.accuracy)}), `
    + `agreement ${(100 * r.agreement!).toFixed(2)} % (${r.changedTotal} of ${r.testSamples} changed), bytes ${r.before.bytes} → ${r.after.bytes} `
    + `(${(r.before.bytes / r.after.bytes).toFixed(2)}x), gzip ${r.before.gzipBytes} → ${r.after.gzipBytes} (${(r.before.gzipBytes / r.after.gzipBytes).toFixed(2)}x)${extra}`);
  for (const w of r.warnings) log(`  warning: ${w}`);
}

/** Batch-1 latency of two runs, interleaved so load changes hit both alike: medians in ms. */
async function interleavedLatency(a: string, b: string, runs: number): Promise<[number, number]> {
  const ids = ['lat-a', 'lat-b'];
  await loadRun(a, ids[0]);
  await loadRun(b, ids[1]);
  const models = ids.map((id) => getRun(id).compiled);
  const x = tf.randomUniform([1, 28, 28, 1]);
  const once = (i: number) => { const t0 = performance.now(); tf.tidy(() => (models[i]!.model.predict(x) as tf.Tensor).dataSync()); return performance.now() - t0; };
  for (let i = 0; i < 10; i++) { once(0); once(1); }
  const times: number[][] = [[], []];
  for (let i = 0; i < runs; i++) for (const k of i % 2 ? [1, 0] : [0, 1]) times[k]!.push(once(k));
  x.dispose();
  ids.forEach(disposeRun);
  const median = (v: number[]) => v.sort((p, q) => p - q)[Math.floor(v.length / 2)]!;
  return [median(times[0]!), median(times[1]!)];
}

async function distillation(source: string) {
  const record = await loadRun(source, 'teacher');
  const teacher = getRun('teacher');
  const { ds, split } = await dataOf(teacher);
  const student = makeStudent(record.doc, 0.25);
  log(`student ¼: ${student.changes.map((c) => `${c.nodeId} ${c.from}→${c.to}`).join(', ')}`);
  const training = trainingDefaults(record.training);
  const target: EvalTarget = {
    ds, indices: split.test, normalization: teacher.normalization, spec: teacher.spec,
    inputShape: teacher.compiled.inputShapes[0]!, inputDtype: 'float32', outShape: teacher.compiled.outputShapes[0]!,
  };
  const teacherAcc = evaluateWith((x) => teacher.compiled.model.apply(x) as tf.Tensor, target).accuracy!;
  log(`teacher: test accuracy ${(100 * teacherAcc).toFixed(2)} %, ${teacher.compiled.totalParams} parameters`);
  const train = async (temperature: number, alpha: number, seed: number) => {
    const t0 = performance.now();
    const s = await distil({
      teacher: { compiled: teacher.compiled, fromLogits: teacher.spec.fromLogits }, student: student.doc, spec: teacher.spec, temperature, alpha,
      fit: { data: { ds, train: split.train, normalization: teacher.normalization }, training, epochs: training.epochs, seed },
    });
    const acc = evaluateWith((x) => s.compiled.model.apply(x) as tf.Tensor, target).accuracy!;
    log(`  ${alpha === 0 ? 'alone' : `distilled T = ${temperature}, α = ${alpha}`}, seed ${seed}, ${training.epochs} epochs: test accuracy ${(100 * acc).toFixed(2)} %, `
      + `${s.compiled.totalParams} parameters (${((performance.now() - t0) / 1000).toFixed(0)} s, load ${load()})`);
    s.compiled.model.dispose();
    return acc;
  };
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const seeds = Array.from({ length: SEEDS }, (_, i) => record.seed + i);
  const alone: number[] = [];
  for (const seed of seeds) alone.push(await train(4, 0, seed));
  for (const [T, alpha] of SETTINGS) {
    const taught: number[] = [];
    for (const seed of seeds) taught.push(await train(T, alpha, seed));
    log(`distillation T = ${T}, α = ${alpha}: ¼ student distilled ${(100 * mean(taught)).toFixed(2)} % vs alone ${(100 * mean(alone)).toFixed(2)} % `
      + `(mean of ${seeds.length} seed${seeds.length > 1 ? 's' : ''}; errors ${(100 * (1 - mean(taught))).toFixed(2)} % vs ${(100 * (1 - mean(alone))).toFixed(2)} %; teacher ${(100 * teacherAcc).toFixed(2)} %)`);
  }
  disposeRun('teacher');
}

async function main() {
  const backend = await initBackend('wasm');
  log(`backend ${backend.name}; load average ${load()} on ${cpus().length} cores; folders in ${out}`);
  const source = await trainTemplate();
  if (arg('only') === 'distil') {
    await distillation(source);
    return;
  }
  const run = async (method: CompressReport['method'], extra: Partial<Parameters<typeof compress>[0]> = {}) => {
    const t0 = performance.now();
    const r = await compress({ runDir: source, outDir: join(out, method), method, latencyRuns: 0, ...extra });
    log(`  (${method}: ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${load()})`);
    return r;
  };
  line(await run('int8', { calibration: { samples: 500 } }), '');
  line(await run('dynamic'), '');
  line(await run('float16'), '');
  const pr = await run('prune', { sparsity: 0.8, finetuneEpochs: 1 });
  line(pr, `, non-zero ${pr.before.nonZero} → ${pr.after.nonZero}`);
  const ch = await run('prune-channels', { sparsity: 0.5, finetuneEpochs: 2 });
  const [before, after] = await interleavedLatency(source, join(out, 'prune-channels'), LATENCY_RUNS);
  line(ch, `, FLOPs ${ch.before.flops} → ${ch.after.flops} (${(ch.before.flops / ch.after.flops).toFixed(2)}x), `
    + `wasm batch-1 latency ${before.toFixed(3)} → ${after.toFixed(3)} ms (${(before / after).toFixed(2)}x, median of ${LATENCY_RUNS} interleaved)`);
  await distillation(source);
  log(`done; load average ${load()}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
