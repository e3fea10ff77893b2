/** Small text formatters shared by the canvas, inspector and summary. */
import { getLayerDef, isLayerType, type ParamSpec } from '../../shared/catalog';

export const shapeLabel = (s: readonly number[] | null | undefined) => (s ? `[${s.join(', ')}]` : '?');
/** Keras style, with the batch dimension: (None, 28, 28, 32). */
export const kerasShape = (s: readonly number[] | null | undefined) => (s ? `(None, ${s.join(', ')})` : '?');

export function valueLabel(spec: ParamSpec, v: unknown): string {
  if (v === null || v === undefined) return 'auto';
  if (Array.isArray(v)) return spec.type === 'size' ? v.join('×') : `[${v.join(', ')}]`;
  return String(v);
}

/**
 * The key params of a node in a few words ("32 · 3×3 · same · relu"): the values written in the
 * document (an invalid units: -5 shows as -5, beside its error, not as the default analysis used),
 * else the resolved defaults.
 */
export function keyParamsLabel(type: string, resolved: Record<string, unknown> | null, written: Record<string, unknown> = {}): string {
  if (!resolved || !isLayerType(type)) return '';
  const def = getLayerDef(type);
  const valueOf = (name: string) => (written[name] !== undefined ? written[name] : resolved[name]);
  return def.params
    .filter((p) => p.key && valueOf(p.name) !== undefined)
    .map((p) => {
      const v = valueLabel(p, valueOf(p.name));
      return p.type === 'int' || p.type === 'float' ? `${p.name} ${v}` : v;
    })
    .join(' · ');
}

export const compact = (n: number) =>
  n < 1e3 ? String(n) : n < 1e6 ? `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}K` : n < 1e9 ? `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M` : `${(n / 1e9).toFixed(2)}G`;
