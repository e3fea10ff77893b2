/**
 * How much memory training a model needs, estimated from the analysis before anything is allocated,
 * and whether that fits. Pure: the engine checks it before compiling and before the first batch
 * (electron/engine/memory.ts, with the machine's memory and the backend's limit); the editor can
 * show the same numbers.
 *
 * Counted, as float32: every parameter (weights), a gradient per trainable parameter, the
 * optimizer's state per trainable parameter (Adam 2 slots, RMSprop 1 or 2, Adagrad 1, SGD with
 * momentum 1), and per sample in a batch every layer's output twice (the value kept for the
 * backward pass and its gradient), plus what recurrent layers keep per time step and attention
 * scores (one head). An estimate of what must be live at once, not a bound on peak use: tfjs'
 * transient copies and the data itself come on top.
 */
import type { Analysis, NodeInfo } from './infer';

const FLOAT = 4;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** What the optimizer keeps per trainable parameter. */
export function optimizerSlots(optimizer: string, momentum = 0): number {
  if (optimizer === 'adam') return 2;
  if (optimizer === 'rmsprop') return momentum > 0 ? 2 : 1;
  if (optimizer === 'adagrad') return 1;
  return momentum > 0 ? 1 : 0; // sgd
}

/** Floats a layer keeps per sample for the backward pass, besides its output. */
function internalsPerSample(info: NodeInfo): number {
  const inShape = info.inputShapes[0];
  const out = info.outputShape;
  if (!inShape || !out || inShape.length < 2) return 0;
  const steps = inShape[0]!;
  const units = out[out.length - 1]!;
  // Per time step: LSTM gates (4U), c, tanh(c), h; GRU z, r, hh, h and the reset product; SimpleRNN h, pre-activation.
  const perStep: Record<string, number> = { LSTM: 7, GRU: 6, SimpleRNN: 2, Bidirectional: 7 };
  if (info.type in perStep) return steps * units * perStep[info.type]!;
  if (info.type === 'MultiHeadAttention' || info.type === 'TransformerEncoder') return 2 * steps * steps;
  return 0;
}

export interface MemoryEstimate {
  batchSize: number;
  /** Bytes. */
  weights: number;
  gradients: number;
  optimizerState: number;
  activations: number;
  total: number;
  params: number;
  /** Activation bytes per sample (so `activations = batchSize × perSample`). */
  activationsPerSample: number;
  /** The layer with the most parameters and the one whose outputs take the most memory: what to change. */
  largestParams?: { nodeId: string; type: string; params: number };
  largestActivation?: { nodeId: string; type: string; shape: number[]; perSample: number };
}

export interface TrainingMemorySettings {
  batchSize: number;
  optimizer: string;
  momentum?: number;
}

/** The estimate for training `analysis` with these settings (nodes without a known shape count nothing). */
export function estimateTrainingMemory(analysis: Analysis, t: TrainingMemorySettings): MemoryEstimate {
  let perSample = 0;
  let largestParams: MemoryEstimate['largestParams'];
  let largestActivation: MemoryEstimate['largestActivation'];
  for (const id of analysis.order) {
    const info = analysis.nodes[id]!;
    if (info.params > (largestParams?.params ?? 0)) largestParams = { nodeId: id, type: info.type, params: info.params };
    if (!info.outputShape) continue;
    const bytes = (2 * size(info.outputShape) + internalsPerSample(info)) * FLOAT;
    perSample += bytes;
    if (bytes > (largestActivation?.perSample ?? 0)) largestActivation = { nodeId: id, type: info.type, shape: info.outputShape, perSample: bytes };
  }
  const weights = analysis.totalParams * FLOAT;
  const gradients = analysis.trainableParams * FLOAT;
  const optimizerState = analysis.trainableParams * FLOAT * optimizerSlots(t.optimizer, t.momentum);
  const activations = perSample * t.batchSize;
  return {
    batchSize: t.batchSize, weights, gradients, optimizerState, activations, total: weights + gradients + optimizerState + activations,
    params: analysis.totalParams, activationsPerSample: perSample,
    ...(largestParams ? { largestParams } : {}), ...(largestActivation ? { largestActivation } : {}),
  };
}

