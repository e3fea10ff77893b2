/**
 * Shape inference and parameter counting over any DAG. Pure, linear in nodes + edges, never throws:
 * every problem becomes a ModelError attached to the node that causes it, worded so a person can fix it.
 */
import { getLayerDef, isLayerType, resolveLayer, ShapeError, type AnyLayer, type QuickFix, type ResolvedParams, type Shape } from '../catalog';
import type { LoomDocument } from '../document/schema';
import { buildGraph, topoSort } from './graph';

export interface ModelError {
  /** The node the error belongs to; null for model-level problems (e.g. no Input at all). */
  nodeId: string | null;
  /** The param at fault, when one is. */
  field?: string;
  message: string;
  severity: 'error' | 'warning';
  /** A one-click fix the editor offers (and the CLI prints). */
  fix?: QuickFix;
}

export interface NodeInfo {
  id: string;
  type: string;
  /** Output shape without the batch dimension, or null when it cannot be computed. */
  outputShape: Shape | null;
  inputShapes: (Shape | null)[];
  /** Total parameters (trainable + non-trainable), as Keras' summary shows them. */
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  flops: number;
  /** Params with defaults filled and sizes normalised, as plain data (null for unknown types). */
  resolved: ResolvedParams | null;
  /** The same params typed by the node's layer type (null for unknown types). */
  layer: AnyLayer | null;
  errors: ModelError[];
}

export interface Analysis {
  nodes: Record<string, NodeInfo>;
  /** Topological order (nodes on cycles are left out). */
  order: string[];
  inputs: string[];
  /** Nodes with no outgoing edge: the model's outputs. */
  outputs: string[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  flops: number;
  errors: ModelError[];
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
// Params beyond this are not a model anyone can train here; also keeps sums exact in doubles.
const MAX_PARAMS = 2 ** 40;

export function analyze(doc: Pick<LoomDocument, 'nodes' | 'edges'>): Analysis {
  const g = buildGraph(doc);
  const { order, blocked, cycles } = topoSort(g);
  const nodes: Record<string, NodeInfo> = {};
  const errors: ModelError[] = [];
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));

  const err = (nodeId: string | null, message: string, extra: Partial<ModelError> = {}) => {
    const e: ModelError = { nodeId, message, severity: 'error', ...extra };
    errors.push(e);
    if (nodeId && nodes[nodeId]) nodes[nodeId].errors.push(e);
  };

  for (const n of doc.nodes) {
    nodes[n.id] = {
      id: n.id, type: n.type, outputShape: null, inputShapes: [], params: 0, trainableParams: 0,
      nonTrainableParams: 0, flops: 0, resolved: null, layer: null, errors: [],
    };
  }

  const reported = new Set<string>();
  for (const cycle of cycles) {
    // Long cycles are summarised: the message must stay readable (and small, for 10k-node graphs).
    const shown = cycle.length > 6 ? [...cycle.slice(0, 5), '…'] : [...cycle, cycle[0]!];
    const names = shown.map((id) => (id === '…' ? `… (${cycle.length} layers)` : `"${id}"`)).join(' → ');
    for (const id of cycle) {
      reported.add(id);
      err(id, cycle.length === 1
        ? `"${id}" is connected to itself: remove that edge`
        : `"${id}" is part of a cycle ${names}: a model must be acyclic, remove one of these edges`);
    }
  }
  for (const id of blocked) {
    if (!reported.has(id)) err(id, `"${id}" cannot be computed because an upstream layer is part of a cycle`, { severity: 'warning' });
  }

  const inputIds = doc.nodes.filter((n) => n.type === 'Input').map((n) => n.id);
  if (inputIds.length === 0 && doc.nodes.length > 0) {
    err(null, 'The model has no Input node: add an Input layer and connect it to the first layer');
  } else if (doc.nodes.length === 0) {
    err(null, 'The model is empty: drag an Input and some layers onto the canvas');
  }

  for (const id of order) {
    const node = byId.get(id)!;
    const info = nodes[id]!;
    const srcIds = g.inputsOf.get(id)!;
    info.inputShapes = srcIds.map((s) => nodes[s]!.outputShape);

    if (!isLayerType(node.type)) {
      err(id, `Unknown layer type "${node.type}": this version of Layerloom cannot build it; replace the node`, { field: 'type' });
      continue;
    }
    const def = getLayerDef(node.type);
    const { layer, issues } = resolveLayer(node.type, node.params);
    info.layer = layer;
    info.resolved = layer.p;
    for (const issue of issues) err(id, `${node.type} "${id}": ${issue.message}`, { field: issue.field });

    const n = srcIds.length;
    if (n < def.inputs.min || n > def.inputs.max) {
      let message: string;
      if (def.inputs.max === 0) message = `Input "${id}" cannot receive connections: remove the edge into it`;
      else if (n === 0) message = `${node.type} "${id}" has no input: connect a layer to it`;
      else if (def.inputs.min === def.inputs.max) message = `${node.type} "${id}" takes ${def.inputs.min} input${def.inputs.min > 1 ? 's' : ''} but has ${n}`;
      else if (n < def.inputs.min) message = `${node.type} "${id}" needs at least ${def.inputs.min} inputs but has ${n}: connect another layer`;
      else message = `${node.type} "${id}" takes at most ${def.inputs.max} inputs but has ${n}`;
      err(id, message);
      continue;
    }
    if (node.type === 'Input' && g.outputsOf.get(id)!.length === 0) {
      err(id, `Input "${id}" is not connected to any layer`, { severity: 'warning' });
    }
    // Upstream failed: this node's shape is unknown, but the root cause is reported there.
    if (info.inputShapes.some((s) => s === null)) continue;
    if (issues.length) continue;
    try {
      const r = def.infer({ inputs: info.inputShapes as Shape[], p: layer.p });
      if (r.shape.some((d) => !Number.isInteger(d) || d < 1)) {
        err(id, `${node.type} "${id}" would output ${fmt(r.shape)}, which has an empty dimension: the input ${fmt(info.inputShapes[0]!)} is too small for these params`);
        continue;
      }
      const total = r.params + (r.nonTrainable ?? 0);
      if (!Number.isFinite(total) || total > MAX_PARAMS) {
        err(id, `${node.type} "${id}" would have ${total.toExponential(2)} parameters: reduce its size`);
        continue;
      }
      info.outputShape = r.shape;
      info.trainableParams = r.params;
      info.nonTrainableParams = r.nonTrainable ?? 0;
      info.params = total;
      info.flops = r.flops ?? 0;
    } catch (e) {
      if (e instanceof ShapeError) err(id, e.message, { fix: e.fix, field: e.field });
      else err(id, `${node.type} "${id}": internal error in shape inference: ${(e as Error).message}`);
    }
  }

  let trainable = 0, nonTrainable = 0, flops = 0;
  for (const info of Object.values(nodes)) {
    trainable += info.trainableParams;
    nonTrainable += info.nonTrainableParams;
    flops += info.flops;
  }
  const outputs = g.ids.filter((id) => g.outputsOf.get(id)!.length === 0 && byId.get(id)!.type !== 'Input');
  return {
    nodes, order, inputs: inputIds, outputs,
    totalParams: trainable + nonTrainable, trainableParams: trainable, nonTrainableParams: nonTrainable, flops,
    errors,
  };
}

/** Only the blocking problems (warnings excluded). */
export const blockingErrors = (a: Analysis) => a.errors.filter((e) => e.severity === 'error');
