/**
 * `layerloom explain MODEL.loom --run RUN_DIR (--sample N | --input FILE) --method M [--target C] [--json]`
 * `layerloom explain MODEL.loom --run RUN_DIR --global --method shap|permutation [--json]`
 *
 * Explains a saved run's prediction for one input (docs/explain.md). `--sample N` is sample #N of
 * the run's test split as Evaluate numbers it; `--input` takes a PNG/JPEG, a .npy array or a
 * one-row CSV (raw values, before normalisation). `--json` prints one Explanation (or
 * GlobalExplanation) object. Progress goes to stderr in human mode; Ctrl-C cancels. Exit codes: 0
 * success, 1 invalid model/run/input or a method that does not apply (a named error on stderr),
 * 2 usage, 130 canceled. The engine is called through its typed API (`explain.run`, `explain.global`).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import type { LoomDocument } from '../../shared/document';
import { EXPLAIN_METHODS, GLOBAL_METHODS, MethodSpecSchema, type ExplainInput, type Explanation, type GlobalExplanation } from '../../shared/explain';
import type { CliIO } from './io';
import { checkRunFolder, readModel } from './io';
import { CANCELED_EXIT, followJob, isCanceled } from './job';

export const EXPLAIN_USAGE = 'layerloom explain model.loom --run DIR (--sample N | --input FILE) --method M [--target C] [--json]   why the model predicted that';

const HELP = `usage: layerloom explain model.loom --run RUN_DIR (--sample N | --input FILE) --method METHOD [--target CLASS] [--json]
       layerloom explain model.loom --run RUN_DIR --global --method shap|permutation [--json]

  --run DIR        a saved run folder (model.json, weights.bin, run.json), e.g. from layerloom train --out
  --sample N       sample #N of the run's test split, numbered as Evaluate shows it
  --input FILE     a PNG or JPEG image, a .npy array or a one-row CSV, in raw units (before normalisation)
  --method M       ${EXPLAIN_METHODS.join(', ')}
  --target C       the output unit (class index) to explain; default: the predicted class
  --global         feature importance of a tabular run: mean |SHAP| over test rows, or permutation importance
  --json           one JSON object on stdout (no progress on stderr)

Ctrl-C cancels the explanation (exit code 130).
`;

const VALUE_FLAGS = ['--run', '--sample', '--input', '--method', '--target'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

class UsageError extends Error {}

interface Parsed {
  file: string;
  flags: Partial<Record<ValueFlag, string>>;
  json: boolean;
  global: boolean;
  help: boolean;
}

function parse(args: string[]): Parsed {
  const flags: Parsed['flags'] = {};
  const files: string[] = [];
  let json = false, global = false, help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      flags[name as ValueFlag] = v;
    } else if (a === '--json') json = true;
    else if (a === '--global') global = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else files.push(a);
  }
  if (help) return { file: '', flags, json, global, help };
  if (files.length !== 1) throw new UsageError(files.length ? `one model file expected, got ${files.length}` : 'no model file given');
  if (!flags['--run']) throw new UsageError('--run RUN_DIR is required (a saved run folder)');
  const method = flags['--method'];
  if (!method) throw new UsageError('--method is required');
  const allowed: readonly string[] = global ? GLOBAL_METHODS : EXPLAIN_METHODS;
  if (!allowed.includes(method)) throw new UsageError(`--method must be one of ${allowed.join(', ')}${global ? ' with --global' : ''}, got "${method}"`);
  if (global && (flags['--sample'] !== undefined || flags['--input'] !== undefined)) throw new UsageError('--global explains the whole test split: drop --sample/--input');
  if (!global && (flags['--sample'] === undefined) === (flags['--input'] === undefined)) throw new UsageError('give exactly one of --sample N or --input FILE');
  return { file: files[0]!, flags, json, global, help };
}

function wholeNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number ≥ 0, got "${v}"`);
  return n;
}

/** A clear, named failure (exit 1). */
class InputError extends Error {}

