/**
 * The Data tab's CSV column chooser: one row per column of the file (from `data.describeCsv`) where
 * the person sets target / feature / ignore and, for numeric features, whether they are categorical
 * (one-hot); plus the task. Every change writes the document's `dataset` (`target`, `features`,
 * `categorical`, `task` — the fields the engine's CSV loader reads), so it is undoable and the
 * preview refreshes. Defaults are the engine's: every other column a feature, text columns one-hot.
 */
import { useState } from 'react';
import type { DatasetConfig } from '../../shared/document';
import { useEditor } from '../store';

export type CsvDataset = Extract<DatasetConfig, { source: 'csv' }>;
export interface CsvColumn { name: string; kind: 'numeric' | 'categorical'; distinct: number; empty: number; examples: string[] }
/** `suggestedIgnore`: the engine's guess of row-number / id columns (ignored by default), `suggestedIgnoreReasons` why. */
export interface CsvInfo { path: string; rows: number; columns: CsvColumn[]; suggestedTarget?: string; suggestedIgnore?: string[]; suggestedIgnoreReasons?: Record<string, string> }

/** The engine's reason for a numeric row-number column (engines before reasons existed only suggested those). */
const NUMERIC_ID_REASON = 'whole numbers, every one different';
export type Role = 'target' | 'feature' | 'ignore';
type Task = 'classification' | 'regression';

/** Each column's role and encoding (one-hot: features only) as the engine will read `ds`. */
export function columnRoles(ds: CsvDataset, columns: CsvColumn[]): { name: string; role: Role; oneHot: boolean }[] {
  const features = new Set(ds.features ?? columns.filter((c) => c.name !== ds.target).map((c) => c.name));
  const forced = new Set(ds.categorical ?? []);
  return columns.map((c) => {
    const role: Role = c.name === ds.target ? 'target' : features.has(c.name) ? 'feature' : 'ignore';
    return { name: c.name, role, oneHot: role === 'feature' && (c.kind === 'categorical' || forced.has(c.name)) };
  });
}

/** The dataset config for these choices: `features` only when not the default (every other column), `categorical` only for numeric columns forced to one-hot. */
function build(ds: CsvDataset, columns: CsvColumn[], target: string, features: Set<string>, categorical: Set<string>, task: Task | undefined): CsvDataset {
  const { features: _f, categorical: _c, task: _t, ...rest } = ds;
  const list = columns.filter((c) => c.name !== target && features.has(c.name)).map((c) => c.name);
  const isDefault = list.length === columns.length - 1;
  const forced = columns.filter((c) => c.kind === 'numeric' && c.name !== target && features.has(c.name) && categorical.has(c.name)).map((c) => c.name);
  return { ...rest, target, ...(isDefault ? {} : { features: list }), ...(forced.length ? { categorical: forced } : {}), ...(task ? { task } : {}) };
}

/** The engine's `suggestedIgnore`, read defensively (older engines do not send it). */
export function suggestedIgnoreOf(described: { suggestedIgnore?: unknown }): string[] {
  const v = described.suggestedIgnore;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * A freshly chosen CSV's dataset: `target` (the engine's suggestion unless given), every other column
 * a feature except those that look like a row number or id — as a feature an id only lets the model
 * memorise rows. The id stays a feature when it is the only other column.
 */
export function defaultCsvDataset(path: string, info: Pick<CsvInfo, 'columns' | 'suggestedTarget' | 'suggestedIgnore'>, target?: string): CsvDataset {
  const t = target || (info.suggestedTarget ?? info.columns[info.columns.length - 1]?.name ?? '');
  const others = info.columns.map((c) => c.name).filter((n) => n !== t);
  const ignore = new Set(info.suggestedIgnore ?? []);
  const features = others.filter((n) => !ignore.has(n));
  return { source: 'csv', path, target: t, ...(features.length && features.length < others.length ? { features } : {}) };
}

/** `ds` with column `name` given `role`; a string says why not (there must be a feature). A new target drops an explicit task (it is inferred again). */
export function withRole(ds: CsvDataset, columns: CsvColumn[], name: string, role: Role): CsvDataset | string {
  const now = columnRoles(ds, columns);
  const features = new Set(now.filter((c) => c.role === 'feature').map((c) => c.name));
  const categorical = new Set(ds.categorical ?? []);
  let target = ds.target;
  let task = ds.task;
  if (role === 'target') {
    if (name === ds.target) return ds;
    // The old target becomes a feature: the person is swapping roles, not dropping a column.
    if (columns.some((c) => c.name === ds.target)) features.add(ds.target);
    features.delete(name);
    categorical.delete(name);
    target = name;
    task = undefined;
  } else {
    if (name === ds.target) return 'choose another column as the target first';
    if (role === 'feature') features.add(name);
    else features.delete(name);
  }
  if (![...features].some((f) => f !== target)) return `keep at least one feature column besides the target "${target}"`;
  return build(ds, columns, target, features, categorical, task);
}

