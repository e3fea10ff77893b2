/**
 * Which methods to run, with their main settings and what each will cost before it runs: forward
 * passes (exact) and seconds (from the run's measured pace once there is one, else a guess).
 */
import { defaultOcclusionWindow } from '../../shared/explain/cost';
import { BaselineSchema, type ExplainMethod, type MethodSpec } from '../../shared/explain/schema';
import { estimateCost, formatSeconds, type Cost } from './cost';
import { METHOD_HINTS, METHOD_LABELS, methodsFor, type ModelFacts } from './model';

/** One spec per method (`specs[m].method === m`), each keeping the settings the person typed. */
export type Specs = Record<ExplainMethod, MethodSpec>;

export const initialSpecs = (): Specs => ({
  shap: { method: 'shap' }, lime: { method: 'lime' }, ig: { method: 'ig' }, smoothgrad: { method: 'smoothgrad' },
  gradcam: { method: 'gradcam' }, occlusion: { method: 'occlusion' }, gradient: { method: 'gradient' },
});

/** IG's steps as set (undefined: the default). */
export const igSteps = (specs: Specs) => (specs.ig.method === 'ig' ? specs.ig.steps : undefined);

const intOrUndefined = (s: string, min: number, max: number) => {
  const n = Math.round(Number(s));
  return s.trim() === '' || !Number.isFinite(n) ? undefined : Math.max(min, Math.min(max, n));
};

function NumberSetting({ method, name, label, min, max, value, placeholder, onChange }: {
  method: ExplainMethod; name: string; label: string; min: number; max: number; value: number | undefined; placeholder: string;
  onChange(v: number | undefined): void;
}) {
  return (
    <label className="ll-explain-setting">
      {label}
      <input type="number" min={min} max={max} value={value ?? ''} placeholder={placeholder} aria-label={`${METHOD_LABELS[method]} ${label}`}
        data-testid={`setting-${method}-${name}`} onChange={(e) => onChange(intOrUndefined(e.target.value, min, max))} />
    </label>
  );
}

function Settings({ spec, facts, onChange }: { spec: MethodSpec; facts: ModelFacts; onChange(s: MethodSpec): void }) {
  switch (spec.method) {
    case 'ig':
      return (
        <>
          <NumberSetting method="ig" name="steps" label="steps" min={1} max={2000} value={spec.steps} placeholder="50" onChange={(steps) => onChange({ ...spec, steps })} />
          <label className="ll-explain-setting">baseline
            <select value={spec.baseline ?? ''} aria-label="Integrated Gradients baseline"
              onChange={(e) => onChange({ ...spec, baseline: BaselineSchema.safeParse(e.target.value).data })}>
              <option value="">{facts.kind === 'image' ? 'black (default)' : 'mean (default)'}</option>
              <option value="zero">zero / black</option>
              <option value="mean">training mean</option>
              {facts.kind === 'image' && <option value="blur">blurred input</option>}
            </select>
          </label>
        </>
      );
    case 'gradcam':
      return (
        <label className="ll-explain-setting">layer
          <select value={spec.layer ?? ''} aria-label="Grad-CAM layer" onChange={(e) => onChange({ ...spec, layer: e.target.value || undefined })}>
            <option value="">{facts.convolutions.at(-1)} (last convolution)</option>
            {facts.convolutions.slice(0, -1).map((id) => <option key={id} value={id}>{id}</option>)}
          </select>
        </label>
      );
    case 'occlusion':
      return facts.kind === 'image'
        ? <NumberSetting method="occlusion" name="window" label="window" min={1} max={4096} value={spec.window} placeholder={String(defaultOcclusionWindow(facts.shape))} onChange={(window) => onChange({ ...spec, window })} />
        : null;
    case 'smoothgrad':
      return <NumberSetting method="smoothgrad" name="samples" label="samples" min={1} max={1000} value={spec.samples} placeholder="25" onChange={(samples) => onChange({ ...spec, samples })} />;
    case 'lime':
      return <NumberSetting method="lime" name="samples" label="samples" min={10} max={100_000} value={spec.samples} placeholder={facts.kind === 'image' ? '1000' : '5000'} onChange={(samples) => onChange({ ...spec, samples })} />;
    case 'shap':
      return facts.kind === 'table' && facts.size <= 12
        ? <span className="muted">exact</span>
        : <NumberSetting method="shap" name="coalitions" label="coalitions" min={2} max={200_000} value={spec.coalitions} placeholder="2048" onChange={(coalitions) => onChange({ ...spec, coalitions })} />;
    default:
      return null;
  }
}

export function MethodPicker({ facts, specs, chosen, pace, busy, onSpecs, onChosen, onRun }: {
  facts: ModelFacts;
  specs: Specs;
  chosen: ExplainMethod[];
  pace?: number;
  busy: boolean;
  onSpecs(s: Specs): void;
  onChosen(m: ExplainMethod[]): void;
  onRun(): void;
}) {
  const methods = methodsFor(facts);
  const costs = Object.fromEntries(methods.map((m) => [m, estimateCost(specs[m], facts, pace)])) as Record<ExplainMethod, Cost>;
  const picked = methods.filter((m) => chosen.includes(m));
  const total = picked.reduce((a, m) => ({ passes: a.passes + costs[m].forwardPasses, sec: a.sec + costs[m].seconds }), { passes: 0, sec: 0 });
  const toggle = (m: ExplainMethod, on: boolean) => onChosen(on ? [...chosen.filter((x) => x !== m), m] : chosen.filter((x) => x !== m));
  return (
    <fieldset className="ll-explain-picker" data-testid="method-picker">
      <legend>Methods</legend>
      <table className="ll-table">
        <thead><tr><th>method</th><th>settings</th><th>forward passes</th><th>time</th></tr></thead>
        <tbody>
          {methods.map((m) => (
            <tr key={m} data-testid={`method-${m}`}>
              <td>
                <label className="ll-check" title={METHOD_HINTS[m]}>
                  <input type="checkbox" checked={chosen.includes(m)} onChange={(e) => toggle(m, e.target.checked)} data-testid={`pick-${m}`} />
                  {METHOD_LABELS[m]}
                </label>
              </td>
              <td className="ll-explain-settings">
                <Settings spec={specs[m]} facts={facts} onChange={(s) => onSpecs({ ...specs, [m]: s })} />
              </td>
              <td data-testid={`cost-${m}`}>{costs[m].forwardPasses.toLocaleString('en-US')}</td>
              <td title={costs[m].measured ? 'from this run’s measured pace' : 'a guess until one explanation of this run was timed'}>
                ≈ {formatSeconds(costs[m].seconds)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="ll-actions">
        <button type="button" className="primary" disabled={busy || picked.length === 0} onClick={onRun} data-testid="explain-run">
          Explain{picked.length > 1 ? ` with ${picked.length} methods` : ''}
        </button>
        {picked.length > 0 && (
          <span className="muted" data-testid="explain-cost">
            {total.passes.toLocaleString('en-US')} forward passes · ≈ {formatSeconds(total.sec)}{pace === undefined ? ' (a guess until the first run is timed)' : ''}
          </span>
        )}
      </div>
    </fieldset>
  );
}
