/**
 * Groups from sensitive attributes: a column's values, a numeric column cut into bins (quantiles
 * or given edges), the true class, or two of these crossed (intersectional groups). A grouping keeps
 * its definition as data, so the same groups can be found again for a new row (thresholds).
 */
import type { AttributeDefinition, Binning, GroupingDefinition } from './schema';

export interface Grouping {
  /** `colour`, `age`, `colour × sex`, `class`. */
  attribute: string;
  definition: GroupingDefinition;
  /** Group names in display order. */
  names: string[];
  /** Group id (index into names) of each sample. */
  of: Int32Array;
}

/** The name of the group of samples whose value is empty. */
export const MISSING = '(missing)';
/** Numeric columns with more distinct values than this are binned unless told otherwise. */
export const MAX_CATEGORICAL_NUMERIC = 10;
export const DEFAULT_QUANTILES = 4;

const isNumber = (v: string) => v.trim() !== '' && Number.isFinite(Number(v));

/** Values sorted like the data loader sorts categories: numerically when all are numbers. */
export function sortValues(values: Iterable<string>): string[] {
  const arr = [...new Set(values)];
  if (arr.every(isNumber)) return arr.sort((a, b) => Number(a) - Number(b));
  return arr.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A short, exact-enough label for a bin edge. */
export function formatEdge(e: number): string {
  return String(Number(e.toPrecision(6)));
}

/** Bin labels for edges e0 < … < ek: `< e0`, `[e0, e1)`, …, `≥ ek`. */
export function binLabels(edges: readonly number[]): string[] {
  const out = [`< ${formatEdge(edges[0]!)}`];
  for (let i = 1; i < edges.length; i++) out.push(`[${formatEdge(edges[i - 1]!)}, ${formatEdge(edges[i]!)})`);
  out.push(`≥ ${formatEdge(edges.at(-1)!)}`);
  return out;
}

/** Index of the bin of v (see binLabels). */
export function binOf(edges: readonly number[], v: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v >= edges[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Quantile with linear interpolation (numpy's default) of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i]! + frac * (sorted[i + 1]! - sorted[i]!) : sorted[i]!;
}

/**
 * Interior edges cutting `values` into q groups of about equal size; duplicates (ties) and an edge
 * at the minimum (which would make an empty first bin) are dropped.
 */
export function quantileEdges(values: readonly number[], q: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let i = 1; i < q; i++) {
    const e = quantile(sorted, i / q);
    if (e > sorted[0]! && (edges.length === 0 || e > edges.at(-1)!)) edges.push(e);
  }
  return edges;
}

/**
 * How a column's values become groups: categorical unless binning is asked for, or the column is
 * numeric with more than MAX_CATEGORICAL_NUMERIC distinct values (then quartiles). Edges come from
 * `values` (all rows of the data, so groups do not depend on the split).
 */
export function defineAttribute(column: string, values: readonly string[], binning?: Binning): AttributeDefinition {
  const filled = values.filter((v) => v.trim() !== '');
  const numeric = filled.length > 0 && filled.every(isNumber);
  if (binning && !numeric) {
    const bad = filled.find((v) => !isNumber(v));
    throw new Error(`The column "${column}" cannot be binned: "${bad}" is not a number`);
  }
  if (binning && 'edges' in binning) {
    const edges = binning.edges;
    edges.forEach((e, i) => {
      if (!Number.isFinite(e) || (i > 0 && e <= edges[i - 1]!)) throw new Error(`The bin edges of "${column}" must be increasing numbers, got ${edges.join(', ')}`);
    });
    return { kind: 'bins', column, edges: [...edges] };
  }
  const distinct = new Set(filled.map((v) => Number(v))).size;
  if (numeric && (binning || distinct > MAX_CATEGORICAL_NUMERIC)) {
    const edges = quantileEdges(filled.map(Number), binning?.quantiles ?? DEFAULT_QUANTILES);
    if (edges.length > 0) return { kind: 'bins', column, edges };
  }
  return { kind: 'categorical', column };
}

/** The group name of one value under an attribute definition. */
export function groupNameOf(def: AttributeDefinition, value: string): string {
  if (value.trim() === '') return MISSING;
  if (def.kind === 'bins') {
    const v = Number(value);
    if (!Number.isFinite(v)) throw new Error(`The column "${def.column}" holds "${value}", not a number, so it has no bin`);
    return binLabels(def.edges)[binOf(def.edges, v)]!;
  }
  return value.trim();
}

/** Display name of an attribute definition. */
export function attributeName(def: AttributeDefinition): string {
  return def.kind === 'class' ? 'class' : def.column;
}

/** Group names in display order for a definition, given the names that occur. */
function orderNames(def: AttributeDefinition, seen: Set<string>): string[] {
  const missingLast = (names: string[]) => [...names.filter((n) => n !== MISSING), ...(seen.has(MISSING) ? [MISSING] : [])];
  if (def.kind === 'bins') return missingLast(binLabels(def.edges).filter((n) => seen.has(n)));
  return missingLast(sortValues([...seen].filter((n) => n !== MISSING)));
}

/** Groups of samples by one attribute: `values[i]` is sample i's raw value (class name for `class`). */
export function groupBy(def: AttributeDefinition, values: readonly string[], classOrder?: readonly string[]): Grouping {
  const labels = values.map((v) => groupNameOf(def, v));
  const seen = new Set(labels);
  const names = def.kind === 'class' && classOrder ? classOrder.filter((c) => seen.has(c)) : orderNames(def, seen);
  const index = new Map(names.map((n, i) => [n, i]));
  return { attribute: attributeName(def), definition: [def], names, of: Int32Array.from(labels, (l) => index.get(l)!) };
}

/** The true class as a slice. */
export function classGrouping(yTrue: ArrayLike<number>, classes: readonly string[]): Grouping {
  return groupBy({ kind: 'class' }, Array.from(yTrue, (c) => classes[c]!), classes);
}

/** Intersectional groups `a & b`, only the combinations that occur, in a-major order. */
export function crossGroups(a: Grouping, b: Grouping): Grouping {
  if (a.of.length !== b.of.length) throw new Error(`Cannot cross ${a.attribute} (${a.of.length} samples) with ${b.attribute} (${b.of.length})`);
  const nb = b.names.length;
  const used = new Set<number>();
  for (let i = 0; i < a.of.length; i++) used.add(a.of[i]! * nb + b.of[i]!);
  const codes = [...used].sort((x, y) => x - y);
  const index = new Map(codes.map((c, i) => [c, i]));
  return {
    attribute: `${a.attribute} × ${b.attribute}`,
    definition: [...a.definition, ...b.definition],
    names: codes.map((c) => `${a.names[Math.floor(c / nb)]} & ${b.names[c % nb]}`),
    of: Int32Array.from(a.of, (g, i) => index.get(g * nb + b.of[i]!)!),
  };
}

/** The group name of a new row (column name → raw value) under a grouping definition. */
export function groupOfRow(definition: GroupingDefinition, row: Readonly<Record<string, string>>, className?: string): string {
  return definition.map((def) => {
    if (def.kind === 'class') {
      if (className === undefined) throw new Error('A grouping by the true class cannot be applied to a new sample (its class is what is predicted)');
      return className;
    }
    const v = row[def.column];
    if (v === undefined) throw new Error(`The sample has no value for the sensitive column "${def.column}"`);
    return groupNameOf(def, v);
  }).join(' & ');
}
