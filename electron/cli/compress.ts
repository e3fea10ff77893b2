/**
 * `layerloom compress MODEL.loom --run RUN_DIR --method int8|dynamic|float16|prune|prune-channels
 *  [--sparsity S] [--finetune-epochs N] [--calibration N] --out NEW_RUN_DIR [--json]`
 *
 * Compresses a saved run (docs/compress.md) into a new run folder and reports before/after figures,
 * agreement, per-class changes and the changed samples. prune-channels also writes the smaller
 * document beside the new run (`NEW_RUN_DIR.loom`). Human output: a before/after table, warnings;
 * `--json`: the CompressReport (shared/compress/schema.ts) and nothing else on stdout.
 * Exit codes: 0 done, 1 invalid model or run (a run whose document no longer matches its weights, an
 * unreadable run, an existing output run; message on stderr), 2 usage (a sparsity outside (0, 1)...).
 */
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { COMPRESS_METHODS, type CompressReport, type CompressRequest, type ModelFigures } from '../../shared/compress';
import { serializeDocument } from '../../shared/document';
import type { CliIO } from './io';
import { checkRunFolder, readModel } from './io';

export const COMPRESS_USAGE = 'layerloom compress model.loom --run RUN_DIR --method int8|dynamic|float16|prune|prune-channels --out NEW_RUN_DIR [--json]   quantize or prune a trained run';

const HELP = `usage: layerloom compress model.loom --run RUN_DIR --method METHOD --out NEW_RUN_DIR [options]

  --run DIR              the trained run to compress (layerloom train --out DIR)
  --method METHOD        int8      int8 weights (per channel) and activations (per tensor, calibrated)
                         dynamic   int8 weights, float activations
                         float16   float16 weights
                         prune     zero the smallest weights (--sparsity), fine-tuning with masks held
                         prune-channels  remove whole filters/units (--sparsity of them), fine-tune;
                                   writes the smaller model beside the new run (NEW_RUN_DIR.loom)
  --out DIR              the new run folder (must not hold a run yet)
  --sparsity S           prune / prune-channels: share removed, in (0, 1) (default 0.5)
  --scope layer|global   prune: one threshold per layer (default) or over all kernels
  --finetune-epochs N    prune / prune-channels: fine-tuning epochs (default 1 / 2)
  --calibration N        int8: training samples that calibrate the activation ranges (default 500)
  --calibration-method M int8: minmax (default) or percentile
  --percentile P         int8 with percentile: keep [100 − P, P] % of the values (default 99.99)
  --activations T        int8: uint8 (default) or int8 activations
  --latency-runs N       batch-1 predictions timed per model (default 30; 0 = none)
  --backend NAME         tensorflow, wasm or cpu (default: the fastest available)
  --json                 the report as JSON on stdout
`;

const VALUE_FLAGS = ['--run', '--method', '--out', '--sparsity', '--scope', '--finetune-epochs', '--calibration', '--calibration-method', '--percentile', '--activations', '--latency-runs', '--backend'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

class UsageError extends Error {}

interface Parsed {
  file: string;
  values: Map<ValueFlag, string>;
  json: boolean;
  help: boolean;
}

function parse(args: string[]): Parsed {
  const values = new Map<ValueFlag, string>();
  const files: string[] = [];
  let json = false, help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((VALUE_FLAGS as readonly string[]).includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      if (values.has(a as ValueFlag)) throw new UsageError(`${a} given twice`);
      values.set(a as ValueFlag, v);
    } else if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else files.push(a);
  }
  if (help) return { file: '', values, json, help };
  if (files.length !== 1) throw new UsageError(files.length ? `one model file expected, got ${files.length}` : 'no model file given');
  for (const f of ['--run', '--method', '--out'] as const) if (!values.has(f)) throw new UsageError(`${f} is required`);
  return { file: files[0]!, values, json, help };
}

