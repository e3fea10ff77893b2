/**
 * Import: a TF.js `model.json` or a Keras JSON topology (`model.to_json()`, Keras 2 or 3, functional
 * or sequential) → an editable `.loom` document with a layered auto layout, plus the weights (by node
 * id, TF.js order) when the caller decoded them.
 *
 * A layer Layerloom cannot represent (an unknown class, or a known class with a setting it cannot
 * express) becomes a placeholder node: same name and connections, type `Unsupported<Class>`, its
 * Keras config and the reason kept in its params. The analysis shows it in red ("Unknown layer
 * type"), so the person sees exactly what to replace; nothing is guessed. Only what leaves no graph
 * to show (not a topology, an unsupported Input, shared layers, inputs from missing layers) refuses
 * the whole file, with one list (`ok: false`).
 */
import type { LoomDocument } from '../../document/schema';
import type { HostTensor, NodeWeights } from '../tensor';
import { getLayerDef, isLayerType } from '../../catalog';
import { analyzeLayerParams, isObject, objectOf, type JsonObject } from './read-config';

export interface ImportProblem {
  layer: string;
  className: string;
  reason: string;
}

/** The node type of a placeholder for the Keras class `className`. */
export const placeholderType = (className: string) => `Unsupported${className.replace(/[^A-Za-z0-9_]/g, '')}`.slice(0, 64);

export type ImportResult =
  | {
      ok: true;
      doc: LoomDocument;
      /** By node id; placeholders have none (their weights are dropped, see warnings). */
      weights: NodeWeights | null;
      warnings: string[];
      /** Layers imported as placeholders (to be replaced before the model builds). */
      placeholders: ImportProblem[];
    }
  | { ok: false; message: string; problems: ImportProblem[] };

interface RawLayer {
  name: string;
  className: string;
  config: JsonObject;
  /** Source layer names in call order. */
  inputs: string[];
}

const NODE_ID = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function nodeIds(names: string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const name of names) {
    let base = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60);
    if (!/^[A-Za-z_]/.test(base)) base = `n_${base}`.slice(0, 60);
    if (['__proto__', 'constructor', 'prototype'].includes(base)) base = `${base}_`;
    let id = base;
    for (let i = 2; used.has(id) || !NODE_ID.test(id); i++) id = `${base}_${i}`;
    used.add(id);
    out.set(name, id);
  }
  return out;
}

/** Layer names referenced by a Keras 3 call's args/kwargs (keras_history), in order. */
function kerasTensors(v: unknown, out: string[]): void {
  if (Array.isArray(v)) {
    v.forEach((x) => kerasTensors(x, out));
  } else if (isObject(v)) {
    const history = objectOf(v.config).keras_history;
    if (v.class_name === '__keras_tensor__' && Array.isArray(history)) out.push(String(history[0]));
    else Object.values(v).forEach((x) => kerasTensors(x, out));
  }
}

function inboundOf(layer: JsonObject, problems: ImportProblem[]): string[] {
  const nodes = layer.inbound_nodes ?? [];
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  if (nodes.length > 1) {
    const name = String(layer.name ?? objectOf(layer.config).name);
    problems.push({ layer: name, className: String(layer.class_name), reason: 'the layer is called more than once (shared weights); Layerloom layers are applied once' });
  }
  const first: unknown = nodes[0];
  // Keras 2 / TF.js: [[name, node, tensor, kwargs], ...]
  if (Array.isArray(first)) return first.map((t) => String(Array.isArray(t) ? t[0] : t));
  const names: string[] = [];
  kerasTensors([objectOf(first).args, objectOf(first).kwargs], names); // Keras 3: {args, kwargs}
  return names;
}

/** The Keras model topology inside any of the accepted wrappers. */
function topologyOf(json: JsonObject): JsonObject {
  if (json.modelTopology) return topologyOf(objectOf(json.modelTopology));
  if (json.model_config) return objectOf(json.model_config);
  return json;
}

const first = (v: unknown) => (Array.isArray(v) ? v[0] : undefined);

