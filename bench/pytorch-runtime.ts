/**
 * The PyTorch runtime's overhead: the MNIST CNN template trained through the app's launcher
 * (startPytorchTraining: working folder, spawn, every batch's JSON line parsed, validated and
 * throttled, weights read back) against the same runner.py run by hand in the same folder
 * (`python3 -u runner.py --device cpu`, stdout collected). Interleaved rounds, medians.
 *
 *   tsx bench/pytorch-runtime.ts [--rounds 3] [--limit 2048] [--epochs 2] [--python /usr/bin/python3]
 *
 * Per side: training samples/s (runner.py's epoch events: the training passes, which the app could
 * only slow down by not reading the pipe), the run's seconds as runner.py measures them (its `end`
 * event: training and validation, after the interpreter started), and samples per CPU-second: the
 * Python process's CPU time (reaped children's time, /proc/self/stat) plus, for the app, this
 * process's CPU time between the start and the end event (reading, validating, throttling the
 * events). On a machine shared with other work the CPU figure is the stable one. For the app also
 * the seconds before the start event (compile, data and weights written, Python and torch started).
 * The app's overhead: the relative loss of samples per CPU-second (target ≤ 5 %).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDocumentOrThrow } from '../shared/document';
import { RunnerLineSchema, type RunnerLine } from '../shared/runtime/events';
import { initBackend } from '../electron/engine/backend';
import { disposeRun } from '../electron/engine/runs';
import { startPytorchTraining } from '../electron/engine/runtimes/pytorch/launch';
import { median } from './stats';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const ROUNDS = Number(arg('rounds', '3'));
const LIMIT = Number(arg('limit', '2048'));
const EPOCHS = Number(arg('epochs', '2'));
const PYTHON = arg('python', '/usr/bin/python3');
const TEMPLATES = join(import.meta.dirname, '../assets/templates');
const doc = loadDocumentOrThrow(readFileSync(join(TEMPLATES, 'mnist-cnn.loom'), 'utf8'), 'mnist-cnn.loom');

interface Side {
  samplesPerSec: number;
  runSec: number;
  samplesPerCpuSec: number;
  pythonCpuSec: number;
}

/** CPU seconds of this process's reaped children (utime + stime of waited-for children). */
function childrenCpuSec(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime in clock ticks (USER_HZ 100)
}
const ownCpuSec = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Samples over the epochs' training seconds. */
function rate(events: RunnerLine[]): Pick<Side, 'samplesPerSec' | 'runSec'> & { samples: number } {
  const start = events.find((e) => e.type === 'start');
  const end = events.find((e) => e.type === 'end');
  if (start?.type !== 'start' || end?.type !== 'end') throw new Error('no start or end event');
  const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e] : []));
  const n = start.data.train;
  return { samplesPerSec: (n * epochs.length) / epochs.reduce((a, e) => a + n / e.samplesPerSec, 0), runSec: end.elapsedSec, samples: n * epochs.length };
}

/** Through the launcher; returns the kept working folder for the by-hand run. */
async function viaApp(round: number): Promise<Side & { dir: string; appCpuSec: number; beforeStartSec: number; totalSec: number }> {
  const root = mkdtempSync(join(tmpdir(), 'loom-ptbench-'));
  const events: RunnerLine[] = [];
  const t0 = performance.now();
  let tStart = 0;
  let cpuAtStart = 0;
  let cpuAtEnd = 0;
  let endEvent: RunnerLine | null = null;
  const h = startPytorchTraining({
    runId: `bench-${round}`, doc, baseDir: TEMPLATES, dataset: { ...doc.dataset!, limit: LIMIT }, overrides: { epochs: EPOCHS },
    runtime: { python: PYTHON, device: 'cpu' }, workRoot: root, keepWorkDir: true,
  }, (e) => {
    if (e.type === 'start') {
      tStart = performance.now();
      cpuAtStart = ownCpuSec();
    }
    if (e.type === 'end') {
      endEvent = e;
      cpuAtEnd = ownCpuSec();
    }
    events.push(e);
  });
  const children0 = childrenCpuSec();
  const last = await h.done;
  const t1 = performance.now();
  const pythonCpu = childrenCpuSec() - children0;
  if (last.type === 'error') throw new Error(last.message);
  disposeRun(`bench-${round}`);
  // The launcher's end event reports the run's own elapsedSec, as runner.py sent it.
  if (!endEvent) throw new Error('no end event');
  const r = rate(events);
  return {
    ...r, samplesPerCpuSec: r.samples / (pythonCpu + (cpuAtEnd - cpuAtStart)), pythonCpuSec: pythonCpu, appCpuSec: cpuAtEnd - cpuAtStart,
    dir: join(root, readdirSync(root)[0]!), beforeStartSec: (tStart - t0) / 1000, totalSec: (t1 - t0) / 1000,
  };
}

/** runner.py by hand in the app's folder. */
function byHand(dir: string): Promise<Side> {
  const children0 = childrenCpuSec();
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, ['-u', 'runner.py', '--device', 'cpu'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => chunks.push(d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`runner.py exited ${code}`));
      const lines = Buffer.concat(chunks).toString().trim().split('\n').map((l) => RunnerLineSchema.parse(JSON.parse(l)));
      const r = rate(lines);
      const cpu = childrenCpuSec() - children0;
      resolve({ ...r, samplesPerCpuSec: r.samples / cpu, pythonCpuSec: cpu });
    });
  });
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const app: Awaited<ReturnType<typeof viaApp>>[] = [];
  const hand: Side[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = await viaApp(r);
    app.push(a);
    hand.push(await byHand(a.dir));
    rmSync(join(a.dir, '..'), { recursive: true, force: true });
  }
  const m = (xs: number[], digits = 2) => +median(xs).toFixed(digits);
  const appRate = median(app.map((a) => a.samplesPerSec));
  const handRate = median(hand.map((h) => h.samplesPerSec));
  const appCpu = median(app.map((a) => a.samplesPerCpuSec));
  const handCpu = median(hand.map((h) => h.samplesPerCpuSec));
  console.log(JSON.stringify({
    model: 'mnist-cnn', limit: LIMIT, epochs: EPOCHS, rounds: ROUNDS,
    app: {
      samplesPerSec: Math.round(appRate), samplesPerCpuSec: Math.round(appCpu), pythonCpuSec: m(app.map((a) => a.pythonCpuSec)),
      appCpuSec: m(app.map((a) => a.appCpuSec), 3), runSec: m(app.map((a) => a.runSec)), beforeStartSec: m(app.map((a) => a.beforeStartSec)), totalSec: m(app.map((a) => a.totalSec)) },
    byHand: { samplesPerSec: Math.round(handRate), samplesPerCpuSec: Math.round(handCpu), pythonCpuSec: m(hand.map((h) => h.pythonCpuSec)), runSec: m(hand.map((h) => h.runSec)) },
    roundsSamplesPerCpuSec: { app: app.map((a) => Math.round(a.samplesPerCpuSec)), byHand: hand.map((h) => Math.round(h.samplesPerCpuSec)) },
    overheadPercent: +((1 - appCpu / handCpu) * 100).toFixed(1),
    // The app's own work during the run, against the training process's: the overhead without the noise.
    appCpuPercentOfPython: +((100 * median(app.map((a) => a.appCpuSec))) / median(app.map((a) => a.pythonCpuSec))).toFixed(2),
  }));
}

void main();