function oneOf<T extends string>(p: Parsed, flag: ValueFlag, allowed: readonly T[]): T | undefined {
  const v = p.values.get(flag);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} must be ${allowed.join(', ')}; got "${v}"`);
  return v as T;
}

function int(p: Parsed, flag: ValueFlag, min: number, max: number): number | undefined {
  const v = p.values.get(flag);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

function num(p: Parsed, flag: ValueFlag, ok: (n: number) => boolean, range: string): number | undefined {
  const v = p.values.get(flag);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !ok(n)) throw new UsageError(`${flag} must be a number in ${range}, got "${v}"`);
  return n;
}

/** The engine request a command line asks for. */
function requestOf(p: Parsed): { request: CompressRequest; backend?: 'tensorflow' | 'wasm' | 'cpu' } {
  const method = oneOf(p, '--method', COMPRESS_METHODS)!;
  const sparsity = num(p, '--sparsity', (n) => n > 0 && n < 1, '(0, 1)');
  const pruning = method === 'prune' || method === 'prune-channels';
  if (!pruning) {
    for (const f of ['--sparsity', '--finetune-epochs', '--scope'] as const) if (p.values.has(f)) throw new UsageError(`${f} applies to prune and prune-channels, not ${method}`);
  }
  if (method !== 'int8') {
    for (const f of ['--calibration', '--calibration-method', '--percentile', '--activations'] as const) if (p.values.has(f)) throw new UsageError(`${f} applies to int8, not ${method}`);
  }
  if (method !== 'prune' && p.values.has('--scope')) throw new UsageError('--scope applies to prune only');
  const calMethod = oneOf(p, '--calibration-method', ['minmax', 'percentile'] as const);
  const percentile = num(p, '--percentile', (n) => n > 50 && n <= 100, '(50, 100]');
  if (percentile !== undefined && calMethod !== 'percentile') throw new UsageError('--percentile needs --calibration-method percentile');
  const request: CompressRequest = {
    runDir: resolve(p.values.get('--run')!), outDir: resolve(p.values.get('--out')!), method, baseDir: dirname(resolve(p.file)),
    ...(sparsity !== undefined ? { sparsity } : {}),
    ...(p.values.has('--scope') ? { scope: oneOf(p, '--scope', ['layer', 'global'] as const) } : {}),
    ...(p.values.has('--finetune-epochs') ? { finetuneEpochs: int(p, '--finetune-epochs', 0, 1000) } : {}),
    ...(p.values.has('--latency-runs') ? { latencyRuns: int(p, '--latency-runs', 0, 10_000) } : {}),
    calibration: {
      ...(p.values.has('--calibration') ? { samples: int(p, '--calibration', 1, 100_000) } : {}),
      ...(calMethod ? { method: calMethod } : {}),
      ...(percentile !== undefined ? { percentile } : {}),
      ...(p.values.has('--activations') ? { activationDtype: oneOf(p, '--activations', ['uint8', 'int8'] as const) } : {}),
    },
  };
  return { request, backend: oneOf(p, '--backend', ['tensorflow', 'wasm', 'cpu'] as const) };
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const pct = (v: number | undefined) => (v === undefined ? '—' : `${(100 * v).toFixed(2)} %`);

/** The report for people: a before/after table, agreement, per-class changes, warnings. */
export function formatReport(r: CompressReport): string[] {
  const rows: [string, (f: ModelFigures) => string][] = [
    ['accuracy', (f) => pct(f.accuracy)],
    ['loss', (f) => f.loss.toFixed(4)],
    ['weights', (f) => `${kb(f.bytes)} (gzip ${kb(f.gzipBytes)})`],
    ['parameters', (f) => `${f.params.toLocaleString('en-US')} (${f.nonZero.toLocaleString('en-US')} non-zero)`],
    ['FLOPs/sample', (f) => f.flops.toLocaleString('en-US')],
    ['latency/sample', (f) => (f.latencyMs === null ? 'not measured' : `${f.latencyMs.toFixed(3)} ms`)],
  ];
  const out = [`Compressed ${r.from.runDir ?? r.from.runId} with ${r.method} into ${r.outDir} (test split: ${r.testSamples} samples)`];
  for (const [label, cell] of rows) out.push(`  ${label.padEnd(15)} ${cell(r.before).padEnd(30)} → ${cell(r.after)}`);
  out.push(`  size ratio      ${(r.before.bytes / r.after.bytes).toFixed(2)}x smaller${r.after.flops < r.before.flops ? `; ${(r.before.flops / r.after.flops).toFixed(2)}x fewer FLOPs` : ''}`);
  if (r.agreement !== null) out.push(`Agreement with the original: ${pct(r.agreement)} (${r.changedTotal} of ${r.testSamples} predictions changed)`);
  const moved = r.perClass.filter((c) => c.before !== c.after);
  if (moved.length) out.push(`Per class: ${moved.map((c) => `${c.label} ${pct(c.before)} → ${pct(c.after)}`).join('; ')}`);
  if (r.changed.length) out.push(`Changed: ${r.changed.slice(0, 10).map((c) => `#${c.index} (${c.label}) ${c.before} → ${c.after}`).join(', ')}${r.changedTotal > 10 ? ', …' : ''}`);
  for (const w of r.warnings) out.push(`Warning: ${w}`);
  return out;
}

/** `layerloom compress`. */
export async function compressCommand(args: string[], io: CliIO): Promise<number> {
  let p: Parsed;
  let req: ReturnType<typeof requestOf>;
  try {
    p = parse(args);
    if (p.help) {
      io.out(HELP);
      return 0;
    }
    req = requestOf(p);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`layerloom compress: ${e.message}\n${HELP}`);
      return 2;
    }
    throw e;
  }
  const doc = await readModel(p.file, io);
  if (!doc) return 1;
  const { runDir, outDir } = req.request;
  if (!checkRunFolder('compress', runDir, io)) return 1;
  const { initBackend } = await import('../engine/backend');
  const { compress, CompressError } = await import('../engine/compress');
  await initBackend(req.backend);
  let report: CompressReport;
  try {
    report = await compress(req.request, { doc });
  } catch (e) {
    if (e instanceof CompressError) {
      io.err(`layerloom compress: ${e.message}`);
      return 1;
    }
    throw e;
  }
  for (const k of report.keptFloat) io.err(`layerloom compress: warning: ${k.type} "${k.nodeId}" kept in float: ${k.reason}`);
  if (report.document) {
    const file = `${outDir}.loom`;
    await writeFile(file, serializeDocument(report.document));
    if (!p.json) io.out(`The smaller model is in ${file}`);
  }
  if (p.json) io.out(JSON.stringify(report));
  else for (const line of formatReport(report)) io.out(line);
  return 0;
}