/** The raw values in FILE for an Input of `shape`; a CSV with a header also names its columns (the engine matches them to the run's features). */
export async function readInputFile(file: string, shape: number[]): Promise<Extract<ExplainInput, { kind: 'values' }>> {
  const { imageToSample, parseNpy, parseCsv } = await import('../engine/data');
  const size = shape.reduce((a, b) => a * b, 1);
  const ext = extname(file).toLowerCase();
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new InputError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const mismatch = (what: string) => new InputError(`${basename(file)} holds ${what} but the model's Input takes shape [${shape.join(', ')}] (${size} values)`);
  const values = (v: ArrayLike<number>) => ({ kind: 'values' as const, values: Array.from(v) });
  if (ext === '.png' || ext === '.jpg' || ext === '.jpeg') {
    if (shape.length !== 3 && shape.length !== 2) throw mismatch('an image');
    return values(imageToSample(bytes, shape, file));
  }
  if (ext === '.npy') {
    const a = parseNpy(bytes, file);
    const s = a.shape[0] === 1 && a.shape.length === shape.length + 1 ? a.shape.slice(1) : a.shape;
    if (s.length !== shape.length || s.some((d, i) => d !== shape[i])) throw mismatch(`an array of shape [${a.shape.join(', ')}]`);
    return values(a.data);
  }
  if (ext === '.csv') return csvRow(new TextDecoder().decode(bytes), basename(file), size, mismatch, parseCsv);
  throw new InputError(`${basename(file)}: --input takes a .png, .jpg, .npy or .csv file`);
}

/** One CSV row of numbers; with a header, its numeric columns by name (other columns, like the target's label, are left out). */
function csvRow(
  text: string, name: string, size: number, mismatch: (what: string) => Error, parseCsv: (t: string) => { rows: string[][] },
): Extract<ExplainInput, { kind: 'values' }> {
  const data = parseCsv(text).rows.filter((r) => r.some((c) => c.trim() !== ''));
  const header = data[0] && data[0].some((c) => c.trim() !== '' && !Number.isFinite(Number(c))) ? data.shift()! : null;
  if (data.length !== 1) throw new InputError(`${name} has ${data.length} data rows: explain takes a CSV with exactly one row (and an optional header)`);
  const cells = data[0]!;
  const isNumber = (c: string) => c.trim() !== '' && Number.isFinite(Number(c));
  if (header) {
    const kept = cells.map((_, j) => j).filter((j) => isNumber(cells[j]!));
    return { kind: 'values', values: kept.map((j) => Number(cells[j])), featureNames: kept.map((j) => header[j]?.trim() ?? `column ${j + 1}`) };
  }
  const bad = cells.findIndex((c) => !isNumber(c));
  if (bad >= 0) throw new InputError(`${name}: column ${bad + 1} is "${cells[bad]}", not a number`);
  if (cells.length !== size) throw mismatch(`${cells.length} values`);
  return { kind: 'values', values: cells.map(Number) };
}

/** The shape of the model's (first) Input node, as the document declares it. */
function inputShapeOf(doc: LoomDocument): number[] {
  const shape = doc.nodes.find((n) => n.type === 'Input')?.params.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) throw new InputError(`${doc.name} has no Input node with a shape to read --input for`);
  return shape;
}

