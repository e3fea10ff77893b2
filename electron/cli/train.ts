/**
 * `layerloom train model.loom [--data SPEC] [--epochs N] [--json] [--out DIR] ...`
 *
 * Trains with the same engine as the app. Human output: the backend in use, a progress bar with ETA
 * on a TTY (plain lines per epoch otherwise), then the test-split evaluation. `--json`: one TrainEvent
 * object per line (start, batch, epoch, paused/resumed, end, error), nothing else on stdout.
 * Exit codes: 0 success (also when stopped with Ctrl+C), 1 invalid model or data or a diverged run
 * (message on stderr), 2 usage.
 */
import { dirname, extname, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import type { DatasetConfig, LoomDocument, TrainingConfig } from '../../shared/document';
import { OPTIMIZERS, LOSSES } from '../../shared/document';
import type { EngineClient, EngineRequest } from '../../shared/engine/api';
import type { BackendInfo, BatchEvent, EndEvent, ErrorEvent, Evaluation, RunBackend, StartEvent, TrainEvent } from '../../shared/engine/events';
import type { PytorchRuntimeInput } from '../../shared/runtime/options';
import { newRunId } from '../../shared/engine/run-id';
import { writeRunFile } from '../node/run-folder';
import type { CliIO } from './io';
import { readModel } from './io';
import { RUNTIME_FLAGS, RUNTIME_HELP, describePytorchBackend, runtimeFromFlags } from './train-runtime';

export const TRAIN_USAGE = 'layerloom train model.loom [--data D] [--epochs N] [--json] [--out DIR]   train; D = a built-in name, file.csv (--target COL), an image folder, or x.npy,y.npy';

const HELP = `usage: layerloom train model.loom [options]

  --data D            built-in dataset name (digits, fashion-mnist, iris, ...), a .csv file (with --target),
                      an image folder (one subfolder per class), or x.npy,y.npy; default: the model's dataset
  --target COL        the CSV's target column (with --data file.csv)
  --epochs N          number of epochs
  --batch-size N      batch size
  --lr X              learning rate
  --optimizer NAME    ${OPTIMIZERS.join(', ')}
  --loss NAME         ${LOSSES.join(', ')}
  --seed N            seed weights, shuffling and dropout (reproducible runs)
  --limit N           use at most N training samples
  --backend NAME      force tensorflow, wasm or cpu (default: the fastest available)
  --out DIR           save the trained run there (model.json, weights.bin, run.json, evaluation.json)
  --json              one JSON event per line on stdout
${RUNTIME_HELP}`;

const VALUE_FLAGS = ['--data', '--target', '--epochs', '--batch-size', '--lr', '--optimizer', '--loss', '--seed', '--limit', '--backend', '--out', ...RUNTIME_FLAGS] as const;
const BOOL_FLAGS = ['--json', '--help', '-h'] as const;

class UsageError extends Error {}

/** Without a TTY, a batch progress line at most this often (seconds). */
const PLAIN_PROGRESS_SEC = 15;

interface Parsed {
  file: string;
  flags: Partial<Record<(typeof VALUE_FLAGS)[number], string>>;
  json: boolean;
  help: boolean;
}

function parse(args: string[]): Parsed {
  const flags: Parsed['flags'] = {};
  const files: string[] = [];
  let json = false, help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      flags[name as (typeof VALUE_FLAGS)[number]] = v;
    } else if ((BOOL_FLAGS as readonly string[]).includes(a)) {
      if (a === '--json') json = true;
      else help = true;
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      files.push(a);
    }
  }
  if (help) return { file: '', flags, json, help };
  if (files.length !== 1) throw new UsageError(files.length ? `one model file expected, got ${files.length}` : 'no model file given');
  return { file: files[0]!, flags, json, help };
}

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number ≥ ${min}, got "${v}"`);
  return n;
}

function overridesOf(f: Parsed['flags']): Partial<TrainingConfig> {
  const o: Partial<TrainingConfig> = {};
  const epochs = int('--epochs', f['--epochs'], 1);
  if (epochs !== undefined) o.epochs = epochs;
  const bs = int('--batch-size', f['--batch-size'], 1);
  if (bs !== undefined) o.batchSize = bs;
  const seed = int('--seed', f['--seed'], 0);
  if (seed !== undefined) o.seed = seed;
  if (f['--lr'] !== undefined) {
    const lr = Number(f['--lr']);
    if (!(lr > 0) || lr > 1e3) throw new UsageError(`--lr must be a number in (0, 1000], got "${f['--lr']}"`);
    o.learningRate = lr;
  }
  if (f['--optimizer'] !== undefined) {
    if (!(OPTIMIZERS as readonly string[]).includes(f['--optimizer'])) throw new UsageError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}`);
    o.optimizer = f['--optimizer'] as TrainingConfig['optimizer'];
  }
  if (f['--loss'] !== undefined) {
    if (!(LOSSES as readonly string[]).includes(f['--loss'])) throw new UsageError(`--loss must be one of ${LOSSES.join(', ')}`);
    o.loss = f['--loss'] as TrainingConfig['loss'];
  }
  return o;
}

