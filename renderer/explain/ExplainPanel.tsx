/**
 * The Explain tab: why did the model predict that, for one input (a sample from Evaluate's "Why?",
 * the person's own drawing or row from Try it, or a test sample by number). Pick methods (with their
 * cost before running), follow the progress (ETA, Cancel), compare the methods side by side, read
 * the proof figures, export PNG/CSV; for tables also the run's global feature importance.
 */
import { useEffect, useState } from 'react';
import type { ExplainMethod } from '../../shared/explain/schema';
import { useEditor } from '../store';
import { isActive, type RunView } from '../store/runs';
import { currentRun } from '../store/training';
import { formatDuration } from '../training/format';
import { GlobalSection } from './GlobalSection';
import { igSteps, initialSpecs, MethodPicker, type Specs } from './MethodPicker';
import { defaultMethods, METHOD_LABELS, methodsFor, modelFacts } from './model';
import { ResultCard } from './ResultCard';
import { openExplain, runExplanations, runSanity, useExplain, type ExplainSubject } from './store';
import './explain.css';

function JobBar() {
  const job = useExplain((s) => s.job);
  if (!job) return null;
  const p = job.progress;
  const fraction = p && p.total > 0 ? p.done / p.total : undefined;
  return (
    <div className="ll-progress" role="status" data-testid="explain-progress">
      <span>{job.label}{p?.message ? ` — ${p.message}` : ''}</span>
      <progress max={1} {...(fraction !== undefined ? { value: fraction } : {})} />
      <span data-testid="explain-progress-text">
        {p ? `${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}` : 'starting…'}
        {p?.etaSec !== undefined ? ` · ETA ${formatDuration(p.etaSec)}` : ''}
      </span>
      <button type="button" onClick={() => void useExplain.getState().cancel()} data-testid="explain-cancel">Cancel</button>
    </div>
  );
}

/** No input chosen yet: how to get one, and a test sample by its number. */
function ChooseInput({ run }: { run: RunView }) {
  const [index, setIndex] = useState('');
  const n = Number(index);
  const valid = index.trim() !== '' && Number.isInteger(n) && n >= 0;
  return (
    <div className="ll-explain-empty" data-testid="explain-choose">
      <p className="muted">
        Choose what to explain: press <strong>Why?</strong> on a sample in Evaluate (a confusion-matrix cell’s samples), or
        <strong> Explain</strong> after a prediction in Try it (your own drawing or row), or a test sample by its number:
      </p>
      <form className="ll-actions" onSubmit={(e) => {
        e.preventDefault();
        if (valid) openExplain({ runId: run.runId, input: { kind: 'sample', index: n }, caption: `test sample #${n}` });
      }}>
        <label>sample # <input type="number" min={0} value={index} onChange={(e) => setIndex(e.target.value)} aria-label="test sample number" data-testid="explain-sample-index" /></label>
        <button type="submit" disabled={!valid}>Use this sample</button>
      </form>
    </div>
  );
}

function TargetPicker({ subject }: { subject: ExplainSubject }) {
  if (!subject.classes || subject.classes.length < 2) return null;
  return (
    <label className="ll-explain-setting">target
      <select value={subject.target ?? ''} aria-label="target class" data-testid="explain-target"
        onChange={(e) => useExplain.getState().setTarget(e.target.value === '' ? undefined : Number(e.target.value))}>
        <option value="">the predicted class</option>
        {subject.classes.map((c, i) => <option key={i} value={i}>{c}</option>)}
      </select>
    </label>
  );
}

export function ExplainPanel() {
  const current = useEditor(currentRun);
  const subject = useExplain((s) => s.subject);
  const run = useEditor((s) => (subject ? s.runs.find((r) => r.runId === subject.runId) : undefined)) ?? current;
  const results = useExplain((s) => s.results);
  const sanity = useExplain((s) => s.sanity);
  const busy = useExplain((s) => !!s.job);
  const error = useExplain((s) => s.error);
  const opacity = useExplain((s) => s.opacity);
  const pace = useExplain((s) => (run ? s.pace[run.runId]?.secPerFlop : undefined));
  const facts = run ? modelFacts(run.doc) : null;
  const [specs, setSpecs] = useState<Specs>(initialSpecs);
  const [chosen, setChosen] = useState<ExplainMethod[]>([]);
  const kind = facts?.kind;
  const runId = run?.runId;
  useEffect(() => {
    if (facts) setChosen(defaultMethods(facts));
    setSpecs(initialSpecs());
  }, [runId, kind]);

  if (!run) return <p className="muted">Train a model first: then explain its predictions here.</p>;
  if (isActive(run.status)) return <p className="muted">{run.label} is still training; explain it when it ends.</p>;
  if (!run.end) return <p className="muted">{run.label} did not finish; nothing to explain.</p>;
  if (!facts) return <p className="muted">The model has no Input with a shape: nothing to explain.</p>;
  const forThisRun = subject?.runId === run.runId ? subject : null;
  const shown = methodsFor(facts).filter((m) => results[m]);
  const explain = (methods: ExplainMethod[], s: Specs = specs) => void runExplanations(run, methods.map((m) => s[m]));
  return (
    <div className="ll-explain" data-testid="explain-panel">
      <div className="ll-actions">
        <strong>{run.label}</strong>
        {forThisRun ? <span data-testid="explain-subject">Explaining {forThisRun.caption}</span> : null}
        {forThisRun && <TargetPicker subject={forThisRun} />}
        {forThisRun && facts.kind === 'image' && (
          <label className="ll-explain-setting">opacity
            <input type="range" min={0} max={1} step={0.05} value={opacity} aria-label="heatmap opacity" data-testid="explain-opacity"
              onChange={(e) => useExplain.getState().setOpacity(Number(e.target.value))} />
          </label>
        )}
      </div>
      <div className="ll-explain-body">
        <div className="ll-explain-side">
          {!forThisRun ? <ChooseInput run={run} /> : (
            <MethodPicker facts={facts} specs={specs} chosen={chosen} pace={pace} busy={busy}
              onSpecs={setSpecs} onChosen={setChosen} onRun={() => explain(chosen)} />
          )}
          <JobBar />
          {error && <div className="ll-error" role="alert" data-testid="explain-error">{error}</div>}
        </div>
        <div className="ll-explain-main">
          {forThisRun && shown.length > 0 && (
            <div className="ll-explain-results" data-testid="explain-results">
              {shown.map((m) => {
                const r = results[m]!;
                return (
                  <ResultCard key={m} explanation={r.explanation} facts={facts} opacity={opacity} caption={forThisRun.caption}
                    {...(forThisRun.preview ? { preview: forThisRun.preview } : {})} {...(sanity[m] ? { sanity: sanity[m] } : {})} busy={busy}
                    onSanity={() => void runSanity(run, r.spec)}
                    onMoreSteps={() => {
                      const steps = Math.min(2000, (r.explanation.details?.steps ?? igSteps(specs) ?? 50) * 4);
                      const next: Specs = { ...specs, ig: { method: 'ig', ...(specs.ig.method === 'ig' ? specs.ig : {}), steps } };
                      setSpecs(next);
                      explain(['ig'], next);
                    }} />
                );
              })}
            </div>
          )}
          {forThisRun && shown.length === 0 && !busy && (
            <p className="muted">Pick one or more methods ({methodsFor(facts).map((m) => METHOD_LABELS[m]).join(', ')}) and press Explain.</p>
          )}
          {facts.kind === 'table' && <GlobalSection run={run} busy={busy} />}
        </div>
      </div>
    </div>
  );
}
