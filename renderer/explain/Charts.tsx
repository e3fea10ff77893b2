/** The table charts: signed attributions of one row, global importance with its spread; tokens coloured. */
import type { Explanation, GlobalExplanation } from '../../shared/explain/schema';
import { formatValue } from '../training/format';
import { maxAbs, signColor, signedColor } from './heat';

const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : String(+v.toPrecision(3)));

const ROW = 20, LABEL = 180, BAR = 260, VALUE = 70;

/** One bar per feature, "name = value" on the left, bars to the right (raised) or left (lowered) of 0. */
export function AttributionBars({ explanation: e }: { explanation: Explanation }) {
  const names = e.featureNames ?? e.attributions.map((_, i) => `feature ${i}`);
  const m = maxAbs(e.attributions);
  const mid = LABEL + BAR / 2;
  const height = names.length * ROW + 6;
  return (
    <svg width={LABEL + BAR + VALUE} height={height} role="img" data-testid="attribution-bars" className="ll-bars"
      aria-label={`Attributions of ${names.length} features: right raised the target, left lowered it`}>
      <line x1={mid} y1={0} x2={mid} y2={height} stroke="currentColor" strokeOpacity={0.4} />
      {e.attributions.map((a, i) => {
        const w = (Math.abs(a) / m) * (BAR / 2 - 4);
        const value = e.featureValues?.[i];
        return (
          <g key={i} data-testid="attribution-bar" data-feature={names[i]} data-value={a}>
            <title>{`${names[i]}${value !== undefined ? ` = ${formatValue(value)}` : ''}: ${a}`}</title>
            <text x={LABEL - 6} y={i * ROW + 14} textAnchor="end" fontSize="11" fill="currentColor">
              {names[i]}{value !== undefined ? ` = ${formatValue(value)}` : ''}
            </text>
            <rect x={a >= 0 ? mid : mid - w} y={i * ROW + 4} width={Math.max(w, 0.5)} height={ROW - 8} fill={signColor(a)} />
            <text x={LABEL + BAR + 4} y={i * ROW + 14} fontSize="11" fill="currentColor">{fmt(a)}</text>
          </g>
        );
      })}
    </svg>
  );
}

/** Importance per feature, largest first, with ± spread whiskers. */
export function GlobalChart({ result: g }: { result: GlobalExplanation }) {
  const order = g.importance.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
  const hi = Math.max(...g.importance.map((v, i) => v + g.spread[i]!), 1e-12);
  const lo = Math.min(0, ...g.importance.map((v, i) => v - g.spread[i]!));
  const sx = (v: number) => LABEL + ((v - lo) / (hi - lo)) * (BAR - 4);
  const height = order.length * ROW + 6;
  return (
    <svg width={LABEL + BAR + VALUE} height={height} role="img" data-testid={`global-chart-${g.method}`} className="ll-bars"
      aria-label={`${g.method === 'shap' ? 'Mean |SHAP|' : 'Permutation importance'} of ${order.length} features`}>
      <line x1={sx(0)} y1={0} x2={sx(0)} y2={height} stroke="currentColor" strokeOpacity={0.4} />
      {order.map((i, row) => {
        const v = g.importance[i]!, s = g.spread[i]!;
        return (
          <g key={i} data-testid="global-bar" data-feature={g.featureNames[i]} data-value={v}>
            <title>{`${g.featureNames[i]}: ${v} ± ${s}`}</title>
            <text x={LABEL - 6} y={row * ROW + 14} textAnchor="end" fontSize="11" fill="currentColor">{g.featureNames[i]}</text>
            <rect x={Math.min(sx(0), sx(v))} y={row * ROW + 4} width={Math.max(0.5, Math.abs(sx(v) - sx(0)))} height={ROW - 8} fill="#6b7bd6" />
            <line x1={sx(v - s)} x2={sx(v + s)} y1={row * ROW + 10} y2={row * ROW + 10} stroke="currentColor" strokeOpacity={0.7} />
            <text x={LABEL + BAR + 4} y={row * ROW + 14} fontSize="11" fill="currentColor">{fmt(v)}</text>
          </g>
        );
      })}
    </svg>
  );
}

/** Token ids (or steps of a sequence), each tinted by its attribution. */
export function TokenStrip({ explanation: e, tokens }: { explanation: Explanation; tokens?: number[] }) {
  const steps = e.shape[0] ?? e.attributions.length;
  const per = Math.max(1, Math.round(e.attributions.length / steps));
  const values = Array.from({ length: steps }, (_, t) => e.attributions.slice(t * per, (t + 1) * per).reduce((a, b) => a + b, 0));
  const m = maxAbs(values);
  return (
    <div className="ll-tokens" data-testid="token-strip">
      {values.map((v, t) => (
        <span key={t} style={{ background: signedColor(v, m, 0.8) }} title={`step ${t}: ${v}`} data-value={v}>
          {tokens ? tokens[t] : t}
        </span>
      ))}
    </div>
  );
}