/** The dataset a --data value names (paths relative to the current folder). */
export function datasetFromFlag(d: string, target: string | undefined, base?: DatasetConfig): DatasetConfig {
  const keep = base ? { testSplit: base.testSplit, normalize: base.normalize, augmentation: base.augmentation } : {};
  const clean = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  if (d.includes(',') && d.split(',').every((p) => p.toLowerCase().endsWith('.npy'))) {
    const [x, y] = d.split(',');
    return clean({ source: 'npy', x: resolve(x!), y: resolve(y!), ...keep });
  }
  if (extname(d).toLowerCase() === '.csv') {
    if (!target) throw new UsageError('--data file.csv needs --target COLUMN (the column to predict)');
    return clean({ source: 'csv', path: resolve(d), target, ...keep });
  }
  if (existsSync(d) && statSync(d).isDirectory()) return clean({ source: 'images', path: resolve(d), ...keep });
  if (/[/\\]/.test(d) || extname(d)) throw new UsageError(`--data ${d}: no such folder, and not a .csv or x.npy,y.npy`);
  return clean({ source: 'builtin', name: d, ...keep });
}

const fmtNum = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 0.001 || v === 0 ? v.toFixed(4) : v.toExponential(2));
const fmtLogs = (logs: Record<string, number>) => Object.entries(logs).map(([k, v]) => `${k} ${fmtNum(v)}`).join('  ');
function fmtTime(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}
function bar(fraction: number, width = 24): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `[${'='.repeat(Math.max(0, full - 1))}${full > 0 ? (full === width ? '=' : '>') : ''}${' '.repeat(width - full)}]`;
}

type Backend = NonNullable<EngineRequest<'engine.train'>['backend']>;
const BACKENDS: readonly Backend[] = ['tensorflow', 'wasm', 'cpu'];
const isBackend = (v: string): v is Backend => (BACKENDS as readonly string[]).includes(v);

/** What the command line asks for, or the exit code of a usage error (or of --help). */
function options(args: string[], io: CliIO): { p: Parsed; overrides: Partial<TrainingConfig>; backend?: Backend; runtime?: PytorchRuntimeInput } | number {
  try {
    const p = parse(args);
    if (p.help) {
      io.out(HELP);
      return 0;
    }
    const overrides = overridesOf(p.flags);
    const backend = p.flags['--backend'];
    if (backend !== undefined && !isBackend(backend)) throw new UsageError('--backend must be tensorflow, wasm or cpu');
    const rt = runtimeFromFlags(p.flags);
    if ('usage' in rt) throw new UsageError(rt.usage);
    return { p, overrides, ...(backend ? { backend } : {}), ...(rt.runtime ? { runtime: rt.runtime } : {}) };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`layerloom train: ${e.message}\n${HELP}`);
    return 2;
  }
}

/** The dataset to train on (`--data`, `--limit`, else the document's), or the exit code of a usage error. */
function datasetOption(p: Parsed, doc: LoomDocument, io: CliIO): DatasetConfig | undefined | number {
  try {
    const dataset = p.flags['--data'] ? datasetFromFlag(p.flags['--data'], p.flags['--target'], doc.dataset) : doc.dataset;
    const limit = dataset && int('--limit', p.flags['--limit'], 1);
    return dataset && limit ? { ...dataset, limit } : dataset;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`layerloom train: ${e.message}`);
    return 2;
  }
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function startLines(e: StartEvent, docName: string, describeBackend: (b: BackendInfo) => string): string[] {
  const backend = (b: RunBackend) => (b.name === 'pytorch' ? describePytorchBackend(b) : describeBackend(b));
  return [
    `Training ${docName} (${e.totalParams.toLocaleString('en-US')} parameters) on ${e.data.name}: ${e.data.train} train / ${e.data.validation} validation / ${e.data.test} test samples`,
    `Backend: ${backend(e.backend)}`,
    `${plural(e.epochs, 'epoch')} of ${e.batchesPerEpoch} batches (batch size ${e.batchSize}), seed ${e.seed}`,
  ];
}

function endLine(e: EndEvent): string {
  const how = e.reason === 'completed' ? 'Done' : e.reason === 'stopped' ? 'Stopped' : 'Stopped early (no improvement)';
  return `${how} after ${plural(e.epochsCompleted, 'epoch')} in ${fmtTime(e.elapsedSec)}: ${fmtLogs(e.logs)}`;
}

