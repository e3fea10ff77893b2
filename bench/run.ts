/**
 * Layerloom vs PyTorch training throughput on this machine. Not part of npm test.
 *
 *   npm run bench [-- --models cnn,mlp,lstm,lenet] [--batches 40] [--repeat 5] [--allow-reference-blas] [--relaxed-simd]
 *
 * For every network, each measurement in its own process (so peak RSS is per process): PyTorch
 * (/usr/bin/python3, bench/torch_bench.py) with its default thread count and with 2 threads, and
 * Layerloom on wasm through the engine's own training run (startTraining, bench/tfjs-bench.ts) with
 * `threads` at its default (auto, the headline), 1 and 2.
 *
 * Fair by construction:
 * - PyTorch must use an optimized BLAS. Debian's torch uses whatever libblas.so.3 points to, and the
 *   reference BLAS makes its MLP ~8x slower. The BLAS each PyTorch process loaded is printed; with the
 *   reference BLAS the benchmark installs libopenblas0-pthread (as root, with apt) or refuses to run
 *   (unless --allow-reference-blas, which the header then states).
 * - Every mode runs `--repeat` times, interleaved (all modes, then all modes again, ...), and the
 *   tables show the median with the min–max of those runs; wall-clock and per-CPU-second figures come
 *   from the same runs. "Best PyTorch" is the PyTorch configuration with the higher median.
 *
 * The engine's SIMD kernels come in two builds (electron/engine/kernels/simd): relaxed SIMD (fused
 * multiply-add), which Electron runs, and plain SIMD, which Node 20 runs unless started with
 * --experimental-wasm-relaxed-simd. The header names the build measured; --relaxed-simd starts the
 * engine's processes with that flag, to measure what the desktop app runs.
 *
 * Scaling: the 2-thread runs record their per-step costs (compute summed over the threads, gradient
 * averaging, idle at the barriers, the main thread's serial part; bench/tfjs-bench.ts). From them the
 * table estimates the step on P idle cores as serial + compute / P + averaging (the averaging work per
 * thread stays ~constant: each thread sums 1/P of the parameters over P slots), against serial +
 * compute on one thread: an estimate for machines with more cores, not a measurement.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { MODEL_NAMES, type ModelName } from './models';
import { formatSpread, interleave, median, ratio, spread, type Spread } from './stats';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

interface StepCosts { participants: number; steps: number; computeMs: number; averageMs: number; idleMs: number; serialMs: number; replicaMB: number[] }
interface Result { samplesPerSec: number; samplesPerCpuSec?: number; peakRssMB: number; threads?: number; data?: string; error?: string; blas?: Blas; simd?: string; parallel?: StepCosts }
interface Blas { kind: string; libraries: string[] }

function runJson(cmd: string, args: string[]): Result {
  try {
    const out = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
    const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    if (!line) throw new Error(`no result from ${cmd} ${args.join(' ')}`);
    return JSON.parse(line) as Result;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { samplesPerSec: NaN, peakRssMB: NaN, error: (err.stderr || err.message).trim().split('\n').slice(-3).join(' ') };
  }
}

const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const fmt = (v: number) => (Number.isFinite(v) ? (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)) : 'n/a');

const torchBench = path.join(here, 'torch_bench.py');

function pytorchBlas(): Blas {
  const out = execFileSync('/usr/bin/python3', [torchBench, 'mlp', '--blas-only'], { cwd: root, encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').pop()!) as { blas: Blas }).blas;
}

/** An optimized BLAS for PyTorch, installed when possible; otherwise refuse (or say so loudly). */
function ensureOptimizedBlas(allowReference: boolean): Blas {
  let blas = pytorchBlas();
  if (blas.kind !== 'reference' && blas.kind !== 'unknown') return blas;
  if (process.getuid?.() === 0 && !allowReference) {
    process.stderr.write(`PyTorch uses the ${blas.kind} BLAS (${blas.libraries.join(', ') || 'none found'}): installing libopenblas0-pthread\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['install', '-y', '-qq', 'libopenblas0-pthread'], { stdio: 'inherit', env });
    blas = pytorchBlas();
    if (blas.kind !== 'reference' && blas.kind !== 'unknown') return blas;
  }
  if (allowReference) return blas;
  process.stderr.write(`PyTorch uses the ${blas.kind} BLAS (${blas.libraries.join(', ') || 'none found'}), which makes it several times slower and\n`
    + 'the ratios below would flatter Layerloom. Install an optimized BLAS: sudo apt-get install -y libopenblas0-pthread\n'
    + '(or pass --allow-reference-blas to measure anyway).\n');
  process.exit(1);
}

const perCpu = (r: Result) => r.samplesPerCpuSec ?? NaN;

/** The engine's measurement command, with V8's relaxed-SIMD flag when asked. */
function engineCommand(relaxed: boolean, args: string[]): [string, string[]] {
  const script = path.join(here, 'tfjs-bench.ts');
  return relaxed ? [process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script, ...args]] : [tsx, [script, ...args]];
}

/** Median per-step costs of the 2-thread runs and the estimated speedup on 4, 8 and 16 idle cores. */
function scalingRow(m: string, two: Result[], eff: string): string[] | null {
  const runs = two.map((r) => r.parallel).filter((p): p is StepCosts => !!p && p.participants === 2);
  if (!runs.length) return null;
  const med = (f: (p: StepCosts) => number) => median(runs.map(f));
  const [c, a, i, s] = [med((p) => p.computeMs), med((p) => p.averageMs), med((p) => p.idleMs), med((p) => p.serialMs)];
  const speedup = (P: number) => `${((s + c) / (s + c / P + a)).toFixed(1)}x`;
  const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);
  const mem = Math.max(...runs.flatMap((p) => p.replicaMB));
  return [m, eff, ms(c), ms(a), ms(i), ms(s), speedup(2), speedup(4), speedup(8), speedup(16), fmt(mem)];
}
const cell = (s: Spread) => formatSpread(s, fmt);

function main() {
  const models = arg('models', MODEL_NAMES.join(',')).split(',') as ModelName[];
  const batchesArg = arg('batches', '40');
  const repeat = Math.max(1, Number(arg('repeat', '5')));
  const blas = ensureOptimizedBlas(process.argv.includes('--allow-reference-blas'));
  const relaxed = process.argv.includes('--relaxed-simd');
  let torchVersion = 'unknown';
  try {
    torchVersion = execFileSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
  } catch { /* reported as unknown */ }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const simdBuilds = new Set<string>();
  const scaleRows: string[][] = [];
  process.stdout.write(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpu} · ${os.cpus().length} cores · load ${os.loadavg()[0]!.toFixed(1)} · Node ${process.version} · PyTorch ${torchVersion} · BLAS ${blas.kind} (${blas.libraries.find((l) => /blas[^/]*\.so/.test(l) && !/libblas\.so/.test(l)) ?? blas.libraries[0] ?? '?'}) · batch 64, Adam 1e-3 · ${repeat} interleaved runs per mode, median (min–max)\n\n`);
  const rows: string[][] = [];
  const cpuRows: string[][] = [];
  for (const m of models) {
    // The MLP's steps are ~100x cheaper than the CNN's: give it more batches for a stable timing.
    const batches = String(Number(batchesArg) * (m === 'mlp' ? 8 : 1));
    const modes: [string, string[]][] = [
      ['/usr/bin/python3', [torchBench, m, '--batches', batches]],
      ['/usr/bin/python3', [torchBench, m, '--batches', batches, '--threads', '2']],
      engineCommand(relaxed, [m, '--batches', batches, '--threads', 'auto']),
      engineCommand(relaxed, [m, '--batches', batches, '--threads', '1']),
      engineCommand(relaxed, [m, '--batches', batches, '--threads', '2']),
    ];
    const all = interleave(modes, repeat, ([cmd, args]) => runJson(cmd, args));
    const [t1, t2, auto, one, two] = all as [Result[], Result[], Result[], Result[], Result[]];
    const wall = all.map((rs) => spread(rs.map((r) => r.samplesPerSec)));
    const cpuS = all.map((rs) => spread(rs.map(perCpu)));
    const [w1, w2, wAuto, wOne, wTwo] = wall as [Spread, Spread, Spread, Spread, Spread];
    const bestTorch = w1.median >= w2.median ? w1 : w2;
    const bestTorchCpu = Math.max(cpuS[0]!.median, cpuS[1]!.median);
    const rss = (rs: Result[]) => fmt(Math.max(...rs.map((r) => r.peakRssMB).filter(Number.isFinite)));
    rows.push([
      m, `${cell(w1)} (${t1[0]?.threads ?? '?'} thr)`, cell(w2), `${cell(wAuto)} (${auto[0]?.threads ?? '?'} thr)`, cell(wOne), cell(wTwo),
      ratio(wAuto.median, bestTorch.median), `${rss(t1)} / ${rss(auto)}`,
    ]);
    cpuRows.push([m, cell(cpuS[0]!), cell(cpuS[1]!), cell(cpuS[2]!), cell(cpuS[3]!), cell(cpuS[4]!), ratio(cpuS[2]!.median, bestTorchCpu)]);
    for (const r of [...auto, ...one, ...two]) if (r.simd) simdBuilds.add(r.simd);
    const scale = scalingRow(m, two, Number.isFinite(wTwo.median / wOne.median) ? `${(wTwo.median / (2 * wOne.median)).toFixed(2)}` : 'n/a');
    if (scale) scaleRows.push(scale);
    for (const [who, rs] of [['torch', t1], ['torch 2 threads', t2], ['engine auto', auto], ['engine 1 thread', one], ['engine 2 threads', two]] as const) {
      for (const r of rs) if (r.error) process.stderr.write(`${m} ${who}: ${r.error}\n`);
      const kinds = new Set(rs.map((r) => r.blas?.kind).filter(Boolean));
      if (who.startsWith('torch') && kinds.size && !kinds.has(blas.kind)) process.stderr.write(`${m} ${who}: BLAS ${[...kinds].join(', ')} (expected ${blas.kind})\n`);
    }
    process.stderr.write(`${m}: data ${one[0]?.data ?? t1[0]?.data ?? '?'}; load now ${os.loadavg()[0]!.toFixed(1)}\n`);
  }
  const md = (h: string[], rs: string[][]) => [h, h.map(() => '---'), ...rs].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const head = ['network', 'PyTorch (default threads)', 'PyTorch (2 threads)', 'Layerloom default (auto threads)', 'Layerloom 1 thread', 'Layerloom 2 threads', 'Layerloom default / best PyTorch (medians)', 'peak RSS MB: PyTorch / Layerloom default'];
  process.stdout.write(`samples/s (wall clock), median (min–max):\n\n${md(head, rows)}\n\n`);
  const cpuHead = ['network', 'PyTorch (default threads)', 'PyTorch (2 threads)', 'Layerloom default', 'Layerloom 1 thread', 'Layerloom 2 threads', 'Layerloom default / best PyTorch (medians)'];
  process.stdout.write(`samples per CPU-second (robust to a busy machine), median (min–max):\n\n${md(cpuHead, cpuRows)}\n\n`);
  process.stdout.write(`Layerloom's SIMD kernels: ${[...simdBuilds].join(', ') || 'unknown'} build${relaxed ? ' (--relaxed-simd: node --experimental-wasm-relaxed-simd)' : ''}\n\n`);
  const scaleHead = ['network', '2-thread efficiency (wall, 2 threads / (2 × 1 thread), medians)', 'compute ms/step (both threads)', 'averaging ms/step/thread', 'idle ms/step/thread', 'serial ms/step', 'est. speedup 2 cores', '4 cores', '8 cores', '16 cores', 'replica memory MB'];
  if (scaleRows.length) process.stdout.write(`data-parallel per-step costs (2-thread runs, medians) and the estimated speedup on idle cores (serial + compute/P + averaging):\n\n${md(scaleHead, scaleRows)}\n`);
}

main();
