/**
 * The export plan: a validated document flattened into what every exporter needs — nodes in
 * topological order with resolved params, input/output shapes, model inputs/outputs, and safe
 * identifiers for generated code. Exporters never re-derive any of this.
 */
import { analyze, blockingErrors, buildGraph } from '../analysis';
import { isLayer, UnknownLayerTypeError, type LayerOf, type LayerType, type Shape } from '../catalog';
import type { LoomDocument } from '../document/schema';

/**
 * One node of the plan: its layer type with its resolved params (`p`, every param with defaults
 * filled, sizes as int tuples) typed together, and where it sits in the graph.
 */
export interface PlanNodeOf<T extends LayerType> extends LayerOf<T> {
  id: string;
  /** Source node ids in input-port order. */
  inputs: string[];
  inShapes: Shape[];
  /** Output shape without the batch dimension, channels-last. */
  outShape: Shape;
  /** A Python identifier for this node (unique, not a keyword, not a name generated code uses). */
  py: string;
}

/** A node of any layer type (narrow with `isLayer(n, 'Conv2D')`). */
export type PlanNode = PlanNodeOf<LayerType>;

export interface ExportPlan {
  name: string;
  nodes: PlanNode[];
  byId: Map<string, PlanNode>;
  /** Input node ids, in the engine model's input order (Inputs wired to nothing are left out). */
  inputs: string[];
  /** Output node ids, in the engine model's output order. */
  outputs: string[];
  doc: LoomDocument;
}

/** One layer a format cannot express. */
export interface Unsupported {
  nodeId: string;
  type: string;
  reason: string;
}

/** The document cannot be exported to a format; `unsupported` lists every offending node. */
export class ExportError extends Error {
  constructor(message: string, readonly unsupported: Unsupported[] = []) {
    super(message);
    this.name = 'ExportError';
  }
}

const PY_KEYWORDS = new Set(('False None True and as assert async await break class continue def del elif else except finally for ' +
  'from global if import in is lambda nonlocal not or pass raise return try while with yield').split(' '));
const RESERVED = new Set(['x', 'self', 'torch', 'nn', 'F', 'np', 'math', 'keras', 'layers', 'ops', 'Model', 'model', 'inputs',
  'outputs', 'super', 'print', 'len', 'range', 'list', 'dict', 'tuple', 'type', 'input', 'id', 'sum', 'max', 'min',
  'os', 'time', 'next', 'iter', 'map', 'filter', 'abs', 'all', 'any', 'open', 'str', 'int', 'float', 'bool', 'zip', 'format',
  'object', 'hash', 'vars', 'dist', 'argparse', 'identity', 'hard_sigmoid', 'softmax_last', 'avg_pool_same', 'upsample_bilinear_tf',
  'build_model', 'load_model', 'example_inputs', 'main', 'INPUTS', 'OUTPUTS']);

/** Make node ids into unique Python identifiers (ids may contain `.` and `-`). */
export function pythonNames(ids: string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const id of ids) {
    let base = id.replace(/[^A-Za-z0-9_]/g, '_');
    if (/^[0-9]/.test(base)) base = `n_${base}`;
    if (PY_KEYWORDS.has(base) || RESERVED.has(base) || base.startsWith('__')) base = `${base.replace(/^_+/, '')}_node`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    out.set(id, name);
  }
  return out;
}

export function makePlan(doc: LoomDocument): ExportPlan {
  const a = analyze(doc);
  const blocking = blockingErrors(a);
  if (blocking.length) {
    throw new ExportError(`The model has errors; fix them before exporting: ${blocking.slice(0, 3)
      .map((e) => `${e.nodeId ?? 'model'}: ${e.message}`).join('; ')}`);
  }
  if (a.outputs.length === 0) throw new ExportError('The model has no output: connect a layer after the Input');
  const g = buildGraph(doc);
  const names = pythonNames(a.order);
  const nodes: PlanNode[] = a.order.map((id) => {
    const info = a.nodes[id]!;
    if (!info.layer) throw new UnknownLayerTypeError(info.type, id);
    return {
      id, type: info.layer.type, p: info.layer.p, inputs: g.inputsOf.get(id)!,
      inShapes: info.inputShapes.map((s) => s!), outShape: info.outputShape!, py: names.get(id)!,
    };
  });
  const inputs = a.inputs.filter((id) => g.outputsOf.get(id)!.length > 0);
  const used = new Set([...inputs, ...nodes.filter((n) => n.type !== 'Input').map((n) => n.id)]);
  const plan = nodes.filter((n) => used.has(n.id));
  // An Input wired to nothing is neither an input nor an output of the exported model.
  const outputs = a.outputs.filter((id) => used.has(id));
  if (outputs.length === 0) throw new ExportError('The model has no output: connect a layer after the Input');
  return { name: doc.name ?? 'model', nodes: plan, byId: new Map(plan.map((n) => [n.id, n])), inputs, outputs, doc };
}

/** The Input node `id` of the plan (the model's inputs are Input nodes). */
export function inputNode(plan: ExportPlan, id: string): PlanNodeOf<'Input'> {
  const n = plan.byId.get(id);
  if (!n || !isLayer(n, 'Input')) throw new ExportError(`"${id}" is not an Input of the model`);
  return n;
}

/** Document or plan → plan: callers that already planned pass the plan, so one export plans once. */
export const planOf = (d: LoomDocument | ExportPlan): ExportPlan => ('byId' in d ? d : makePlan(d));

/** TF "same" padding along one axis: [before, after] (the extra pixel goes after, as in TensorFlow). */
export function samePads(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const out = Math.ceil(size / stride);
  const eff = (kernel - 1) * dilation + 1;
  const total = Math.max((out - 1) * stride + eff - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** A class-like name for the model, from the document name. */
export function modelClassName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1));
  const s = words.join('');
  return /^[A-Za-z]/.test(s) ? s : `Model${s}`;
}

/** Python string literal. */
export const pyStr = (s: string) => JSON.stringify(s);
/** Python literal for a JS number / bool / null / array. */
export function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return pyStr(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${py(v[0])},)` : `(${v.map(py).join(', ')})`;
  throw new Error(`py: cannot write ${typeof v}`);
}
