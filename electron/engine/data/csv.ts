/**
 * CSV import: a header row, then one sample per line. Features (default: every column but the
 * target) may be numeric or categorical (one-hot); the target is label-encoded for classification
 * or numeric for regression. Bad data throws a DataError naming the file, the line and the column.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type Dataset, DataError, type Task } from './types';

export interface CsvOptions {
  /** Feature columns in order; default every column except the target. */
  features?: string[];
  target: string;
  /** Columns to treat as categorical (one-hot features / class targets) even if they look numeric. */
  categorical?: string[];
  task?: Task;
}

/** Parse CSV text into rows of strings (RFC 4180 quotes; `,` `;` or tab, detected from the header). Returns rows with their 1-based line numbers. */
export function parseCsv(text: string): { rows: string[][]; lines: number[]; delimiter: string } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
  const rows: string[][] = [];
  const lines: number[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
      fieldStarted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (!(row.length === 1 && row[0]!.trim() === '')) {
        rows.push(row);
        lines.push(rowLine);
      }
      row = [];
      field = '';
      fieldStarted = false;
      line++;
      rowLine = line;
    } else {
      field += ch;
      if (ch !== ' ') fieldStarted = true;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    if (!(row.length === 1 && row[0]!.trim() === '')) {
      rows.push(row);
      lines.push(rowLine);
    }
  }
  return { rows, lines, delimiter };
}

/** One-hot encoding wider than this is almost always an id or free-text column by mistake. */
const MAX_CATEGORIES = 1000;
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const isNum = (s: string) => NUMERIC.test(s.trim());

function sortCategories(values: Iterable<string>): string[] {
  const arr = [...new Set(values)];
  if (arr.every(isNum)) return arr.sort((a, b) => Number(a) - Number(b));
  return arr.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function loadCsv(path: string, opts: CsvOptions): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(`Cannot read the CSV file ${path}: ${(e as Error).message}`, path);
  }
  return csvToDataset(text, path, opts);
}

/** Fewer data rows than this cannot be split into training and held-out samples. */
export const MIN_CSV_ROWS = 3;
/** The largest magnitude a float32 holds: a larger number would become Infinity in the dataset. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A parsed CSV whose header and row lengths are checked, with a DataError builder that names the file, line and column. */
interface Table {
  name: string;
  file: string;
  header: string[];
  data: string[][];
  /** 1-based line of each data row, and of the header. */
  dataLines: number[];
  headerLine: number;
  cell(k: number, c: number): string;
}

/** Column names must be unique: `a,a,y` would read the first "a" twice. */
function checkUniqueColumns(name: string, file: string, header: string[], line: number): void {
  const first = new Map<string, number>();
  header.forEach((h, c) => {
    const seen = first.get(h);
    if (seen !== undefined) {
      throw new DataError(`${name} line ${line}: the column name "${h}" appears twice (columns ${seen + 1} and ${c + 1}); give each column its own name.`, file, line, h);
    }
    first.set(h, c);
  });
}

function readTable(text: string, file: string): Table {
  const name = basename(file);
  const { rows, lines } = parseCsv(text);
  if (rows.length < 2) throw new DataError(`${name} has no data rows: it needs a header line with column names, then one sample per line.`, file, rows.length ? lines[0] : 1);
  const header = rows[0]!.map((h) => h.trim());
  const headerLine = lines[0]!;
  checkUniqueColumns(name, file, header, headerLine);
  const data = rows.slice(1);
  const dataLines = lines.slice(1);
  data.forEach((r, k) => {
    if (r.length !== header.length) {
      throw new DataError(`${name} line ${dataLines[k]}: ${r.length} values, but the header has ${header.length} columns.`, file, dataLines[k]);
    }
  });
  if (data.length < MIN_CSV_ROWS) {
    throw new DataError(`${name} has too few rows: ${data.length} sample${data.length === 1 ? '' : 's'} (line${data.length === 1 ? '' : 's'} ${dataLines.join(' and ')}), and training needs at least ${MIN_CSV_ROWS} (to learn from some and check on others; a useful model needs hundreds).`, file, dataLines[data.length - 1]);
  }
  return { name, file, header, data, dataLines, headerLine, cell: (k, c) => data[k]![c]!.trim() };
}