/** `ds` with the numeric feature `name` one-hot encoded (categorical) or not. */
export function withOneHot(ds: CsvDataset, columns: CsvColumn[], name: string, oneHot: boolean): CsvDataset {
  const features = new Set(columnRoles(ds, columns).filter((c) => c.role === 'feature').map((c) => c.name));
  const categorical = new Set(ds.categorical ?? []);
  if (oneHot) categorical.add(name);
  else categorical.delete(name);
  return build(ds, columns, ds.target, features, categorical, ds.task);
}

/** The engine's default task for a target column (docs/datasets.md), from what describeCsv tells. */
export function guessTask(col: CsvColumn | undefined, rows: number): Task {
  if (!col || col.kind === 'categorical') return 'classification';
  const integral = col.examples.every((v) => Number.isInteger(Number(v)));
  return integral && col.distinct <= 20 && col.distinct < rows / 2 ? 'classification' : 'regression';
}

export function CsvColumns({ dataset, info, inferredTask }: { dataset: CsvDataset; info: CsvInfo; inferredTask?: Task }) {
  const [refusal, setRefusal] = useState<string | null>(null);
  const set = (next: CsvDataset | string) => {
    if (typeof next === 'string') return setRefusal(next);
    setRefusal(null);
    useEditor.getState().setDataset(next);
  };
  const roles = columnRoles(dataset, info.columns);
  const targetCol = info.columns.find((c) => c.name === dataset.target);
  const task = dataset.task ?? inferredTask ?? guessTask(targetCol, info.rows);
  const featureCount = roles.filter((r) => r.role === 'feature').length;
  return (
    <div className="ll-csv-columns" data-testid="csv-columns">
      <strong>Columns</strong> <span className="muted">of {info.path} ({info.rows.toLocaleString('en-US')} rows): {featureCount} feature column{featureCount === 1 ? '' : 's'} → “{dataset.target}”</span>
      <table className="ll-table">
        <thead><tr><th>column</th><th>values</th><th>examples</th><th>role</th><th>one-hot</th></tr></thead>
        <tbody>
          {info.columns.map((c, i) => {
            const r = roles[i]!;
            return (
              <tr key={c.name} data-testid={`csv-column-${c.name}`} className={r.role === 'ignore' ? 'muted' : undefined}>
                <td>{c.name}</td>
                <td title={`${c.distinct > 1000 ? 'over 1,000' : c.distinct} distinct values, ${c.empty} empty`}>
                  {c.kind}, {c.distinct > 1000 ? '1000+' : c.distinct} distinct{c.empty ? `, ${c.empty} empty` : ''}
                </td>
                <td>{c.examples.slice(0, 3).join(', ')}</td>
                <td>
                  <select aria-label={`role of ${c.name}`} value={r.role} onChange={(e) => set(withRole(dataset, info.columns, c.name, e.target.value as Role))}>
                    <option value="target">target</option>
                    <option value="feature" disabled={r.role === 'target'}>feature</option>
                    <option value="ignore" disabled={r.role === 'target'}>ignore</option>
                  </select>
                </td>
                <td>
                  {r.role === 'feature' && (
                    <input type="checkbox" aria-label={`one-hot ${c.name}`} checked={r.oneHot} disabled={c.kind === 'categorical'}
                      title={c.kind === 'categorical' ? 'text values are always one-hot encoded' : 'treat the numbers as categories (one input per value)'}
                      onChange={(e) => set(withOneHot(dataset, info.columns, c.name, e.target.checked))} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {refusal && <div className="field-error" role="alert" data-testid="csv-refusal">{refusal}</div>}
      {(info.suggestedIgnore ?? []).map((name) => {
        const r = roles.find((x) => x.name === name);
        if (!r || r.role === 'target') return null;
        const why = info.suggestedIgnoreReasons?.[name] ?? NUMERIC_ID_REASON;
        const lead = why === NUMERIC_ID_REASON ? `“${name}” looks like a row number or id (${why})` : `“${name}” is ${why}`;
        return (
          <div key={name} className="muted" data-testid={`csv-id-note-${name}`}>
            {r.role === 'ignore'
              ? <>{lead}: ignored. Make it a feature if it measures something.</>
              : <>{lead}: as a feature the model can only memorise rows — set it to ignore?</>}
          </div>
        );
      })}
      <div className="ll-field" style={{ maxWidth: 260 }}>
        <label htmlFor="csv-task">task</label>
        <select id="csv-task" value={task} onChange={(e) => set({ ...dataset, task: e.target.value as Task })}>
          <option value="classification" title="one class per distinct target value">classification</option>
          <option value="regression" title="predict the number" disabled={targetCol?.kind === 'categorical'}>regression</option>
        </select>
        {!dataset.task && <span className="muted">inferred from “{dataset.target}”</span>}
      </div>
      {info.columns.some((c) => c.distinct > 1000 && c.kind === 'categorical' && roles.find((r) => r.name === c.name)?.role === 'feature') && (
        <div className="ll-warning">A text column with over 1,000 different values cannot be one-hot encoded: set it to ignore (an id or free text?).</div>
      )}
    </div>
  );
}
