/**
 * Try it for tables: one field per column of the run's data. A numeric column is a text field
 * showing the data's first sample in grey (as written in the file: 6.3, not float32's
 * 6.300000190734863); a one-hot categorical column ("color=red", "color=green"…) is one drop-down
 * of its categories. An empty field takes the first sample's value.
 */
import { useState } from 'react';
import { formatValue } from './format';

/** The fields the form shows: numbers, and one-hot groups (`size` inputs, one per category). */
export type Field =
  | { kind: 'number'; name: string; index: number }
  | { kind: 'category'; name: string; index: number; categories: string[] };

/**
 * Group the model's inputs into fields. `names` are the data's feature names (`col=value` for each
 * category of a one-hot column); a group counts only when the first sample is one-hot in it.
 */
export function fieldsOf(size: number, names: readonly string[] | undefined, example: readonly number[] | undefined): Field[] {
  if (!names || names.length !== size) return Array.from({ length: size }, (_, i) => ({ kind: 'number', name: `feature ${i + 1}`, index: i }));
  const out: Field[] = [];
  for (let i = 0; i < size;) {
    const col = /^(.*?)=/.exec(names[i]!)?.[1];
    let j = i;
    while (col !== undefined && j < size && names[j]!.startsWith(`${col}=`)) j++;
    const hot = example?.slice(i, j);
    if (col !== undefined && j - i >= 2 && (!hot || (hot.every((v) => v === 0 || v === 1) && hot.filter((v) => v === 1).length === 1))) {
      out.push({ kind: 'category', name: col, index: i, categories: names.slice(i, j).map((n) => n.slice(col.length + 1)) });
      i = j;
    } else {
      out.push({ kind: 'number', name: names[i]!, index: i });
      i++;
    }
  }
  return out;
}

/** The model's input: typed numbers, chosen categories one-hot; empty fields take the example's values. */
export function inputOf(size: number, fields: readonly Field[], typed: Readonly<Record<number, string>>, example: readonly number[] | undefined): number[] {
  const x = Array.from({ length: size }, (_, i) => example?.[i] ?? 0);
  for (const f of fields) {
    const t = typed[f.index];
    if (f.kind === 'category') {
      // Untouched: the example's category, or (no example) the first one, as the drop-down shows.
      const chosen = t || (example ? null : f.categories[0]);
      if (chosen) f.categories.forEach((c, k) => { x[f.index + k] = c === chosen ? 1 : 0; });
    } else if (t !== undefined && t !== '') x[f.index] = Number(t) || 0;
  }
  return x;
}

interface Props {
  size: number;
  names?: string[];
  example?: number[];
  onPredict(input: number[]): void;
}

export function FeatureForm({ size, names, example, onPredict }: Props) {
  const [typed, setTyped] = useState<Record<number, string>>({});
  const fields = fieldsOf(size, names, example);
  const set = (i: number, v: string) => setTyped((t) => ({ ...t, [i]: v }));
  const tooMany = fields.length > 64;
  return (
    <form className="ll-features-form" onSubmit={(e) => { e.preventDefault(); onPredict(inputOf(size, fields, typed, example)); }}>
      <p className="muted">
        Type the {fields.length} input value{fields.length === 1 ? '' : 's'} (raw, as in the data; the run normalises them).
        {example && ' An empty field takes the value of the data’s first sample, shown in grey.'}
      </p>
      <div className="ll-feature-grid">
        {fields.slice(0, 64).map((f) => (
          <label key={f.index} className="ll-feature" title={f.name}>
            <span>{f.name}</span>
            {f.kind === 'number' ? (
              <input aria-label={f.name} value={typed[f.index] ?? ''} placeholder={example ? formatValue(example[f.index]!) : '0'} data-testid={`feature-${f.index}`}
                onChange={(e) => set(f.index, e.target.value)} />
            ) : (
              <select aria-label={f.name} value={typed[f.index] ?? f.categories[example?.slice(f.index, f.index + f.categories.length).indexOf(1) ?? 0] ?? f.categories[0]}
                data-testid={`feature-${f.index}`} onChange={(e) => set(f.index, e.target.value)}>
                {f.categories.map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            )}
          </label>
        ))}
      </div>
      <button type="submit" className="primary" disabled={tooMany}>Predict</button>
      {tooMany && <span className="muted"> (inputs with more than 64 values: use an image model or the CLI)</span>}
    </form>
  );
}
