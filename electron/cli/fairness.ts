/**
 * `layerloom fairness model.loom --run RUN_DIR --sensitive COLUMN [--sensitive COLUMN2] [--json]`
 *
 * Audits a saved run on its test split, group by group (docs/fairness.md). Human output: one line per
 * group with its rates and 95 % intervals, then the gaps and the warnings. `--json`: the
 * FairnessReport (shared/fairness/schema.ts) and nothing else on stdout.
 * Progress goes to stderr in human mode; Ctrl-C cancels. The engine is called through its typed
 * API (`fairness.audit`). Exit codes: 0 done, 1 invalid model, run or data (a column that does not
 * exist, a run without tabular data; message on stderr), 2 usage, 130 canceled.
 */
import { dirname, resolve } from 'node:path';
import type { AttributeRequest, FairnessReport, Interval, MetricName } from '../../shared/fairness';
import type { CliIO } from './io';
import { checkRunFolder, readModel } from './io';
import { CANCELED_EXIT, followJob, isCanceled } from './job';

export const FAIRNESS_USAGE = 'layerloom fairness model.loom --run RUN_DIR --sensitive COL [--sensitive COL2|--by-class] [--json]   per-group metrics, gaps and intervals on the test split';

const HELP = `usage: layerloom fairness model.loom --run RUN_DIR --sensitive COLUMN [options]

  --run DIR            the saved run to audit (layerloom train --out DIR)
  --sensitive COLUMN   the sensitive attribute: any column of the run's CSV, used as a feature or not;
                       give it twice to cross two attributes
  --by-class           slice by the true class (alone, or crossed with one --sensitive column)
  --bins COLUMN=E1,E2  cut a numeric column at these edges (default: quartiles when it has > 10 values)
  --quantiles COLUMN=N cut a numeric column into N quantile bins
  --metadata FILE      image folders and .npy data: a CSV file,attribute,... with the sensitive columns
  --split NAME         test (default) or validation
  --bootstrap N        bootstrap resamples for the 95 % intervals (default 1000; 0 = none)
  --seed N             the bootstrap's seed (default 0)
  --stratified         resample within each (group, true class) cell (intervals for TPR and FPR)
  --min-support N      flag groups smaller than this (default 30)
  --positive CLASS     binary classifiers: the positive class (default: the second class)
  --backend NAME       tensorflow, wasm or cpu (default: the fastest available)
  --json               the report as JSON on stdout (no progress on stderr)

Ctrl-C cancels the audit (exit code 130).
`;

const VALUE_FLAGS = ['--run', '--sensitive', '--bins', '--quantiles', '--metadata', '--split', '--bootstrap', '--seed', '--min-support', '--positive', '--backend'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

class UsageError extends Error {}

interface Parsed {
  file: string;
  values: Map<ValueFlag, string[]>;
  json: boolean;
  stratified: boolean;
  byClass: boolean;
  help: boolean;
}

function parse(args: string[]): Parsed {
  const values = new Map<ValueFlag, string[]>();
  const files: string[] = [];
  let json = false, stratified = false, byClass = false, help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((VALUE_FLAGS as readonly string[]).includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      values.set(a as ValueFlag, [...(values.get(a as ValueFlag) ?? []), v]);
    } else if (a === '--json') json = true;
    else if (a === '--stratified') stratified = true;
    else if (a === '--by-class') byClass = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else files.push(a);
  }
  if (help) return { file: '', values, json, stratified, byClass, help };
  if (files.length !== 1) throw new UsageError(files.length ? `one model file expected, got ${files.length}` : 'no model file given');
  if (!values.has('--run')) throw new UsageError('--run RUN_DIR is required (the saved run to audit)');
  const count = (values.get('--sensitive')?.length ?? 0) + (byClass ? 1 : 0);
  if (count < 1 || count > 2) throw new UsageError(count ? 'at most two attributes (--sensitive twice, or --sensitive and --by-class)' : '--sensitive COLUMN (or --by-class) is required');
  for (const f of ['--run', '--split', '--bootstrap', '--seed', '--min-support', '--positive', '--backend', '--metadata'] as const) {
    if ((values.get(f)?.length ?? 0) > 1) throw new UsageError(`${f} given twice`);
  }
  return { file: files[0]!, values, json, stratified, byClass, help };
}

