/**
 * Structured (channel) pruning on plain data: remove whole Conv1D/Conv2D filters and Dense units,
 * and rewrite both the document (fewer filters/units, so shape inference, parameter counts and FLOPs
 * follow) and the weights (the producer's output channels, the BatchNormalization statistics on the
 * way, and the consumers' input rows — through a Flatten, row p·C + c for position p, channel c).
 *
 * A layer is prunable when every path from it reaches a Dense/Conv1D/Conv2D consumer through
 * channel-wise layers only (pooling, dropout, element-wise activations, BatchNormalization, one
 * Flatten). Merges (Add, Concatenate, ...), Reshape, softmax activations, recurrent and attention
 * layers and the model's outputs stop it: their channels cannot be dropped without changing what
 * they compute. The result computes exactly what the original computes with the pruned channels'
 * contribution removed (the consumers' rows for them zeroed): see `zeroPrunedContributions`.
 */
import { analyze, buildGraph, type Analysis } from '../analysis';
import type { LoomDocument } from '../document';
import { channelL1, keepChannels } from './prune';

export interface TensorData {
  shape: number[];
  values: Float32Array;
}

/** Weights by node id, then by weight name (`kernel`, `bias`, `gamma`, `moving_mean`, ...). */
export type NodeWeights = Record<string, Record<string, TensorData>>;

export const PRUNABLE_TYPES = { Conv1D: 'filters', Conv2D: 'filters', Dense: 'units' } as const;
type PrunableType = keyof typeof PRUNABLE_TYPES;

/** Layers a channel passes through unchanged, channel by channel. */
const CHANNELWISE = new Set([
  'MaxPooling1D', 'AveragePooling1D', 'MaxPooling2D', 'AveragePooling2D',
  'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D',
  'Dropout', 'UpSampling2D', 'Activation',
]);

/** A layer downstream of a pruned producer whose weights are indexed by the producer's channels. */
export interface RouteStep {
  nodeId: string;
  /** `normalization`: BatchNormalization's per-channel vectors; `rows`: a Dense kernel's rows; `inChannels`: a convolution kernel's input axis. */
  role: 'normalization' | 'rows' | 'inChannels';
  /** Positions per channel after a Flatten (1 before): index p·C + c. */
  positions: number;
}

export interface ChannelCut {
  nodeId: string;
  type: PrunableType;
  param: 'filters' | 'units';
  before: number;
  /** Kept channels, ascending. */
  keep: number[];
  route: RouteStep[];
}

export interface ChannelPlan {
  cuts: ChannelCut[];
  /** Layers of a prunable type left whole, and why. */
  skipped: { nodeId: string; reason: string }[];
}

function isPrunable(type: string): type is PrunableType {
  return Object.prototype.hasOwnProperty.call(PRUNABLE_TYPES, type);
}

/** The downstream route of a producer's channels, or why there is none. */
export function channelRoute(doc: Pick<LoomDocument, 'nodes' | 'edges'>, nodeId: string, a: Analysis = analyze(doc)): RouteStep[] | string {
  const g = buildGraph(doc);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const channels = a.nodes[nodeId]?.outputShape?.at(-1);
  if (!channels) return 'its output shape is unknown';
  const route: RouteStep[] = [];
  const stack: { id: string; positions: number }[] = [{ id: nodeId, positions: 1 }];
  while (stack.length) {
    const { id, positions } = stack.pop()!;
    const next = g.outputsOf.get(id)!;
    if (next.length === 0) return id === nodeId ? 'it is a model output' : `its channels reach the model output through "${id}"`;
    for (const child of next) {
      const node = byId.get(child)!;
      if (g.inputsOf.get(child)!.length > 1) return `it feeds the merge layer ${node.type} "${child}"`;
      if (node.type === 'Dense') {
        route.push({ nodeId: child, role: 'rows', positions });
      } else if ((node.type === 'Conv1D' || node.type === 'Conv2D') && positions === 1) {
        route.push({ nodeId: child, role: 'inChannels', positions });
      } else if (node.type === 'BatchNormalization') {
        route.push({ nodeId: child, role: 'normalization', positions });
        stack.push({ id: child, positions });
      } else if (node.type === 'Flatten' && positions === 1) {
        const size = (a.nodes[child]?.outputShape ?? [0])[0]!;
        stack.push({ id: child, positions: size / channels });
      } else if (CHANNELWISE.has(node.type) && (node.type !== 'Activation' || node.params.activation !== 'softmax')) {
        stack.push({ id: child, positions });
      } else {
        return `${node.type} "${child}" after it cannot drop channels`;
      }
    }
  }
  return route;
}

/**
 * Which channels to remove: in every prunable Conv/Dense layer, the `fraction` with the smallest L1
 * norm of their kernel column (at least one channel stays).
 */