function rawLayers(topo: JsonObject, problems: ImportProblem[]): { layers: RawLayer[]; outputs: string[] } {
  const cls = topo.class_name;
  const cfg = topo.config ?? {};
  const entries = Array.isArray(cfg) ? cfg : objectOf(cfg).layers ?? [];
  const list = (Array.isArray(entries) ? entries : []).map(objectOf);
  if (cls === 'Sequential') {
    const layers: RawLayer[] = [];
    let prev: string | null = null;
    const head = list[0];
    const headCfg = objectOf(head?.config);
    const shape = headCfg.batch_input_shape ?? headCfg.batch_shape ?? objectOf(head?.build_config).input_shape;
    if (head && head.class_name !== 'InputLayer' && shape) {
      layers.push({ name: 'input', className: 'InputLayer', config: { batch_input_shape: shape, dtype: headCfg.dtype === 'int32' ? 'int32' : 'float32' }, inputs: [] });
      prev = 'input';
    }
    for (const l of list) {
      const config = objectOf(l.config);
      const name = String(config.name ?? l.name);
      layers.push({ name, className: String(l.class_name), config, inputs: prev ? [prev] : [] });
      prev = name;
    }
    return flattenNested({ layers, outputs: prev ? [prev] : [] }, problems);
  }
  if (cls !== 'Model' && cls !== 'Functional') {
    throw new Error(`not a Keras/TF.js model topology (class_name "${String(cls ?? 'missing')}"; expected Model, Functional or Sequential)`);
  }
  const layers = list.map((l) => {
    const config = objectOf(l.config);
    return { name: String(l.name ?? config.name), className: String(l.class_name), config, inputs: inboundOf(l, problems) };
  });
  const outs = objectOf(cfg).output_layers ?? [];
  const outputs = (Array.isArray(outs) && Array.isArray(outs[0]) ? outs : [outs]).map((o) => String(first(o)));
  return flattenNested({ layers, outputs }, problems);
}

const NESTED_MODELS = new Set(['Sequential', 'Model', 'Functional']);

/**
 * A model used as a layer (Teachable Machine: a MobileNet `Model` inside a `Sequential`, then a
 * `Sequential` head) is replaced by its own layers: its inputs take the outer layer's inputs (or
 * stay the model's inputs when it comes first), and what read the nested model reads its output.
 * Weights keep matching: TF.js and Keras 2 name them after the inner layers.
 */
function flattenNested(parsed: { layers: RawLayer[]; outputs: string[] }, problems: ImportProblem[]): { layers: RawLayer[]; outputs: string[] } {
  if (!parsed.layers.some((l) => NESTED_MODELS.has(l.className))) return parsed;
  const outputOf = new Map<string, string>();
  const via = (n: string) => outputOf.get(n) ?? n;
  const layers: RawLayer[] = [];
  for (const l of parsed.layers) {
    const inputs = l.inputs.map(via);
    if (!NESTED_MODELS.has(l.className)) {
      layers.push({ ...l, inputs });
      continue;
    }
    const inner = rawLayers({ class_name: l.className, config: l.config }, problems);
    if (inner.outputs.length !== 1) {
      problems.push({ layer: l.name, className: l.className, reason: `a nested model with ${inner.outputs.length} outputs cannot be flattened (one output only)` });
      continue;
    }
    const entries = inner.layers.filter((x) => x.inputs.length === 0);
    if (inputs.length && entries.length !== inputs.length) {
      problems.push({ layer: l.name, className: l.className, reason: `the nested model takes ${entries.length} inputs but is given ${inputs.length}` });
      continue;
    }
    // Given inputs: the nested model's own InputLayers go, their readers read the given tensors.
    const feed = new Map<string, string>(inputs.length ? entries.map((e, i) => [e.name, inputs[i]!] as const) : []);
    for (const x of inner.layers) {
      if (feed.has(x.name) && x.className === 'InputLayer') continue;
      const xin = x.inputs.length === 0 && feed.has(x.name) ? [feed.get(x.name)!] : x.inputs.map((n) => (feed.has(n) ? feed.get(n)! : n));
      layers.push({ ...x, inputs: xin });
    }
    outputOf.set(l.name, (feed.has(inner.outputs[0]!) ? feed.get(inner.outputs[0]!) : inner.outputs[0])!);
  }
  return { layers, outputs: parsed.outputs.map(via) };
}

