/**
 * Layerloom vs PyTorch training throughput on this machine (issue 4 §8, issue 9). Not part of npm test.
 *
 *   npm run bench [-- --models cnn,mlp,lstm,lenet] [--batches 40] [--repeat 3]
 *
 * For every network, one after another (never concurrently), each in its own process so that peak
 * RSS is per network: PyTorch (/usr/bin/python3, bench/torch_bench.py) with its default thread count
 * and with 2 threads, then Layerloom on wasm through the engine's own training run (startTraining,
 * bench/tfjs-bench.ts) with `threads` at its default (auto), 1 and 2. Prints samples/s (wall clock
 * and per CPU-second), peak RSS and the ratios Layerloom / PyTorch. Timings on a shared machine are
 * noisy: every mode runs `--repeat` times, interleaved (PyTorch, Layerloom, PyTorch, ...), and the
 * best of them is kept (the run least disturbed by other work); compare ratios within one run, and
 * look at the load printed in the header and per network.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { MODEL_NAMES, type ModelName } from './models';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

interface Result { samplesPerSec: number; samplesPerCpuSec?: number; peakRssMB: number; threads?: number; data?: string; error?: string }

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
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

function main() {
  const models = arg('models', MODEL_NAMES.join(',')).split(',') as ModelName[];
  const batchesArg = arg('batches', '40');
  const repeat = Math.max(1, Number(arg('repeat', '3')));
  /** Run `args` `repeat` times (interleaved by the caller's order) and keep the best sample rate. */
  const bestOf = (runs: Result[]): Result => {
    const ok = runs.filter((r) => Number.isFinite(r.samplesPerSec));
    if (!ok.length) return runs[0]!;
    const top = ok.reduce((a, b) => (b.samplesPerSec > a.samplesPerSec ? b : a));
    return { ...top, samplesPerCpuSec: Math.max(...ok.map((r) => r.samplesPerCpuSec ?? NaN)), peakRssMB: Math.max(...ok.map((r) => r.peakRssMB)) };
  };
  let torchVersion = 'unknown';
  try {
    torchVersion = execFileSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
  } catch { /* reported as unknown */ }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpu} · ${os.cpus().length} cores · load ${os.loadavg()[0]!.toFixed(1)} · Node ${process.version} · PyTorch ${torchVersion} · batch 64, Adam 1e-3 · best of ${repeat} runs per mode\n\n`);
  const rows: string[][] = [];
  const cpuRows: string[][] = [];
  for (const m of models) {
    // The MLP's steps are ~100x cheaper than the CNN's: give it more batches for a stable timing.
    const batches = String(Number(batchesArg) * (m === 'mlp' ? 8 : 1));
    const modes: [string, string[]][] = [
      ['/usr/bin/python3', [path.join(here, 'torch_bench.py'), m, '--batches', batches]],
      ['/usr/bin/python3', [path.join(here, 'torch_bench.py'), m, '--batches', batches, '--threads', '2']],
      [tsx, [path.join(here, 'tfjs-bench.ts'), m, '--batches', batches, '--threads', 'auto']],
      [tsx, [path.join(here, 'tfjs-bench.ts'), m, '--batches', batches, '--threads', '1']],
      [tsx, [path.join(here, 'tfjs-bench.ts'), m, '--batches', batches, '--threads', '2']],
    ];
    const all: Result[][] = modes.map(() => []);
    for (let r = 0; r < repeat; r++) modes.forEach(([cmd, args], i) => all[i]!.push(runJson(cmd, args)));
    const [t1, t2, auto, one, two] = all.map(bestOf) as [Result, Result, Result, Result, Result];
    const best = Math.max(t1.samplesPerSec, t2.samplesPerSec);
    rows.push([
      m, `${fmt(t1.samplesPerSec)} (${t1.threads ?? '?'} thr)`, fmt(t2.samplesPerSec), `${fmt(auto.samplesPerSec)} (${auto.threads ?? '?'} thr)`, fmt(one.samplesPerSec), fmt(two.samplesPerSec),
      ratio(auto.samplesPerSec, best), ratio(Math.max(auto.samplesPerSec, one.samplesPerSec, two.samplesPerSec), best),
      `${fmt(t1.peakRssMB)} / ${fmt(one.peakRssMB)} / ${fmt(two.peakRssMB)}`,
    ]);
    const cpu = (r: Result) => r.samplesPerCpuSec ?? NaN;
    cpuRows.push([m, fmt(cpu(t1)), fmt(cpu(t2)), fmt(cpu(one)), fmt(cpu(two)), ratio(cpu(one), cpu(t1)), ratio(cpu(one), Math.max(cpu(t1), cpu(t2)))]);
    for (const [who, r] of [['torch', t1], ['torch 2 threads', t2], ['engine auto', auto], ['engine 1 thread', one], ['engine 2 threads', two]] as const) {
      if (r.error) process.stderr.write(`${m} ${who}: ${r.error}\n`);
    }
    process.stderr.write(`${m}: data ${one.data ?? t1.data ?? '?'}; load now ${os.loadavg()[0]!.toFixed(1)}\n`);
  }
  const md = (h: string[], rs: string[][]) => [h, h.map(() => '---'), ...rs].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const head = ['network', 'PyTorch (default threads)', 'PyTorch (2 threads)', 'Layerloom engine (auto threads)', 'Layerloom 1 thread', 'Layerloom 2 threads', 'engine auto / best PyTorch', 'best Layerloom / best PyTorch', 'peak RSS MB: PyTorch / Layerloom 1 thread / 2 threads'];
  process.stdout.write(`samples/s (wall clock):\n\n${md(head, rows)}\n\n`);
  const cpuHead = ['network', 'PyTorch (default threads)', 'PyTorch (2 threads)', 'Layerloom 1 thread', 'Layerloom 2 threads', 'Layerloom 1 thread / PyTorch default', 'Layerloom 1 thread / best PyTorch'];
  process.stdout.write(`samples per CPU-second (robust to a busy machine):\n\n${md(cpuHead, cpuRows)}\n`);
}

main();
