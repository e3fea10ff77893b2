/**
 * The Try it tab: for image models, draw on a small canvas (white on black, like the digits) or drop
 * an image on it (DrawPad.tsx); for other models, type the feature values (FeatureForm.tsx: a
 * one-hot column is one drop-down). The trained run predicts; a classifier's probabilities are
 * shown as bars (prediction.ts), and for image models a saliency map (|∂ top class / ∂ input|) is
 * drawn over the input.
 */
import { useEffect, useState } from 'react';
import type { DatasetConfig, LoomDocument } from '../../shared/document';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { isActive, type RunView } from '../store/runs';
import { currentRun } from '../store/training';
import { canvasToSample, DrawPad } from './DrawPad';
import { FeatureForm } from './FeatureForm';
import { formatValue, isImageShape, pct } from './format';
import { classBars } from './prediction';
import { ThresholdDecision } from '../fairness/ThresholdDecision';
import { SampleImage } from './SampleImage';
import { ExplainInputButton } from '../explain/entry';

export function inputShapeOf(doc: LoomDocument): number[] | undefined {
  const input = doc.nodes.find((n) => n.type === 'Input');
  const shape = input?.params?.shape;
  return Array.isArray(shape) && shape.every((v) => typeof v === 'number') ? (shape as number[]) : undefined;
}

interface Result {
  outputs: number[];
  classes?: string[];
  label?: string;
  saliency?: { values: number[]; shape: number[]; classIndex: number };
  input: number[];
}

function Probabilities({ r, doc, runId }: { r: Result; doc: LoomDocument; runId: string }) {
  const bars = classBars(r.outputs, doc, r.classes, r.label);
  if (!bars) return <p data-testid="prediction">Prediction: <strong>{r.outputs.map(formatValue).join(', ')}</strong></p>;
  const order = bars.probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  return (
    <div>
      <p data-testid="prediction">Prediction: <strong>{bars.label}</strong> ({pct(order[0]?.[0])})</p>
      <ul className="ll-probs" data-testid="probabilities">
        {order.map(([p, i]) => (
          <li key={i}>
            <span className="ll-prob-label">{bars.classes[i] ?? i}</span>
            <span className="ll-prob-bar"><span style={{ width: `${Math.max(0.5, p * 100)}%` }} /></span>
            <span className="ll-prob-value">{pct(p)}</span>
          </li>
        ))}
      </ul>
      <ThresholdDecision runId={runId} classes={bars.classes} probs={bars.probs} />
    </div>
  );
}

interface FeatureInfo {
  names?: string[];
  /** The data's first sample, raw (as typed): a realistic starting point instead of all zeros. */
  example?: number[];
}

/** A feature model's inputs as the run's dataset has them (the Data tab's preview): names and a sample. */
function useFeatureInfo(run: RunView | undefined, enabled: boolean): FeatureInfo {
  const [info, setInfo] = useState<FeatureInfo>({});
  const dataset = run?.doc.dataset;
  useEffect(() => {
    setInfo({});
    if (!enabled || !dataset) return;
    let live = true;
    const docPath = useEditor.getState().filePath;
    getApi().data.preview({ dataset: { ...dataset, augmentation: undefined } as DatasetConfig, limit: 1, ...(docPath ? { docPath } : {}) })
      .then((p) => {
        if (!live) return;
        const f = (p as { featureNames?: unknown }).featureNames;
        const v = (p.samples?.[0] as { values?: unknown } | undefined)?.values;
        setInfo({
          ...(Array.isArray(f) && f.every((x) => typeof x === 'string') ? { names: f } : {}),
          ...(Array.isArray(v) && v.every((x) => typeof x === 'number') ? { example: v } : {}),
        });
      })
      .catch(() => undefined); // unlabelled, empty fields still work
    return () => {
      live = false;
    };
  }, [dataset, enabled]);
  return info;
}

export function TryItPanel() {
  const run = useEditor(currentRun);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shape = run ? inputShapeOf(run.doc) : undefined;
  const image = isImageShape(shape);
  const { names, example } = useFeatureInfo(run, !!run && !image);
  // Another run, another model: its own input and result.
  const runId = run?.runId;
  useEffect(() => setResult(null), [runId]);

  const predict = async (r: RunView, input: number[]) => {
    setError(null);
    const docPath = useEditor.getState().filePath;
    const where = docPath ? { docPath } : {};
    try {
      const p = await getApi().engine.predict({ runId: r.runId, doc: r.doc, inputs: [input], ...where });
      const res: Result = { outputs: p.outputs[0] ?? [], input, ...(p.classes ? { classes: p.classes, label: p.labels?.[0] } : {}) };
      setResult(res);
      if (image) {
        getApi().engine.saliency({ runId: r.runId, doc: r.doc, input, ...where })
          .then((saliency) => setResult((cur) => (cur === res ? { ...res, saliency } : cur)))
          .catch(() => undefined);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!run) return <p className="muted">Train a model first, then try it on your own input here.</p>;
  if (isActive(run.status)) return <p className="muted">{run.label} is still training.</p>;
  if (!run.end) return <p className="muted">{run.label} did not finish; train again to try it.</p>;
  const size = shape ? shape.reduce((a, b) => a * b, 1) : 0;
  const sample = example?.length === size ? example : undefined;
  return (
    <div className="ll-tryit" data-testid="tryit-panel">
      {image && shape ? (
        <DrawPad onInput={(c) => { const x = canvasToSample(c, shape); if (x) void predict(run, x); }} />
      ) : (
        <FeatureForm key={run.runId} size={size} {...(names ? { names } : {})} {...(sample ? { example: sample } : {})} onPredict={(x) => void predict(run, x)} />
      )}
      <div className="ll-tryit-result">
        <strong>{run.label}</strong>
        {error && <div className="ll-error" role="alert">{error}</div>}
        {result ? <Probabilities r={result} doc={run.doc} runId={run.runId} /> : <p className="muted">{image ? 'Draw a digit on the black square.' : 'Enter values and press Predict.'}</p>}
        {result && shape && <ExplainInputButton run={run} values={result.input} shape={shape} image={image} {...(result.classes ? { classes: result.classes } : {})} />}
        {result && image && shape && (
          <div className="ll-saliency">
            <figure>
              <SampleImage values={result.input} shape={shape} size={112} />
              <figcaption>model input</figcaption>
            </figure>
            {result.saliency && (
              <figure data-testid="saliency">
                <SampleImage values={result.input} shape={shape} overlay={result.saliency.values} size={112} />
                <figcaption>saliency for “{result.classes?.[result.saliency.classIndex] ?? result.saliency.classIndex}”</figcaption>
              </figure>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