/** Depth-layered positions: x by longest path from an input, y by order within a depth. */
export function autoLayout(nodes: { id: string }[], edges: { from: string; to: string }[]): Record<string, { x: number; y: number }> {
  const depth = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < nodes.length; pass++) {
    let changed = false;
    for (const e of edges) {
      const d = (depth.get(e.from) ?? 0) + 1;
      if (d > (depth.get(e.to) ?? 0)) {
        depth.set(e.to, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const perDepth = new Map<number, number>();
  const out: Record<string, { x: number; y: number }> = {};
  for (const n of nodes) {
    const d = depth.get(n.id)!;
    const row = perDepth.get(d) ?? 0;
    perDepth.set(d, row + 1);
    out[n.id] = { x: row * 260, y: d * 140 };
  }
  return out;
}

export interface ImportOptions {
  /** Document name (defaults to the model's name). */
  name?: string;
  /** Decoded weights by TF.js/Keras weight name (`<layer>/<weight>`), in manifest order. */
  weights?: [string, HostTensor][];
  /**
   * The size given to an input's variable dimensions (`[null, null]`: Keras text models take any
   * length). Without it, DEFAULT_SEQUENCE_LENGTH, with a warning saying how to change it.
   */
  sequenceLength?: number;
}

/** The length a variable-length input gets when the person gave none (the Input's shape is editable afterwards). */
export const DEFAULT_SEQUENCE_LENGTH = 100;

/** An input layer's config with its variable (null) dimensions given `length`, and whether any were. */
function concreteInput(config: JsonObject, length: number): { config: JsonObject; variable: boolean } {
  const key = ['batch_input_shape', 'batch_shape'].find((k) => Array.isArray(config[k]));
  const shape = key ? (config[key] as unknown[]) : Array.isArray(config.input_shape) ? [null, ...config.input_shape] : null;
  if (!shape || !shape.slice(1).some((d) => d === null)) return { config, variable: false };
  const fixed = [shape[0] ?? null, ...shape.slice(1).map((d) => (d === null ? length : d))];
  return { config: { ...config, [key ?? 'batch_input_shape']: fixed }, variable: true };
}

/** Convert a parsed TF.js model.json or Keras JSON topology. Never throws on bad layers: lists them. */
export function importTopology(json: unknown, opts: ImportOptions = {}): ImportResult {
  if (!json || typeof json !== 'object') return { ok: false, message: 'The file is not a JSON object', problems: [] };
  const problems: ImportProblem[] = [];
  const warnings: string[] = [];
  const topo = topologyOf(objectOf(json));
  let parsed: { layers: RawLayer[]; outputs: string[] };
  try {
    parsed = rawLayers(topo, problems);
  } catch (e) {
    return { ok: false, message: (e as Error).message, problems: [] };
  }
  const ids = nodeIds(parsed.layers.map((l) => l.name));
  const nodes: LoomDocument['nodes'] = [];
  const placeholders: ImportProblem[] = [];
  const length = opts.sequenceLength ?? DEFAULT_SEQUENCE_LENGTH;
  for (const l of parsed.layers) {
    if (l.className === 'InputLayer') {
      const c = concreteInput(l.config, length);
      l.config = c.config;
      if (c.variable && opts.sequenceLength === undefined) {
        warnings.push(`${l.name}: the input takes sequences of any length; imported with length ${length}. Set the Input's shape to your data's length (the weights do not depend on it)`);
      } else if (c.variable) {
        warnings.push(`${l.name}: the input takes sequences of any length; imported with length ${length}, as asked`);
      }
    }
    const r = withArity(analyzeLayerParams(l.className, l.config), l.inputs.length);
    if (!('reason' in r)) {
      nodes.push({ id: ids.get(l.name)!, type: r.type, params: r.params });
      warnings.push(...r.warnings.map((w) => `${l.name}: ${w}`));
    } else if (l.className === 'InputLayer' || l.inputs.length === 0) {
      // Without its Input there is no graph to show (shapes, placeholders downstream): refuse.
      problems.push({ layer: l.name, className: l.className, reason: r.reason });
    } else {
      placeholders.push({ layer: l.name, className: l.className, reason: r.reason });
      nodes.push({ id: ids.get(l.name)!, type: placeholderType(l.className), params: { reason: r.reason, keras: jsonSafe(l.config) } });
    }
  }
  const known = new Set(parsed.layers.map((l) => l.name));
  for (const l of parsed.layers) {
    for (const src of l.inputs) {
      if (!known.has(src)) problems.push({ layer: l.name, className: l.className, reason: `its input "${src}" is not a layer of this model` });
    }
  }
  if (problems.length) {
    const list = problems.map((p) => `  ${p.layer} (${p.className}): ${p.reason}`).join('\n');
    return { ok: false, message: `${problems.length} layer${problems.length > 1 ? 's' : ''} cannot be imported:\n${list}`, problems };
  }
  const edges = parsed.layers.flatMap((l) => l.inputs.map((src) => ({ from: ids.get(src)!, to: ids.get(l.name)! })));
  tokenInputs(nodes, edges);
  // Outputs in Layerloom are the nodes without outgoing edges; warn when the file marks others.
  const sinks = new Set(nodes.map((n) => n.id).filter((id) => !edges.some((e) => e.from === id)));
  const declared = parsed.outputs.map((o) => ids.get(o)).filter((x): x is string => !!x);
  if (declared.length && (declared.length !== sinks.size || declared.some((d) => !sinks.has(d)))) {
    warnings.push(`the model's declared outputs (${declared.join(', ')}) differ from its final layers (${[...sinks].join(', ')}); Layerloom uses the final layers`);
  }

  let weights: NodeWeights | null = null;
  if (opts.weights) {
    weights = {};
    for (const l of parsed.layers) weights[ids.get(l.name)!] = [];
    const held = new Set(placeholders.map((p) => ids.get(p.layer)!));
    const dropped = new Set<string>();
    for (const [name, t] of opts.weights) {
      const layer = layerOfWeight(name, known);
      const id = layer === undefined ? undefined : ids.get(layer);
      if (id === undefined) warnings.push(`weight "${name}" belongs to no layer; ignored`);
      else if (held.has(id)) dropped.add(id);
      else weights[id]!.push(t);
    }
    for (const id of held) delete weights[id];
    if (dropped.size) warnings.push(`the weights of ${[...dropped].join(', ')} were not kept (unsupported layer${dropped.size > 1 ? 's' : ''})`);
  }
  const rawName = opts.name ?? objectOf(topo.config).name ?? 'imported';
  const doc: LoomDocument = {
    format: 'layerloom.model', version: 1, name: String(rawName).slice(0, 200), nodes, edges,
    layout: autoLayout(nodes, edges),
  };
  if (placeholders.length) {
    warnings.unshift(`${placeholders.length} layer${placeholders.length > 1 ? 's' : ''} could not be imported and ${placeholders.length > 1 ? 'are placeholders' : 'is a placeholder'} (shown in red): ${placeholders.map((p) => `${p.layer} (${p.className}: ${p.reason})`).join('; ')}. Replace ${placeholders.length > 1 ? 'them' : 'it'} before training or exporting.`);
  }
  return { ok: true, doc, weights, warnings, placeholders };
}

/**
 * The layer a weight belongs to, from its name: the first path segment that names a layer of the
 * model. Keras 2 and TF.js files start with the layer (`dense/kernel`, `lstm/lstm_cell/kernel`);
 * TF.js files converted from Keras 3 start with the model's name (`sequential/dense/kernel`).
 */
export function layerOfWeight(name: string, layers: ReadonlySet<string>): string | undefined {
  const segments = name.replace(/:\d+$/, '').split('/').slice(0, -1);
  return segments.find((s) => layers.has(s));
}

const RECURRENT = new Set<string>(['LSTM', 'GRU', 'SimpleRNN', 'Bidirectional']);

/**
 * A layer called with more inputs than its Layerloom type takes cannot be built: a placeholder that
 * says why. For recurrent layers the extra inputs are an `initial_state` (seq2seq decoders).
 */
function withArity(r: ReturnType<typeof analyzeLayerParams>, inputs: number): ReturnType<typeof analyzeLayerParams> {
  if ('reason' in r || !isLayerType(r.type)) return r;
  const { max } = getLayerDef(r.type).inputs;
  if (inputs <= max) return r;
  if (RECURRENT.has(r.type)) {
    return { reason: `the ${r.type} is given an initial_state (${inputs - 1} state tensor${inputs > 2 ? 's' : ''} from another layer, as in a seq2seq decoder); Layerloom's ${r.type} starts from zeros and takes one input` };
  }
  return { reason: `it is called with ${inputs} inputs; Layerloom's ${r.type} takes ${max === 1 ? 'one' : `at most ${max}`}` };
}

/** Inputs that only feed Embeddings take token ids (int32): Keras casts them there; Layerloom says so in the Input. */
function tokenInputs(nodes: LoomDocument['nodes'], edges: LoomDocument['edges']): void {
  const typeOf = new Map(nodes.map((n) => [n.id, n.type]));
  for (const n of nodes) {
    if (n.type !== 'Input' || !n.params) continue;
    const next = edges.filter((e) => e.from === n.id).map((e) => typeOf.get(e.to));
    if (next.length && next.every((t) => t === 'Embedding')) n.params = { ...n.params, dtype: 'int32' };
  }
}

/** A Keras config as plain JSON data for a placeholder's params (reserved keys dropped). */
function jsonSafe(v: unknown, depth = 0): unknown {
  if (depth > 8) return null;
  if (Array.isArray(v)) return v.slice(0, 1000).map((x) => jsonSafe(x, depth + 1));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v)
      .filter(([k]) => !['__proto__', 'constructor', 'prototype'].includes(k))
      .map(([k, x]) => [k, jsonSafe(x, depth + 1)]));
  }
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}
