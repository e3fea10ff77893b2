/**
 * One inspector field, generated from a catalog ParamSpec: numbers (with their range), enums as
 * selects, bools as checkboxes, sizes and shapes as lists of whole numbers. Text is validated as
 * you type with the catalog's own rules; invalid text stays in the field with a message and is not
 * written to the document (so it is never lost, and the model never holds a half-typed value).
 */
import { memo, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { resolveParams, type LayerDef, type ParamSpec } from '../../shared/catalog';

export interface ParamFieldProps {
  def: LayerDef;
  spec: ParamSpec;
  /** The value in the document (undefined: not set, the default applies). */
  value: unknown;
  /** Several selected nodes disagree on this param. */
  mixed?: boolean;
  /** Write a value (undefined = reset to the default); `coalesce` groups one typing session into one undo step. */
  onCommit(name: string, value: unknown, coalesce?: string): void;
  /** An analysis error attached to this param. */
  problem?: string;
}

/** Text shown for a value. */
export function formatValue(spec: ParamSpec, v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return '';
  if (Array.isArray(v)) return v.flat().join(', ');
  return String(v);
}

function parseList(text: string): number[] | string {
  const parts = text.replace(/^\s*[[(]|[\])]\s*$/g, '').split(/[\s,×x*]+/).filter(Boolean);
  if (!parts.length) return 'enter one or more whole numbers, e.g. 3 or 3, 3';
  const nums = parts.map((p) => (/^-?\d+$/.test(p) ? Number(p) : NaN));
  const bad = parts.find((_, i) => Number.isNaN(nums[i]));
  return bad !== undefined ? `“${bad}” is not a whole number` : nums;
}

/** Parse field text into a param value, or an error message. `undefined` value = reset to default. */
export function parseParamText(def: LayerDef, spec: ParamSpec, text: string): { value?: unknown; error?: string } {
  const t = text.trim();
  let value: unknown;
  if (t === '') {
    if (spec.nullable) value = null;
    else return { error: `${spec.name} is required (default: ${formatValue(spec, spec.default) || 'none'})` };
  } else if (spec.type === 'int' || spec.type === 'float') {
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return { error: `“${t}” is not a number` };
    value = Number(t);
  } else if (spec.type === 'size' || spec.type === 'shape' || spec.type === 'pads') {
    const list = parseList(t);
    if (typeof list === 'string') return { error: list };
    // pads: "1" every side, "1, 2" vertical/horizontal, "1, 2, 3, 4" top, bottom, left, right.
    if (spec.type === 'pads' && list.length === 4) value = [list.slice(0, 2), list.slice(2)];
    else value = spec.type !== 'shape' && list.length === 1 ? list[0] : list;
  } else {
    value = t;
  }
  // The catalog's own validation, so the inspector and analysis never disagree.
  const { issues } = resolveParams({ ...def, params: [spec] }, { [spec.name]: value });
  const issue = issues.find((i) => i.field === spec.name);
  return issue ? { error: issue.message } : { value };
}

function rangeHint(spec: ParamSpec): string {
  if (spec.type === 'size') return `${spec.rank ?? 1} whole number${(spec.rank ?? 1) > 1 ? 's' : ''} (or one for all)`;
  if (spec.type === 'shape') return `list of whole numbers${spec.allowInfer ? ', one may be -1' : ''}`;
  if (spec.type !== 'int' && spec.type !== 'float') return '';
  const kind = spec.type === 'int' ? 'whole number' : 'number';
  if (spec.min !== undefined && spec.max !== undefined) return `${kind}, ${spec.min} – ${spec.max}${spec.exclusiveMax ? ' (exclusive)' : ''}`;
  if (spec.min !== undefined) return `${kind} ≥ ${spec.min}`;
  if (spec.max !== undefined) return `${kind} ≤ ${spec.max}`;
  return kind;
}

function ParamFieldView({ def, spec, value, mixed, onCommit, problem }: ParamFieldProps) {
  const id = useId();
  const isSet = value !== undefined;
  const effective = isSet ? value : spec.default;
  const label = (
    <div className="field-label">
      <label htmlFor={id} title={spec.doc}>{spec.name}</label>
      {isSet && !mixed && (
        <button type="button" className="field-reset" title={`Reset to default (${formatValue(spec, spec.default) || 'auto'})`}
          aria-label={`Reset ${spec.name}`} onClick={() => onCommit(spec.name, undefined)}>↺</button>
      )}
    </div>
  );

  if (spec.type === 'bool') {
    return (
      <div className="field field-bool">
        <input id={id} type="checkbox" checked={effective === true} ref={(el) => { if (el) el.indeterminate = !!mixed; }}
          onChange={(e) => onCommit(spec.name, e.target.checked)} aria-describedby={`${id}-doc`} />
        {label}
        <div id={`${id}-doc`} className="field-doc">{spec.doc}</div>
      </div>
    );
  }
  if (spec.type === 'enum') {
    return (
      <div className="field">
        {label}
        <select id={id} value={mixed ? '' : String(effective)} onChange={(e) => onCommit(spec.name, e.target.value)} aria-describedby={`${id}-doc`}>
          {mixed && <option value="" disabled>(mixed)</option>}
          {spec.enum!.map((v) => <option key={v} value={v}>{v}</option>)}
        </select>
        <div id={`${id}-doc`} className="field-doc">{spec.doc}</div>
      </div>
    );
  }
  return <TextField id={id} def={def} spec={spec} value={value} mixed={mixed} onCommit={onCommit} label={label} problem={problem} />;
}

function TextField({ id, def, spec, value, mixed, onCommit, label, problem }: ParamFieldProps & { id: string; label: ReactNode }) {
  const shown = mixed ? '' : formatValue(spec, value);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  const lastShown = useRef(shown);
  const session = useRef(0);
  const key = () => `${id}:${session.current}`;
  // The document changed under the field (undo, another edit): show the new value.
  useEffect(() => {
    if (shown !== lastShown.current) {
      lastShown.current = shown;
      setText(shown);
      setError(null);
    }
  }, [shown]);

  const onChange = (t: string) => {
    setText(t);
    if (t.trim() === '' && !spec.nullable) {
      // Empty: back to the default (shown as the placeholder), not an error.
      setError(null);
      lastShown.current = '';
      if (value !== undefined) onCommit(spec.name, undefined, key());
      return;
    }
    const r = parseParamText(def, spec, t);
    if (r.error) {
      setError(r.error);
      return;
    }
    setError(null);
    lastShown.current = formatValue(spec, r.value);
    if (JSON.stringify(r.value) !== JSON.stringify(value)) onCommit(spec.name, r.value, key());
  };
  const hint = rangeHint(spec);
  const message = error ?? problem;
  const placeholder = mixed ? '(mixed)' : spec.default === null ? 'auto' : formatValue(spec, spec.default);
  return (
    <div className={`field${message ? ' invalid' : ''}`}>
      {label}
      <input id={id} type="text" inputMode={spec.type === 'int' || spec.type === 'float' ? 'decimal' : 'text'}
        value={text} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} onFocus={() => { session.current++; }}
        aria-invalid={message ? true : undefined} aria-describedby={`${id}-doc`} spellCheck={false} autoComplete="off"
        data-param={spec.name} />
      {message ? <div className="field-error" role="alert">{message}</div> : null}
      <div id={`${id}-doc`} className="field-doc">{spec.doc}{hint && <span className="field-hint"> ({hint})</span>}</div>
    </div>
  );
}

export const ParamField = memo(ParamFieldView);