function int(p: Parsed, flag: ValueFlag, min: number, max: number, fallback: number): number {
  const v = p.values.get(flag)?.[0];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

/** `COLUMN=rest` options by column. */
function perColumn(p: Parsed, flag: '--bins' | '--quantiles'): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of p.values.get(flag) ?? []) {
    const eq = v.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} takes COLUMN=${flag === '--bins' ? 'E1,E2,...' : 'N'}, got "${v}"`);
    out.set(v.slice(0, eq), v.slice(eq + 1));
  }
  return out;
}

/** The attributes asked for, in order, then the class slice. */
function attributes(p: Parsed): AttributeRequest[] {
  const bins = perColumn(p, '--bins');
  const quantiles = perColumn(p, '--quantiles');
  const names = p.values.get('--sensitive') ?? [];
  for (const c of [...bins.keys(), ...quantiles.keys()]) {
    if (!names.includes(c)) throw new UsageError(`--bins/--quantiles name "${c}", which is not a --sensitive column`);
  }
  const columns = names.map((column): AttributeRequest => {
    if (bins.has(column) && quantiles.has(column)) throw new UsageError(`"${column}" has both --bins and --quantiles`);
    if (bins.has(column)) {
      const edges = bins.get(column)!.split(',').map((e) => (e.trim() === '' ? NaN : Number(e)));
      if (edges.some((e) => !Number.isFinite(e))) throw new UsageError(`--bins ${column}= takes numbers separated by commas, got "${bins.get(column)}"`);
      if (edges.some((e, i) => i > 0 && e <= edges[i - 1]!)) throw new UsageError(`--bins ${column}= takes increasing numbers, got "${bins.get(column)}"`);
      return { kind: 'column', column, binning: { edges } };
    }
    if (quantiles.has(column)) {
      const q = Number(quantiles.get(column));
      if (!Number.isInteger(q) || q < 2 || q > 20) throw new UsageError(`--quantiles ${column}= takes a whole number from 2 to 20`);
      return { kind: 'column', column, binning: { quantiles: q } };
    }
    return { kind: 'column', column };
  });
  return p.byClass ? [...columns, { kind: 'class' }] : columns;
}

interface Options {
  sensitive: AttributeRequest[];
  split: 'test' | 'validation';
  bootstrap: { samples: number; seed: number; stratified: boolean };
  minSupport: number;
  backend?: 'tensorflow' | 'wasm' | 'cpu';
}

function optionsOf(p: Parsed): Options {
  const split = p.values.get('--split')?.[0] ?? 'test';
  if (split !== 'test' && split !== 'validation') throw new UsageError('--split must be test or validation');
  const backend = p.values.get('--backend')?.[0];
  if (backend !== undefined && backend !== 'tensorflow' && backend !== 'wasm' && backend !== 'cpu') throw new UsageError('--backend must be tensorflow, wasm or cpu');
  return {
    sensitive: attributes(p), split, backend,
    bootstrap: { samples: int(p, '--bootstrap', 0, 20_000, 1000), seed: int(p, '--seed', 0, 2 ** 31 - 1, 0), stratified: p.stratified },
    minSupport: int(p, '--min-support', 1, 1_000_000, 30),
  };
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));
const fmtCi = (iv: Interval | undefined) => (iv ? ` [${iv[0].toFixed(3)}, ${iv[1].toFixed(3)}]` : '');

/** The report for people: a line per group, then the gaps and the warnings. */
export function formatReport(r: FairnessReport): string[] {
  const names: MetricName[] = r.task === 'regression' ? ['mae', 'rmse'] : ['accuracy', 'selectionRate', 'tpr', 'fpr', 'precision', 'f1'];
  const shown = names.filter((m) => r.groups.some((g) => m in g.metrics));
  const out = [`Fairness by ${r.attribute} on the ${r.split} split (${r.samples} samples${r.positiveClass ? `, positive class "${r.positiveClass}"` : ''}; 95 % bootstrap intervals, ${r.bootstrap.samples} resamples):`];
  for (const g of r.groups) {
    const cells = shown.map((m) => `${m} ${fmt(g.metrics[m])}${fmtCi(g.ci[m])}`);
    out.push(`  ${g.name} (n=${g.support}${g.smallGroup ? ', small' : ''}): ${cells.join('  ')}`);
  }
  const s = r.summary;
  const gaps = r.task === 'regression'
    ? [['MAE difference', s.maeDifference, s.ci.maeDifference], ['worst-group MAE', s.worstGroupMae, s.ci.worstGroupMae]] as const
    : [
      ['demographic-parity difference', s.demographicParityDifference, s.ci.demographicParityDifference],
      ['demographic-parity ratio', s.demographicParityRatio, s.ci.demographicParityRatio],
      ['equalised-odds difference', s.equalizedOddsDifference, s.ci.equalizedOddsDifference],
      ['equal-opportunity difference', s.equalOpportunityDifference, s.ci.equalOpportunityDifference],
      ['worst-group accuracy', s.worstGroupAccuracy, s.ci.worstGroupAccuracy],
    ] as const;
  out.push(`Gaps: ${gaps.map(([label, v, iv]) => `${label} ${fmt(v)}${fmtCi(iv)}`).join('; ')}${s.worstGroup ? ` (worst group: ${s.worstGroup})` : ''}`);
  for (const w of r.warnings) out.push(`Warning: ${w}`);
  return out;
}

/** `layerloom fairness`. */
export async function fairnessCommand(args: string[], io: CliIO): Promise<number> {
  let p: Parsed;
  let o: Options;
  try {
    p = parse(args);
    if (p.help) {
      io.out(HELP);
      return 0;
    }
    o = optionsOf(p);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`layerloom fairness: ${e.message}\n${HELP}`);
      return 2;
    }
    throw e;
  }
  const doc = await readModel(p.file, io);
  if (!doc) return 1;
  const runDir = resolve(p.values.get('--run')![0]!);
  if (!checkRunFolder('fairness', runDir, io)) return 1;
  const { inProcessEngine } = await import('../engine/index');
  const engine = inProcessEngine();
  if (o.backend) await engine.call('engine.backend', { name: o.backend });
  // The run is loaded from its folder by the engine under this id, and forgotten at the end.
  const runId = `fairness-${process.pid}`;
  const job = followJob(io, 'fairness', { human: !p.json });
  try {
    const metadata = p.values.get('--metadata')?.[0];
    const report = await engine.call('fairness.audit', {
      runId, runDir, baseDir: dirname(resolve(p.file)), sensitive: o.sensitive, ...(metadata ? { metadataCsv: resolve(metadata) } : {}),
      split: o.split, bootstrap: o.bootstrap, minSupport: o.minSupport, positiveClass: p.values.get('--positive')?.[0],
    }, job.options);
    if (p.json) io.out(JSON.stringify(report));
    else for (const line of formatReport(report)) io.out(line);
    return 0;
  } catch (e) {
    if (!isCanceled(e)) throw e;
    io.err('layerloom fairness: canceled');
    return CANCELED_EXIT;
  } finally {
    job.stop();
    await engine.call('runs.dispose', { runId }).catch(() => undefined);
  }
}