/** `layerloom explain`. */
export async function explainCommand(args: string[], io: CliIO): Promise<number> {
  let p: Parsed;
  let sample: number | undefined, target: number | undefined;
  try {
    p = parse(args);
    if (p.help) {
      io.out(HELP);
      return 0;
    }
    sample = wholeNumber('--sample', p.flags['--sample']);
    target = wholeNumber('--target', p.flags['--target']);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`layerloom explain: ${e.message}\n${HELP}`);
      return 2;
    }
    throw e;
  }
  const doc = await readModel(p.file, io);
  if (!doc) return 1;
  const runDir = resolve(p.flags['--run']!);
  if (!checkRunFolder('explain', runDir, io)) return 1;
  const { inProcessEngine } = await import('../engine/index');
  const engine = inProcessEngine();
  // The run is loaded from its folder by the engine under this id, and forgotten at the end.
  const ref = { runId: `explain-${process.pid}`, runDir, baseDir: dirname(resolve(p.file)), ...(target !== undefined ? { target } : {}) };
  const job = followJob(io, 'explain', { human: !p.json });
  try {
    if (p.global) {
      const r = await engine.call('explain.global', { ...ref, method: p.flags['--method'] as (typeof GLOBAL_METHODS)[number] }, job.options);
      io.out(p.json ? JSON.stringify(r) : formatGlobal(r));
      return 0;
    }
    const input: ExplainInput = sample !== undefined ? { kind: 'sample', index: sample } : await readInputFile(p.flags['--input']!, inputShapeOf(doc));
    const spec = MethodSpecSchema.parse({ method: p.flags['--method'] });
    const r = await engine.call('explain.run', { ...ref, input, spec }, job.options);
    io.out(p.json ? JSON.stringify(r) : formatExplanation(r));
    return 0;
  } catch (e) {
    if (isCanceled(e)) {
      io.err('layerloom explain: canceled');
      return CANCELED_EXIT;
    }
    // Named errors (a method that does not apply, an input that does not fit, data that cannot be
    // read) are reported by the command runner with exit 1.
    throw e;
  } finally {
    job.stop();
    await engine.call('runs.dispose', { runId: ref.runId }).catch(() => undefined);
  }
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4));

export function formatExplanation(r: Explanation): string {
  const lines = [`${r.method} for "${r.target.label}" (output ${r.target.index}): model output ${num(r.output)}${r.baseValue !== null ? `, base value ${num(r.baseValue)}` : ''}`];
  if (r.completenessGap !== undefined) lines.push(`completeness gap ${(r.completenessGap * 100).toFixed(3)} %${r.method === 'ig' && r.completenessGap > 0.01 ? ' (above 1 %: use more steps)' : ''}`);
  if (r.details) lines.push(Object.entries(r.details).map(([k, v]) => `${k} ${typeof v === 'number' ? num(v) : v}`).join(', '));
  if (r.featureNames) {
    const order = r.attributions.map((_, j) => j).sort((a, b) => Math.abs(r.attributions[b]!) - Math.abs(r.attributions[a]!));
    const w = Math.max(...r.featureNames.map((n) => n.length));
    for (const j of order) lines.push(`  ${r.featureNames[j]!.padEnd(w)}  ${r.attributions[j]! >= 0 ? '+' : ''}${num(r.attributions[j]!)}  (value ${num(r.featureValues![j]!)})`);
  } else {
    let lo = Infinity, hi = -Infinity;
    for (const v of r.attributions) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    lines.push(`map [${r.shape.join(', ')}]: ${r.attributions.length} values from ${num(lo)} to ${num(hi)}${r.segments ? ` over ${r.segments.values.length} superpixels` : ''} (--json for the values)`);
  }
  lines.push(`${r.forwardPasses} forward passes, ${r.elapsedSec.toFixed(2)} s`);
  return lines.join('\n');
}

export function formatGlobal(r: GlobalExplanation): string {
  const order = r.importance.map((_, j) => j).sort((a, b) => r.importance[b]! - r.importance[a]!);
  const w = Math.max(...r.featureNames.map((n) => n.length));
  const title = r.method === 'shap' ? `mean |SHAP| over ${r.samples} test rows` : `permutation importance on ${r.samples} test rows (drop in ${r.score!.name} from ${num(r.score!.baseline)})`;
  return [title, ...order.map((j) => `  ${r.featureNames[j]!.padEnd(w)}  ${num(r.importance[j]!)} ± ${num(r.spread[j]!)}`), `${r.forwardPasses} forward passes, ${r.elapsedSec.toFixed(2)} s`].join('\n');
}
