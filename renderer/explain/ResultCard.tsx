/**
 * One method's explanation: the picture (heatmap over the input, bars for a table row, tinted
 * tokens), the proof figures (IG's completeness gap, SHAP's efficiency, LIME's fit, the sanity
 * check) and the exports.
 */
import type { Explanation, SanityResult } from '../../shared/explain/schema';
import { pct } from '../training/format';
import { AttributionBars, TokenStrip } from './Charts';
import { downloadCsv, downloadPng, explanationCanvas, explanationCsv, fileName } from './export';
import { Heatmap } from './Heatmap';
import { METHOD_LABELS, type ModelFacts } from './model';

/** Suggest more steps above this completeness gap (docs/explain.md). */
export const GAP_LIMIT = 0.01;

const num = (v: number) => (v === 0 ? '0' : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5 ? v.toExponential(3) : String(+v.toPrecision(4)));
const sum = (a: readonly number[]) => a.reduce((s, v) => s + v, 0);

function Completeness({ e, onMoreSteps }: { e: Explanation; onMoreSteps?: () => void }) {
  if (e.completenessGap === undefined || e.baseValue === null) return null;
  const big = e.completenessGap > GAP_LIMIT;
  return (
    <div className={big ? 'll-warning' : 'll-proof'} data-testid="completeness">
      Completeness: Σ attributions {num(sum(e.attributions))} vs f(x) − f(baseline) = {num(e.output - e.baseValue)} ·
      gap <strong data-testid="completeness-gap">{pct(e.completenessGap)}</strong>
      {e.details?.steps ? ` at ${e.details.steps} steps` : ''}
      {big && onMoreSteps && (
        <> — above 1 %: <button type="button" className="link" onClick={onMoreSteps} data-testid="more-steps">use more steps</button></>
      )}
    </div>
  );
}

function Efficiency({ e }: { e: Explanation }) {
  if (e.baseValue === null) return null;
  const total = e.baseValue + sum(e.attributions);
  return (
    <div className="ll-proof" data-testid="efficiency">
      Efficiency: base value {num(e.baseValue)} + Σ attributions {num(sum(e.attributions))} = {num(total)}; model output {num(e.output)}
      {' '}(gap {num(Math.abs(total - e.output))}{e.details?.exact === false ? `, sampled: ${e.details.coalitions ?? '?'} coalitions` : e.details?.exact ? ', exact' : ''})
    </div>
  );
}

function Sanity({ result }: { result: SanityResult }) {
  const last = result.steps.at(-1);
  return (
    <div className={result.flagged ? 'll-warning' : 'll-proof'} data-testid="sanity" data-flagged={result.flagged}>
      {result.flagged
        ? <><strong>Does not depend on what the model learned:</strong> with every layer's weights randomised the map still correlates {last ? num(last.spearman) : '?'} (≥ {result.threshold}) with this one.</>
        : <>Sanity check passed: randomising the weights changes the map (rank correlation {last ? num(last.spearman) : '?'} after all layers, below {result.threshold}).</>}
      <span className="muted"> {result.steps.map((s) => `${s.layer} ${num(s.spearman)}`).join(' → ')}</span>
    </div>
  );
}

export function ResultCard({ explanation: e, facts, preview, opacity, caption, sanity, busy, onMoreSteps, onSanity }: {
  explanation: Explanation;
  facts: ModelFacts;
  preview?: { values: number[]; shape: number[] };
  opacity: number;
  caption: string;
  sanity?: SanityResult;
  busy: boolean;
  onMoreSteps(): void;
  onSanity(): void;
}) {
  const table = facts.kind === 'table';
  const picture = facts.kind === 'image' || (facts.kind === 'sequence' && e.shape.length === 2);
  const exportPng = () => {
    const c = explanationCanvas(e, preview, opacity);
    if (c) downloadPng(c, fileName(e, caption, 'png'));
  };
  return (
    <section className={`ll-explain-card${table ? ' wide' : ''}`} data-testid={`result-${e.method}`} aria-label={`${METHOD_LABELS[e.method]} explanation`}>
      <h4>{METHOD_LABELS[e.method]}</h4>
      <div className="muted">
        target “{e.target.label}” · output {num(e.output)}{e.baseValue !== null ? ` · base ${num(e.baseValue)}` : ''}
        {e.details?.layer ? ` · layer ${e.details.layer}` : ''}
      </div>
      {table && <AttributionBars explanation={e} />}
      {picture && <Heatmap explanation={e} preview={facts.kind === 'image' ? preview : undefined} opacity={opacity} testId={`heatmap-${e.method}`} />}
      {facts.kind === 'tokens' && <TokenStrip explanation={e} {...(preview ? { tokens: preview.values } : {})} />}
      {e.method === 'ig' && <Completeness e={e} onMoreSteps={onMoreSteps} />}
      {e.method === 'shap' && <Efficiency e={e} />}
      {e.method === 'lime' && e.details?.r2 !== undefined && <div className="ll-proof">Surrogate fit: weighted R² {num(e.details.r2)}</div>}
      {sanity && <Sanity result={sanity} />}
      <div className="ll-actions">
        <span className="muted">{e.forwardPasses.toLocaleString('en-US')} forward passes · {e.elapsedSec.toFixed(2)} s</span>
        {!sanity && (
          <button type="button" onClick={onSanity} disabled={busy} data-testid={`sanity-${e.method}`}
            title="Re-initialise the weights layer by layer and see whether the map changes (Adebayo et al., 2018)">Sanity check</button>
        )}
        <button type="button" onClick={exportPng} data-testid={`export-png-${e.method}`}>PNG</button>
        <button type="button" onClick={() => downloadCsv(explanationCsv(e), fileName(e, caption, 'csv'))} data-testid={`export-csv-${e.method}`}>CSV</button>
      </div>
    </section>
  );
}