/** Prints the run's events: JSON lines, or a progress bar (TTY) / a line now and then, one line per epoch. */
function eventPrinter(p: Parsed, io: CliIO, docName: string, describeBackend: (b: BackendInfo) => string) {
  const tty = io.isTTY && !p.json;
  const write = (s: string) => process.stdout.write(s);
  let lineOpen = false;
  const closeLine = () => {
    if (lineOpen) write('\n');
    lineOpen = false;
  };
  let classes: string[] | undefined;
  let lastPlain = 0;
  const progress = (e: BatchEvent) => {
    if (!tty && e.elapsedSec - lastPlain >= PLAIN_PROGRESS_SEC) {
      // Logs and pipes get a progress line now and then instead of a redrawn bar.
      lastPlain = e.elapsedSec;
      io.out(`Epoch ${e.epoch} batch ${e.batch}/${e.batches}  ${fmtLogs(e.logs)}  ${Math.round(e.samplesPerSec)} samples/s  ETA ${fmtTime(e.etaSec)}`);
    }
    if (tty) {
      write(`\r\x1b[2KEpoch ${e.epoch} ${bar(e.batch / e.batches)} ${e.batch}/${e.batches}  ${fmtLogs(e.logs)}  ${Math.round(e.samplesPerSec)} samples/s  ETA ${fmtTime(e.etaSec)}`);
      lineOpen = true;
    }
  };
  const onEvent = (e: TrainEvent) => {
    if (p.json) return io.out(JSON.stringify(e));
    switch (e.type) {
      case 'start':
        classes = e.data.classes;
        for (const line of startLines(e, docName, describeBackend)) io.out(line);
        break;
      case 'batch':
        progress(e);
        break;
      case 'epoch':
        if (tty) write('\r\x1b[2K');
        lineOpen = false;
        io.out(`Epoch ${e.epoch}/${e.epochs}  ${fmtLogs(e.logs)}  (${Math.round(e.samplesPerSec)} samples/s, ETA ${fmtTime(e.etaSec)})`);
        break;
      case 'paused':
      case 'resumed':
        closeLine();
        io.out(e.type === 'paused' ? 'Paused' : 'Resumed');
        break;
      case 'end':
        closeLine();
        io.out(endLine(e));
        break;
      case 'error':
        closeLine();
        break;
    }
  };
  return { onEvent, classes: () => classes };
}

/** Train until the run's last event (`end` or `error`); Ctrl+C stops it cleanly (it keeps its weights). */
async function trainToEnd(engine: EngineClient, ends: Promise<EndEvent | ErrorEvent>, req: EngineRequest<'engine.train'>): Promise<EndEvent | ErrorEvent> {
  await engine.call('engine.train', req);
  const onSigint = () => void engine.call('engine.stop', { runId: req.runId });
  process.once('SIGINT', onSigint);
  try {
    return await ends;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** The test evaluation: printed, and kept in the run folder with `--out`. */
async function evaluateRun(engine: EngineClient, runId: string, opts: { json: boolean; runDir?: string; classes?: string[] }, io: CliIO): Promise<void> {
  let ev: Evaluation;
  try {
    ev = await engine.call('engine.evaluate', { runId });
  } catch (e) {
    if (!opts.json) io.out(`No test evaluation: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (opts.runDir) await writeRunFile(opts.runDir, 'evaluation', ev);
  if (opts.json) return;
  io.out(`Test (${ev.samples} samples): ${fmtLogs(ev.logs)}`);
  const { classes } = opts;
  if (ev.perClass && classes) {
    const worst = ev.perClass.map((c, i) => ({ ...c, name: classes[i] ?? String(i) })).sort((a, b) => a.f1 - b.f1).slice(0, 3);
    io.out(`Weakest classes (F1): ${worst.map((c) => `${c.name} ${c.f1.toFixed(3)}`).join(', ')}`);
  }
}

/** `layerloom train`. */
export async function trainCommand(args: string[], io: CliIO): Promise<number> {
  const o = options(args, io);
  if (typeof o === 'number') return o;
  const { p } = o;
  const doc = await readModel(p.file, io);
  if (!doc) return 1;
  const dataset = datasetOption(p, doc, io);
  if (typeof dataset === 'number') return dataset;

  const { inProcessEngine, describeBackend } = await import('../engine');
  const runId = newRunId();
  const runDir = p.flags['--out'] ? resolve(p.flags['--out']) : undefined;
  const printer = eventPrinter(p, io, doc.name, describeBackend);
  let finish: (e: EndEvent | ErrorEvent) => void = () => undefined;
  const ends = new Promise<EndEvent | ErrorEvent>((r) => (finish = r));
  const engine = inProcessEngine((e) => {
    printer.onEvent(e);
    if (e.runId === runId && (e.type === 'end' || e.type === 'error')) finish(e);
  });
  const last = await trainToEnd(engine, ends, {
    runId, doc, overrides: o.overrides, baseDir: dirname(resolve(p.file)),
    ...(dataset ? { dataset } : {}), ...(runDir ? { runDir } : {}), ...(o.backend ? { backend: o.backend } : {}),
    ...(o.runtime ? { runtime: o.runtime } : {}),
  });
  if (last.type === 'error') {
    io.err(`${p.file}: ${last.message}${last.nodeId ? ` (node "${last.nodeId}")` : ''}`);
    return 1;
  }
  try {
    await evaluateRun(engine, runId, { json: p.json, classes: printer.classes(), ...(runDir ? { runDir } : {}) }, io);
  } finally {
    await engine.call('runs.dispose', { runId });
  }
  if (!p.json) io.out(runDir ? `Saved the trained run to ${runDir}` : 'Not saved (pass --out DIR to keep the trained weights)');
  return 0;
}