/** A cell as a float32-representable number, or a DataError naming the line and column. */
function numberAt(t: Table, k: number, c: number, role: string): number {
  const v = t.cell(k, c);
  const where = `${t.name} line ${t.dataLines[k]}, column "${t.header[c]}"`;
  const fail = (msg: string) => new DataError(`${where}: ${msg}`, t.file, t.dataLines[k], t.header[c]);
  if (v === '') throw fail(`the value is empty (${role} values must be numbers; fill it in or remove the line).`);
  if (!isNum(v)) throw fail(`"${v}" is not a number (fix the value, or mark the column as categorical).`);
  const x = Number(v);
  if (!(Math.abs(x) <= FLOAT32_MAX)) throw fail(`"${v}" is too large: numbers are stored as float32, at most ±3.4e38 (fix the value, or rescale the column).`);
  return x;
}

/** Build a Dataset from CSV text (`file` is used in messages). */
export function csvToDataset(text: string, file: string, opts: CsvOptions): Dataset {
  const t = readTable(text, file);
  const { name, header } = t;
  const colIndex = (c: string, what: string): number => {
    const i = header.indexOf(c);
    if (i < 0) throw new DataError(`${name} has no column "${c}" (${what}). Its columns are: ${header.join(', ')}.`, file, t.headerLine, c);
    return i;
  };
  const targetCol = colIndex(opts.target, 'the target');
  const featureNamesIn = opts.features ?? header.filter((_, i) => i !== targetCol);
  if (featureNamesIn.length === 0) throw new DataError(`${name}: choose at least one feature column besides the target "${opts.target}".`, file, t.headerLine);
  if (featureNamesIn.includes(opts.target)) throw new DataError(`${name}: the target column "${opts.target}" cannot also be a feature.`, file, t.headerLine, opts.target);
  const featureCols = featureNamesIn.map((f) => colIndex(f, 'a feature'));
  const forcedCat = new Set(opts.categorical ?? []);
  for (const c of forcedCat) colIndex(c, 'listed as categorical');
  const isCategorical = (c: number) => forcedCat.has(header[c]!) || mostlyText(t, c);
  const features = encodeFeatures(t, featureCols, isCategorical);
  const target = encodeTarget(t, targetCol, isCategorical(targetCol), opts);
  const n = t.data.length;
  return {
    name,
    description: `${n} rows of ${name}: ${featureNamesIn.length} feature column${featureNamesIn.length === 1 ? '' : 's'} → "${opts.target}" (${target.task}).`,
    task: target.task,
    kind: 'tabular',
    count: n,
    x: features.x,
    dtype: 'float32',
    sampleShape: [features.names.length],
    sampleSize: features.names.length,
    y: target.y,
    targetShape: [1],
    targetSize: 1,
    classes: target.classes,
    defaultNormalize: 'standardize',
    defaultTestSplit: 0.2,
    featureNames: features.names,
    targetNames: [opts.target],
    ...(Object.keys(features.categories).length ? { categories: features.categories } : {}),
  };
}

/** A column is categorical when most of its values are not numbers (or when listed as such). */
function mostlyText(t: Table, c: number): boolean {
  let nonNum = 0;
  let filled = 0;
  for (let k = 0; k < t.data.length; k++) {
    const v = t.cell(k, c);
    if (v === '') continue;
    filled++;
    if (!isNum(v)) nonNum++;
  }
  return filled > 0 && nonNum * 2 > filled;
}