export function planChannelPruning(doc: Pick<LoomDocument, 'nodes' | 'edges'>, weights: NodeWeights, fraction: number): ChannelPlan {
  const a = analyze(doc);
  const plan: ChannelPlan = { cuts: [], skipped: [] };
  for (const id of a.order) {
    const node = doc.nodes.find((n) => n.id === id)!;
    if (!isPrunable(node.type)) continue;
    const kernel = weights[id]?.kernel;
    if (!kernel) throw new Error(`No kernel weights for ${node.type} "${id}"`);
    const route = channelRoute(doc, id, a);
    if (typeof route === 'string') {
      plan.skipped.push({ nodeId: id, reason: route });
      continue;
    }
    const before = kernel.shape.at(-1)!;
    const keep = keepChannels(channelL1(kernel.values, kernel.shape), fraction);
    if (keep.length === before) {
      plan.skipped.push({ nodeId: id, reason: `removing ${Math.round(fraction * 100)} % of ${before} channels leaves all of them` });
      continue;
    }
    plan.cuts.push({ nodeId: id, type: node.type, param: PRUNABLE_TYPES[node.type], before, keep, route });
  }
  return plan;
}

/** Keep the indices `keep` of one axis. */
export function sliceAxis(t: TensorData, axis: number, keep: readonly number[]): TensorData {
  const dim = t.shape[axis]!;
  const outer = t.shape.slice(0, axis).reduce((x, y) => x * y, 1);
  const inner = t.shape.slice(axis + 1).reduce((x, y) => x * y, 1);
  const values = new Float32Array(outer * keep.length * inner);
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const k of keep) {
      values.set(t.values.subarray((i * dim + k) * inner, (i * dim + k + 1) * inner), o);
      o += inner;
    }
  }
  return { shape: t.shape.map((d, i) => (i === axis ? keep.length : d)), values };
}

/** The input indices a route step keeps: p·C + c for every position p and kept channel c. */
export function routeIndices(step: Pick<RouteStep, 'positions'>, channels: number, keep: readonly number[]): number[] {
  const out: number[] = [];
  for (let p = 0; p < step.positions; p++) for (const c of keep) out.push(p * channels + c);
  return out;
}

function copyWeights(w: NodeWeights): NodeWeights {
  return Object.fromEntries(Object.entries(w).map(([id, ws]) => [id, { ...ws }]));
}

/** The axis a route step's weight is sliced on, for each weight of that node. */
function stepAxis(step: RouteStep, name: string, t: TensorData): number | null {
  if (step.role === 'normalization') return 0;
  if (name !== 'kernel') return null;
  return step.role === 'rows' ? 0 : t.shape.length - 2;
}

/** The smaller document and weights. */
export function applyChannelPlan<D extends Pick<LoomDocument, 'nodes' | 'edges'>>(doc: D, weights: NodeWeights, plan: ChannelPlan): { doc: D; weights: NodeWeights } {
  const out = copyWeights(weights);
  const widths = new Map(plan.cuts.map((c) => [c.nodeId, c]));
  for (const cut of plan.cuts) {
    const own = out[cut.nodeId]!;
    for (const name of Object.keys(own)) {
      // kernel [..., out] and bias [out]: both on the last axis
      own[name] = sliceAxis(own[name]!, own[name]!.shape.length - 1, cut.keep);
    }
    for (const step of cut.route) {
      const ws = out[step.nodeId]!;
      const keep = routeIndices(step, cut.before, cut.keep);
      for (const name of Object.keys(ws)) {
        const axis = stepAxis(step, name, ws[name]!);
        if (axis !== null) ws[name] = sliceAxis(ws[name]!, axis, keep);
      }
    }
  }
  const nodes = doc.nodes.map((n) => {
    const cut = widths.get(n.id);
    return cut ? { ...n, params: { ...n.params, [cut.param]: cut.keep.length } } : n;
  });
  return { doc: { ...doc, nodes }, weights: out };
}

/**
 * The original weights with the pruned channels' contribution removed: the consumers' rows (and
 * input channels) that read a pruned channel set to zero, nothing else changed. The pruned model
 * must compute exactly what this computes.
 */
export function zeroPrunedContributions(weights: NodeWeights, plan: ChannelPlan): NodeWeights {
  const out = copyWeights(weights);
  for (const cut of plan.cuts) {
    const dropped = [...Array(cut.before).keys()].filter((c) => !cut.keep.includes(c));
    for (const step of cut.route) {
      if (step.role === 'normalization') continue;
      const k = out[step.nodeId]!.kernel!;
      const axis = step.role === 'rows' ? 0 : k.shape.length - 2;
      const rows = new Set(routeIndices(step, cut.before, dropped));
      const dim = k.shape[axis]!;
      const inner = k.shape.slice(axis + 1).reduce((x, y) => x * y, 1);
      const values = Float32Array.from(k.values);
      for (let i = 0; i < values.length; i++) if (rows.has(Math.floor(i / inner) % dim)) values[i] = 0;
      out[step.nodeId]!.kernel = { shape: k.shape, values };
    }
  }
  return out;
}
