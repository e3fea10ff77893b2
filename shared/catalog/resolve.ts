import type { ParamSpec, ParamsFrom } from './types';

/** A problem with one param value; `field` is the param name. */
export interface ParamIssue {
  field: string;
  message: string;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
// Sizes beyond this are never meaningful for a sample dimension and would overflow param counts.
const MAX_DIM = 1 << 24;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `"${v.length > 30 ? v.slice(0, 30) + '…' : v}"`;
  return typeof v === 'object' ? 'an object' : String(v);
}

function checkNumber(spec: ParamSpec, v: unknown, int: boolean): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `must be a ${int ? 'whole ' : ''}number, got ${describe(v)}`;
  if (int && !Number.isInteger(v)) return `must be a whole number, got ${v}`;
  if (int && Math.abs(v) > MAX_DIM) return `${v} is too large (at most ${MAX_DIM})`;
  if (spec.min !== undefined && v < spec.min) return `must be at least ${spec.min}, got ${v}`;
  if (spec.max !== undefined && (spec.exclusiveMax ? v >= spec.max : v > spec.max)) {
    return `must be ${spec.exclusiveMax ? 'below' : 'at most'} ${spec.max}, got ${v}`;
  }
  return null;
}

/** Validate one value against its spec; returns the normalised value or an error message. */
function resolveOne(spec: ParamSpec, v: unknown): { value?: unknown; error?: string } {
  if (v === null && spec.nullable) return { value: null };
  switch (spec.type) {
    case 'int':
    case 'float': {
      const e = checkNumber(spec, v, spec.type === 'int');
      return e ? { error: e } : { value: v };
    }
    case 'bool':
      return typeof v === 'boolean' ? { value: v } : { error: `must be true or false, got ${describe(v)}` };
    case 'enum':
      return typeof v === 'string' && spec.enum!.includes(v)
        ? { value: v }
        : { error: `must be one of ${spec.enum!.map((e) => `"${e}"`).join(', ')}, got ${describe(v)}` };
    case 'size': {
      const rank = spec.rank ?? 1;
      const list = isInt(v) ? Array(rank).fill(v) : v;
      if (!Array.isArray(list) || list.length !== rank || !list.every(isInt)) {
        return { error: `must be a whole number or a list of ${rank} whole numbers, got ${describe(v)}` };
      }
      const bad = list.find((d) => d < 1 || d > MAX_DIM);
      return bad !== undefined ? { error: `sizes must be between 1 and ${MAX_DIM}, got ${bad}` } : { value: list };
    }
    case 'pads':
      return resolvePads(v);
    case 'shape': {
      if (!Array.isArray(v) || v.length === 0 || !v.every(isInt)) {
        return { error: `must be a non-empty list of whole numbers, got ${describe(v)}` };
      }
      if (v.length > 8) return { error: `has ${v.length} dimensions; at most 8 are supported` };
      const inferred = v.filter((d) => d === -1).length;
      if (inferred > (spec.allowInfer ? 1 : 0)) {
        return { error: spec.allowInfer ? 'may contain -1 at most once' : 'cannot contain -1: give every dimension' };
      }
      const bad = v.find((d) => d !== -1 && (d < 1 || d > MAX_DIM));
      if (bad !== undefined) return { error: `dimensions must be between 1 and ${MAX_DIM}, got ${bad}` };
      if (v.reduce((a, d) => a * Math.abs(d), 1) > 2 ** 31) return { error: `${JSON.stringify(v)} holds more than 2^31 values per sample` };
      return { value: [...v] };
    }
  }
}

/** Keras' 2-D padding: n, [vertical, horizontal] or [[top, bottom], [left, right]] → the last form. */
function resolvePads(v: unknown): { value?: unknown; error?: string } {
  const pair = (x: unknown) => (isInt(x) ? [x, x] : x);
  const rows = isInt(v) ? [v, v] : v;
  const list = Array.isArray(rows) && rows.length === 2 ? rows.map(pair) : null;
  if (!list || !list.every((r) => Array.isArray(r) && r.length === 2 && r.every(isInt))) {
    return { error: `must be a whole number, [vertical, horizontal] or [[top, bottom], [left, right]], got ${describe(v)}` };
  }
  const bad = (list.flat() as number[]).find((d) => d < 0 || d > MAX_DIM);
  return bad !== undefined ? { error: `paddings must be between 0 and ${MAX_DIM}, got ${bad}` } : { value: list };
}

/**
 * Fill defaults and validate a node's params against its catalog entry. Never throws.
 * Unknown param names are reported (a typo like "unit" would otherwise be silently ignored).
 */
export function resolveParams<P extends readonly ParamSpec[]>(def: { type: string; params: P }, raw: Record<string, unknown>): { params: ParamsFrom<P>; issues: ParamIssue[] } {
  const params: Record<string, unknown> = {};
  const issues: ParamIssue[] = [];
  for (const spec of def.params) {
    const given = Object.prototype.hasOwnProperty.call(raw, spec.name);
    const r = resolveOne(spec, given ? raw[spec.name] : spec.default);
    if (r.error !== undefined) {
      issues.push({ field: spec.name, message: `${spec.name} ${r.error}` });
      const fallback = resolveOne(spec, spec.default);
      params[spec.name] = fallback.value;
    } else {
      params[spec.name] = r.value;
    }
  }
  for (const name of Object.keys(raw)) {
    if (!def.params.some((s) => s.name === name)) {
      const known = def.params.map((s) => s.name).join(', ') || 'none';
      issues.push({ field: name, message: `${def.type} has no param "${name}" (known: ${known})` });
    }
  }
  // Every declared param was set above from a value its spec validated (or from its default).
  return { params: params as ParamsFrom<P>, issues };
}