export interface MemoryLimit {
  /** Bytes training may use. */
  bytes: number;
  /** What the limit is, for people: "this machine's memory (16 GiB)". */
  what: string;
}

/** Above this share of the limit a run is warned about. */
export const MEMORY_WARN_SHARE = 0.5;

export type MemoryVerdict = { level: 'ok' } | { level: 'warn' | 'refuse'; message: string; nodeId?: string };

/** "1.5 GiB", "320 MiB", "12 KiB". */
export function formatMemory(bytes: number): string {
  const units: [number, string][] = [[2 ** 40, 'TiB'], [2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']];
  for (const [u, name] of units) if (bytes >= u) return `${+(bytes / u).toPrecision(3)} ${name}`;
  return `${bytes} B`;
}

const count = (n: number) => (n >= 1e6 ? n.toExponential(2).replace('e+', 'e') : n.toLocaleString('en-US'));

/** The largest batch size whose estimate fits within `bytes` (0 when even the weights do not). */
export function largestBatchWithin(e: MemoryEstimate, bytes: number): number {
  const fixed = e.weights + e.gradients + e.optimizerState;
  if (e.activationsPerSample <= 0) return fixed <= bytes ? Infinity : 0;
  return Math.max(0, Math.floor((bytes - fixed) / e.activationsPerSample));
}

/** What to change, biggest cost first. */
function advice(e: MemoryEstimate, limit: MemoryLimit): { text: string; nodeId?: string } {
  const fixed = e.weights + e.gradients + e.optimizerState;
  const lp = e.largestParams;
  const la = e.largestActivation;
  if (fixed >= e.activations && lp) {
    return { text: `"${lp.nodeId}" (${lp.type}) holds ${count(lp.params)} of the ${count(e.params)} parameters: give it fewer units or filters, or make its input smaller (pooling, strides)`, nodeId: lp.nodeId };
  }
  const fits = largestBatchWithin(e, limit.bytes * MEMORY_WARN_SHARE);
  const batch = fits >= 1 && fits < e.batchSize ? `use a batch size of at most ${fits} (now ${e.batchSize})` : `use a smaller batch size (now ${e.batchSize})`;
  const where = la ? `; the largest outputs are those of "${la.nodeId}" (${la.type}, [${la.shape.join(', ')}] per sample): fewer units or filters there, or more pooling before it` : '';
  return { text: `${batch}${where}`, ...(la ? { nodeId: la.nodeId } : {}) };
}

/** Refuse above the limit, warn above MEMORY_WARN_SHARE of it, with the estimate and what to change. */
export function checkMemory(e: MemoryEstimate, limit: MemoryLimit): MemoryVerdict {
  if (e.total <= limit.bytes * MEMORY_WARN_SHARE) return { level: 'ok' };
  const parts = [
    `weights ${formatMemory(e.weights)} for ${count(e.params)} parameters`,
    e.gradients ? `their gradients ${formatMemory(e.gradients)}` : '',
    e.optimizerState ? `the optimizer's state ${formatMemory(e.optimizerState)}` : '',
    `layer outputs ${formatMemory(e.activations)} at batch size ${e.batchSize}`,
  ].filter(Boolean).join(', ');
  const refuse = e.total > limit.bytes;
  const { text, nodeId } = advice(e, limit);
  const head = refuse
    ? `Training this model needs about ${formatMemory(e.total)} (${parts}), more than ${limit.what}`
    : `Training this model needs about ${formatMemory(e.total)} (${parts}), more than half of ${limit.what}`;
  return { level: refuse ? 'refuse' : 'warn', message: `${head}: ${text}`, ...(nodeId ? { nodeId } : {}) };
}
