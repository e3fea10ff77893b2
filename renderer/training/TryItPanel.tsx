/**
 * The Try it tab: for image models, draw on a small canvas (white on black, like the digits) or drop
 * an image on it; for other models, type the feature values. The trained run predicts; the class
 * probabilities are shown as bars, and for image models a saliency map (|∂ top class / ∂ input|)
 * is drawn over the input.
 */
import { useEffect, useRef, useState, type DragEvent, type PointerEvent } from 'react';
import type { DatasetConfig, LoomDocument } from '../../shared/document';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { isActive, type RunView } from '../store/runs';
import { currentRun } from '../store/training';
import { isImageShape, pct } from './format';
import { SampleImage } from './SampleImage';

const PAD = 196;

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

function Probabilities({ r }: { r: Result }) {
  if (!r.classes) return <p data-testid="prediction">Prediction: <strong>{r.outputs.map((v) => +v.toPrecision(4)).join(', ')}</strong></p>;
  const order = r.outputs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  return (
    <div>
      <p data-testid="prediction">Prediction: <strong>{r.label}</strong> ({pct(order[0]?.[0])})</p>
      <ul className="ll-probs" data-testid="probabilities">
        {order.map(([p, i]) => (
          <li key={i}>
            <span className="ll-prob-label">{r.classes![i] ?? i}</span>
            <span className="ll-prob-bar"><span style={{ width: `${Math.max(0.5, p * 100)}%` }} /></span>
            <span className="ll-prob-value">{pct(p)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Downscale the drawing to the Input's H × W (grayscale or RGB), 0..255. */
function canvasToSample(canvas: HTMLCanvasElement, shape: number[]): number[] | null {
  const [h, w, c = 1] = shape.length >= 2 ? shape : [Math.round(Math.sqrt(shape[0]!)), Math.round(Math.sqrt(shape[0]!)), 1];
  const small = document.createElement('canvas');
  small.width = w!;
  small.height = h!;
  const ctx = small.getContext('2d');
  if (!ctx) return null;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(canvas, 0, 0, w!, h!);
  const px = ctx.getImageData(0, 0, w!, h!).data;
  const out: number[] = [];
  for (let p = 0; p < w! * h!; p++) {
    if (c === 3) out.push(px[p * 4]!, px[p * 4 + 1]!, px[p * 4 + 2]!);
    else out.push(Math.round(0.299 * px[p * 4]! + 0.587 * px[p * 4 + 1]! + 0.114 * px[p * 4 + 2]!));
  }
  return out;
}

function DrawPad({ onInput }: { onInput(canvas: HTMLCanvasElement): void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef<{ x: number; y: number } | null>(null);
  const [hover, setHover] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);
  const clear = () => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, PAD, PAD);
  };
  useEffect(clear, []);
  const pos = (e: PointerEvent) => {
    const r = ref.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * PAD, y: ((e.clientY - r.top) / r.height) * PAD };
  };
  const down = (e: PointerEvent) => {
    ref.current?.setPointerCapture?.(e.pointerId);
    drawing.current = pos(e);
    move(e);
  };
  const move = (e: PointerEvent) => {
    const ctx = ref.current?.getContext('2d');
    if (!drawing.current || !ctx) return;
    const p = pos(e);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 16;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(drawing.current.x, drawing.current.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    drawing.current = p;
  };
  const up = () => {
    if (!drawing.current) return;
    drawing.current = null;
    if (ref.current) onInput(ref.current);
  };
  const drop = async (e: DragEvent) => {
    e.preventDefault();
    setHover(false);
    const file = e.dataTransfer.files?.[0];
    if (!file) return;
    setDropError(null);
    let bmp: ImageBitmap;
    try {
      bmp = await createImageBitmap(file);
    } catch {
      // Said, not ignored: a dropped PDF or text file used to do nothing at all.
      setDropError(`${file.name} is not an image this browser can read: drop a PNG or JPEG.`);
      return;
    }
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    clear();
    const k = Math.min(PAD / bmp.width, PAD / bmp.height);
    ctx.drawImage(bmp, (PAD - bmp.width * k) / 2, (PAD - bmp.height * k) / 2, bmp.width * k, bmp.height * k);
    onInput(ref.current!);
  };
  return (
    <div className="ll-drawpad">
      <canvas ref={ref} width={PAD} height={PAD} className={hover ? 'drop' : undefined} data-testid="draw-pad"
        aria-label="Draw here, or drop an image" onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerLeave={up}
        onDragOver={(e) => { e.preventDefault(); setHover(true); }} onDragLeave={() => setHover(false)} onDrop={(e) => void drop(e)} />
      <div>
        <button type="button" onClick={() => { clear(); setDropError(null); }} data-testid="clear-pad">Clear</button>
        <span className="muted"> Draw with the mouse, or drop a PNG/JPEG.</span>
      </div>
      {dropError && <div className="field-error" role="alert" data-testid="drop-error">{dropError}</div>}
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
  const [features, setFeatures] = useState<string[]>([]);
  const shape = run ? inputShapeOf(run.doc) : undefined;
  const image = isImageShape(shape);
  const { names, example } = useFeatureInfo(run, !!run && !image);

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
        <form className="ll-features-form" onSubmit={(e) => { e.preventDefault(); void predict(run, Array.from({ length: size }, (_, i) => (features[i] ? Number(features[i]) || 0 : sample?.[i] ?? 0))); }}>
          <p className="muted">
            Type the {size} input value{size === 1 ? '' : 's'} (raw, as in the data; the run normalises them).
            {sample && ' An empty field takes the value of the data’s first sample, shown in grey.'}
          </p>
          <div className="ll-feature-grid">
            {Array.from({ length: Math.min(size, 64) }, (_, i) => {
              // Nine bare "0" boxes said nothing about which is which: each field is named after its column.
              const name = names?.length === size ? names[i]! : `feature ${i + 1}`;
              return (
                <label key={i} className="ll-feature" title={name}>
                  <span>{name}</span>
                  <input aria-label={name} value={features[i] ?? ''} placeholder={String(sample?.[i] ?? 0)} data-testid={`feature-${i}`}
                    onChange={(e) => setFeatures((f) => { const n = f.slice(); n[i] = e.target.value; return n; })} />
                </label>
              );
            })}
          </div>
          <button type="submit" className="primary" disabled={size > 64}>Predict</button>
          {size > 64 && <span className="muted"> (inputs with more than 64 values: use an image model or the CLI)</span>}
        </form>
      )}
      <div className="ll-tryit-result">
        <strong>{run.label}</strong>
        {error && <div className="ll-error" role="alert">{error}</div>}
        {result ? <Probabilities r={result} /> : <p className="muted">{image ? 'Draw a digit on the black square.' : 'Enter values and press Predict.'}</p>}
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