/** Features → the flat samples: numbers as they are, categorical columns one-hot. */
function encodeFeatures(t: Table, cols: number[], isCategorical: (c: number) => boolean): { x: Float32Array; names: string[]; categories: Record<string, string[]> } {
  type Enc = { col: number; kind: 'num' } | { col: number; kind: 'cat'; cats: string[] };
  const encs: Enc[] = cols.map((c) => {
    if (!isCategorical(c)) return { col: c, kind: 'num' };
    const cats = sortCategories(t.data.map((_, k) => t.cell(k, c)));
    if (cats.length > MAX_CATEGORIES) {
      throw new DataError(`${t.name}: the column "${t.header[c]}" has ${cats.length} different text values, too many to one-hot encode (at most ${MAX_CATEGORIES}); leave it out of the features (an id or free text?), or fix its values if it should be numeric.`, t.file, t.headerLine, t.header[c]);
    }
    return { col: c, kind: 'cat', cats };
  });
  const names: string[] = [];
  const categories: Record<string, string[]> = {};
  for (const e of encs) {
    if (e.kind === 'num') names.push(t.header[e.col]!);
    else {
      categories[t.header[e.col]!] = e.cats;
      for (const v of e.cats) names.push(`${t.header[e.col]}=${v}`);
    }
  }
  const n = t.data.length;
  const x = new Float32Array(n * names.length);
  for (let k = 0; k < n; k++) {
    let o = k * names.length;
    for (const e of encs) {
      if (e.kind === 'num') x[o++] = numberAt(t, k, e.col, 'feature');
      else {
        x[o + e.cats.indexOf(t.cell(k, e.col))] = 1;
        o += e.cats.length;
      }
    }
  }
  return { x, names, categories };
}

/** The target: label-encoded classes (sorted) or numbers; the task from the options or the values. */
function encodeTarget(t: Table, col: number, categorical: boolean, opts: CsvOptions): { task: Task; y: Int32Array | Float32Array; classes?: string[] } {
  const n = t.data.length;
  const { name, file, headerLine } = t;
  let task: Task = opts.task ?? 'regression';
  if (!opts.task) {
    if (categorical) task = 'classification';
    else {
      const vals = new Set<string>();
      let integral = true;
      for (let k = 0; k < n; k++) {
        const v = t.cell(k, col);
        vals.add(v);
        if (!Number.isInteger(Number(v))) integral = false;
      }
      task = integral && vals.size <= 20 && vals.size < n / 2 ? 'classification' : 'regression';
    }
  }
  if (task === 'regression' && categorical) {
    throw new DataError(`${name}: the target column "${opts.target}" holds text, which regression cannot predict: choose classification, or a numeric target.`, file, headerLine, opts.target);
  }
  if (task === 'regression') return { task, y: Float32Array.from({ length: n }, (_, k) => numberAt(t, k, col, 'target')) };
  for (let k = 0; k < n; k++) {
    if (t.cell(k, col) === '') throw new DataError(`${name} line ${t.dataLines[k]}, column "${opts.target}": the target is empty.`, file, t.dataLines[k], opts.target);
  }
  const classes = sortCategories(t.data.map((_, k) => t.cell(k, col)));
  if (classes.length < 2) throw new DataError(`${name}: the target column "${opts.target}" has a single class ("${classes[0]}"): classification needs at least two.`, file, headerLine, opts.target);
  const index = new Map(classes.map((c, i) => [c, i]));
  return { task, y: Int32Array.from({ length: n }, (_, k) => index.get(t.cell(k, col))!), classes };
}

export interface CsvColumnInfo {
  name: string;
  /** `numeric` when most values are numbers (as the importer decides), else `categorical`. */
  kind: 'numeric' | 'categorical';
  /** Number of distinct values (capped at 1001). */
  distinct: number;
  /** Empty cells. */
  empty: number;
  /** The first few values, as written. */
  examples: string[];
}

