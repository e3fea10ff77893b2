/**
 * Divergence detection for the training loop: a run stops when its loss becomes NaN/Inf, or when the
 * loss of the recent batches is far above the loss of the untrained model (exploded, or saturated: at
 * learning rate 100 the MNIST CNN's clipped cross-entropy jumps from 2.3 to 14-16 after one Adam step
 * and stays there, accuracy at chance, without ever becoming NaN).
 *
 *   const watch = new DivergenceMonitor(startLoss, ['loss', 'accuracy']); // startLoss: before any update
 *   const d = watch.add([loss, accuracy], batchSize);                        // after every training batch
 *   if (d) throw new RunError(d.code, divergenceMessage(d, { epoch, batch }, learningRate), ...);
 *
 * The rule:
 * - start: the mean loss of the untrained model on the first START_SAMPLES training samples (the
 *   first batch alone is too few samples with small batches, and later batches already carry
 *   the first updates, which at learning rate 100 is the jump we look for);
 * - recent: the median of the batch losses over the latest batches, at least WINDOW_BATCHES batches
 *   and WINDOW_SAMPLES samples (a median: one spiky batch, or a batch holding a rare huge outlier,
 *   never fires);
 * - diverged when recent > FACTOR × start (and above a tiny floor, for losses that start at 0).
 * Healthy runs fall from their start (every template is checked, see docs/engine.md), so they stay
 * far below the factor. Not caught: a saturating loss that is less than 3x the start (e.g. 1000 or
 * more classes, whose start is ln 1000 = 6.9 against a saturation near 16).
 */

/** How many times above its start the recent loss must be. */
export const FACTOR = 3;
/** Training samples the start loss is measured on. */
export const START_SAMPLES = 256;
/** The recent window: at least this many batches... */
export const WINDOW_BATCHES = 5;
/** ...and at least this many samples. */
export const WINDOW_SAMPLES = 64;
/** Below this, a loss counts as zero (a model that starts perfect has no scale to compare with). */
const FLOOR = 1e-6;

export interface Divergence {
  /** `nan`: a value became NaN/Inf; `diverged`: the loss exploded or saturated far above its start. */
  code: 'nan' | 'diverged';
  /** For `nan`: 'NaN' or 'infinite', and which metric ('loss', 'accuracy', ...). */
  what?: 'NaN' | 'infinite';
  metric?: string;
  /** For `diverged`: the start loss, the recent (median) loss and how many batches that spans. */
  start?: number;
  recent?: number;
  window?: number;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export class DivergenceMonitor {
  /** The latest batches: [mean loss, size]. */
  private window: [number, number][] = [];
  private samples = 0;
  /** The largest recent/start ratio seen (diagnostics: how close a healthy run came). */
  peakRatio = 0;

  /** `start`: the untrained model's mean loss; `names`: the metrics `add` receives, in order. */
  constructor(private readonly start: number, private readonly names: readonly string[] = ['loss']) {}

  /** Record one batch (`values[0]` is its mean loss, the rest its other metrics); the divergence, if any. */
  add(values: readonly number[], size: number): Divergence | null {
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      return { code: 'nan', what: Number.isNaN(values[bad]) ? 'NaN' : 'infinite', metric: this.names[bad] ?? 'loss' };
    }
    this.window.push([values[0]!, size]);
    this.samples += size;
    while (this.window.length > WINDOW_BATCHES && this.samples - this.window[0]![1] >= WINDOW_SAMPLES) this.samples -= this.window.shift()![1];
    if (this.window.length < WINDOW_BATCHES || this.samples < WINDOW_SAMPLES || !Number.isFinite(this.start)) return null;
    const recent = median(this.window.map(([l]) => l));
    const ratio = recent / Math.max(this.start, FLOOR);
    this.peakRatio = Math.max(this.peakRatio, ratio);
    return ratio > FACTOR && recent > FLOOR ? { code: 'diverged', start: this.start, recent, window: this.window.length } : null;
  }
}

const num = (v: number) => (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : +v.toPrecision(3)).toString();

/** The sentence a person reads: what happened, where, and what to do (with the run's learning rate). */
export function divergenceMessage(d: Divergence, where: { epoch: number; batch?: number }, learningRate: number): string {
  const fix = `lower the learning rate (now ${learningRate}, e.g. to ${+(learningRate / 10).toPrecision(2)})`;
  const at = where.batch !== undefined ? `at epoch ${where.epoch}, batch ${where.batch}` : `at epoch ${where.epoch}`;
  if (d.code === 'nan') {
    const subject = d.metric && d.metric !== 'loss' ? `The ${d.metric}` : 'The loss';
    return `${subject} became ${d.what ?? 'NaN'} ${at}: ${fix}, normalise the inputs, or check the data for invalid values`;
  }
  return `The loss diverged ${at} (from ${num(d.start!)} before training to ${num(d.recent!)} over the last ${d.window} batches): ${fix}`;
}