/** Names people give a row number or a key column. */
const ID_NAME = /^(id|idx|index|row|rownum|row[ _-]?(id|no|num|number)|#|unnamed: ?0|.+[ _-]id)$/i;

/**
 * Whether a column looks like a row number or key rather than a measurement: numeric, no empty cells,
 * integer-valued, every value different, and either named like an id or counting up/down by 1.
 * A float column with all-distinct values (prices, lengths) is a feature, never an id.
 */
export function looksLikeId(name: string, values: string[]): boolean {
  if (values.length < 2) return false;
  const nums = values.map((v) => (v.trim() === '' || !isNum(v) ? NaN : Number(v.trim())));
  if (!nums.every((v) => Number.isInteger(v))) return false;
  if (new Set(nums).size !== nums.length) return false;
  if (ID_NAME.test(name.trim())) return true;
  const step = nums[1]! - nums[0]!;
  return (step === 1 || step === -1) && nums.every((v, i) => i === 0 || v - nums[i - 1]! === step);
}

/** Why `looksLikeId` / `looksLikeTextId` flagged a column (shown beside it in the column table). */
export const ID_REASONS: Record<CsvColumnInfo['kind'], string> = {
  numeric: 'whole numbers, every one different',
  categorical: 'unique per row (an identifier?)',
};

/**
 * Whether a text (categorical) column is a key such as "A123" or "cust-0001": every filled value
 * different from the others — or nearly (≥ 95 % distinct, from 20 rows on: a few repeated keys or
 * empty cells). At least 10 rows, so that a tiny file's all-different labels stay a target.
 * One-hot, such a column gives one input per row: the model can only memorise rows.
 */
export function looksLikeTextId(values: string[]): boolean {
  const rows = values.length;
  if (rows < 10) return false;
  const distinct = new Set(values.map((v) => v.trim()).filter((v) => v !== '')).size;
  return distinct === rows || (rows >= 20 && distinct >= 0.95 * rows);
}

/**
 * The columns of a CSV file, for the data panel's feature/target chooser (no Dataset is built):
 * names, numeric or categorical, distinct and empty counts, a few example values, plus the first
 * rows for a table preview. `suggestedIgnore` lists the columns that look like a row number or id
 * (`looksLikeId`, numeric; `looksLikeTextId`, categorical), with the reason for each in
 * `suggestedIgnoreReasons`: as features they only let a model memorise rows. `suggestedTarget` is
 * the last column that is not one of them (the person may still choose one as the target).
 */
export function describeCsv(path: string, opts: { previewRows?: number } = {}): { file: string; rows: number; delimiter: string; columns: CsvColumnInfo[]; preview: string[][]; suggestedTarget: string; suggestedIgnore: string[]; suggestedIgnoreReasons: Record<string, string> } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(`Cannot read the CSV file ${path}: ${(e as Error).message}`, path);
  }
  const { rows, lines, delimiter } = parseCsv(text);
  if (rows.length === 0) throw new DataError(`${basename(path)} is empty.`, path, 1);
  const header = rows[0]!.map((h) => h.trim());
  checkUniqueColumns(basename(path), path, header, lines[0]!);
  const data = rows.slice(1);
  const columns = header.map((name, c): CsvColumnInfo => {
    const seen = new Set<string>();
    let empty = 0;
    let nonNum = 0;
    const examples: string[] = [];
    for (const r of data) {
      const v = (r[c] ?? '').trim();
      if (v === '') {
        empty++;
        continue;
      }
      if (!isNum(v)) nonNum++;
      if (seen.size <= 1000) seen.add(v);
      if (examples.length < 5 && !examples.includes(v)) examples.push(v);
    }
    const filled = data.length - empty;
    return { name, kind: filled > 0 && nonNum * 2 > filled ? 'categorical' : 'numeric', distinct: seen.size, empty, examples };
  });
  const reasons = new Map<string, string>();
  header.forEach((name, c) => {
    const values = data.map((r) => r[c] ?? '');
    // `distinct` is capped for the table, so the text rule counts the column itself.
    if (columns[c]!.kind === 'numeric' ? looksLikeId(name, values) : looksLikeTextId(values)) reasons.set(name, ID_REASONS[columns[c]!.kind]);
  });
  const ids = header.filter((name) => reasons.has(name));
  const candidates = header.filter((h) => !ids.includes(h));
  return {
    file: basename(path),
    rows: data.length,
    delimiter,
    columns,
    preview: data.slice(0, opts.previewRows ?? 10),
    suggestedTarget: candidates[candidates.length - 1] ?? header[header.length - 1] ?? '',
    suggestedIgnore: ids,
    suggestedIgnoreReasons: Object.fromEntries(reasons),
  };
}
