/**
 * ONNX exporter: the graph with its weights as one ModelProto (opset 17), inputs and outputs named
 * after their nodes, channels-last like the engine, dynamic batch dimension "batch".
 * Convolutions and pooling run channels-first inside (Transpose where a run starts and ends), with
 * TF "same" padding as explicit (possibly asymmetric) `pads`.
 */
import { lookup, type ActivationName, type LayerType } from '../catalog';
import { DT, encodeModel, type Attr, type OnnxNode, type OnnxTensor } from './onnx-proto';
import { ExportError, makePlan, samePads, type ExportPlan, type PlanNode, type Unsupported } from './plan';
import { concat, filled, reshape, split, transpose, type HostTensor, type NodeWeights } from './tensor';
import type { LoomDocument } from '../document/schema';

export const ONNX_OPSET = 17;

type Layout = 'cl' | 'cf';
interface Val {
  name: string;
  layout: Layout;
  rank: number;
}

class Graph {
  nodes: OnnxNode[] = [];
  inits: OnnxTensor[] = [];
  private count = 0;
  private consts = new Map<string, string>();

  constructor(readonly prefix: string) {}

  fresh(hint: string) {
    return `${hint}/${this.count++}`;
  }

  op(op: string, inputs: string[], attrs: Attr[] = [], hint = op, outputs?: string[]): string {
    const outs = outputs ?? [this.fresh(hint)];
    this.nodes.push({ op, inputs, outputs: outs, name: `${outs[0]}_${op}`, attrs });
    return outs[0]!;
  }

  weight(name: string, t: HostTensor): string {
    const data = t.data;
    this.inits.push({ name, dims: t.shape, dataType: DT.FLOAT, raw: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
    return name;
  }

  int64(values: number[]): string {
    const key = `i64:${values.join(',')}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const/i64/${values.join('_').replace(/-/g, 'm')}`;
      const b = new BigInt64Array(values.map((v) => BigInt(v)));
      this.inits.push({ name, dims: [values.length], dataType: DT.INT64, raw: new Uint8Array(b.buffer) });
      this.consts.set(key, name);
    }
    return name;
  }

  scalar(v: number): string {
    const key = `f:${v}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const/f/${this.consts.size}`;
      this.inits.push({ name, dims: [], dataType: DT.FLOAT, raw: new Uint8Array(new Float32Array([v]).buffer) });
      this.consts.set(key, name);
    }
    return name;
  }
}

interface Ctx {
  g: Graph;
  n: PlanNode;
  w: HostTensor[];
  input(i: number, want: Layout | 'any'): Val;
  /** Name for the node's i-th weight initializer. */
  wname(suffix: string): string;
}

type Emit = (c: Ctx) => { name: string; layout: Layout };

const unsupported = (n: PlanNode, reason: string): never => {
  throw new ExportError(reason, [{ nodeId: n.id, type: n.type, reason }]);
};

function act(c: Ctx, a: ActivationName, x: string): string {
  const g = c.g;
  switch (a) {
    case 'linear': return x;
    case 'relu': return g.op('Relu', [x]);
    case 'relu6': return g.op('Clip', [x, g.scalar(0), g.scalar(6)]);
    case 'elu': return g.op('Elu', [x], [{ name: 'alpha', f: 1 }]);
    case 'selu': return g.op('Selu', [x]);
    case 'sigmoid': return g.op('Sigmoid', [x]);
    case 'hardSigmoid': return g.op('HardSigmoid', [x], [{ name: 'alpha', f: 0.2 }, { name: 'beta', f: 0.5 }]);
    case 'tanh': return g.op('Tanh', [x]);
    case 'softmax': return g.op('Softmax', [x], [{ name: 'axis', i: -1 }]);
    case 'softplus': return g.op('Softplus', [x]);
    case 'softsign': return g.op('Softsign', [x]);
    case 'swish': return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case 'mish': return g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x])])]);
    case 'gelu': {
      const erf = g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])]);
      return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [erf, g.scalar(1)])]);
    }
  }
}

const last = (s: number[]) => s[s.length - 1]!;
const convW = (t: HostTensor) => transpose(t, t.shape.length === 3 ? [2, 1, 0] : [3, 2, 0, 1]);
function depthwiseW(t: HostTensor): HostTensor {
  const [kh, kw, cin, m] = t.shape as [number, number, number, number];
  return transpose(reshape(t, [kh, kw, cin * m, 1]), [2, 3, 0, 1]);
}

/** ONNX pads [x1_begin, x2_begin, ..., x1_end, x2_end] for TF "same". */
function onnxPads(spatial: number[], k: number[], s: number[], d?: number[]): number[] {
  const p = spatial.map((size, i) => samePads(size, k[i]!, s[i]!, d?.[i] ?? 1));
  return [...p.map((x) => x[0]), ...p.map((x) => x[1])];
}

function convLike(c: Ctx, x: string, wName: string, bName: string | null, k: number[], s: number[], pads: number[] | null, dil?: number[], group = 1) {
  const attrs: Attr[] = [{ name: 'kernel_shape', ints: k }, { name: 'strides', ints: s }];
  if (pads) attrs.push({ name: 'pads', ints: pads });
  if (dil) attrs.push({ name: 'dilations', ints: dil });
  if (group > 1) attrs.push({ name: 'group', i: group });
  return c.g.op('Conv', bName ? [x, wName, bName] : [x, wName], attrs, c.n.id);
}

function pool(kind: 'MaxPool' | 'AveragePool', rank: number): Emit {
  return (c) => {
    const x = c.input(0, 'cf');
    const k = c.n.p.poolSize as number[];
    const s = (c.n.p.strides ?? c.n.p.poolSize) as number[];
    const attrs: Attr[] = [{ name: 'kernel_shape', ints: k }, { name: 'strides', ints: s }];
    if (c.n.p.padding === 'same') attrs.push({ name: 'pads', ints: onnxPads(c.n.inShapes[0]!.slice(0, rank), k, s) });
    if (kind === 'AveragePool') attrs.push({ name: 'count_include_pad', i: 0 });
    return { name: c.g.op(kind, [x.name], attrs, c.n.id), layout: 'cf' };
  };
}

function globalPool(op: 'ReduceMean' | 'ReduceMax', rank: number): Emit {
  return (c) => {
    const x = c.input(0, 'any');
    const axes = x.layout === 'cf' ? (rank === 1 ? [2] : [2, 3]) : rank === 1 ? [1] : [1, 2];
    return { name: c.g.op(op, [x.name], [{ name: 'axes', ints: axes }, { name: 'keepdims', i: 0 }], c.n.id), layout: 'cl' };
  };
}

const RNN_ACT: Partial<Record<ActivationName, string>> = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', hardSigmoid: 'HardSigmoid' };

/** TF.js kernel [F, gates*H] (gate order TF) → ONNX [gates*H, F] (gate order ONNX). */
function gateReorder(k: HostTensor, gates: number, order: number[]): HostTensor {
  const h = k.shape[1]! / gates;
  const parts = split(k, new Array(gates).fill(h), 1);
  return transpose(concat(order.map((i) => parts[i]!), 1), [1, 0]);
}

/** W, R, B for one direction of an ONNX RNN/LSTM/GRU from TF.js [kernel, recurrent_kernel, bias?]. */
function rnnDir(cell: string, w: HostTensor[], useBias: boolean, units: number) {
  const gates = cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1;
  // TF LSTM i,f,c,o → ONNX i,o,f,c. GRU z,r,h in both. SimpleRNN one gate.
  const order = cell === 'LSTM' ? [0, 3, 1, 2] : [...Array(gates).keys()];
  const W = gateReorder(w[0]!, gates, order);
  const R = gateReorder(w[1]!, gates, order);
  let B: HostTensor | null = null;
  if (useBias) {
    const b = reshape(w[2]!, [1, gates * units]);
    const bo = gateReorder(b, gates, order); // [gates*H, 1]
    B = concat([reshape(bo, [gates * units]), filled([gates * units], 0)], 0);
  }
  return { W, R, B };
}

function recurrent(c: Ctx, cell: 'LSTM' | 'GRU' | 'SimpleRNN', ws: HostTensor[][], p: Record<string, any>, direction: 'forward' | 'bidirectional') {
  const g = c.g;
  const x = c.input(0, 'cl');
  const units = p.units as number;
  const a = RNN_ACT[p.activation as ActivationName];
  const ra = cell === 'SimpleRNN' ? 'Sigmoid' : RNN_ACT[(p.recurrentActivation ?? 'sigmoid') as ActivationName];
  if (!a || !ra) unsupported(c.n, `activation "${p.activation}"/"${p.recurrentActivation}" is not available in ONNX recurrent ops (sigmoid, tanh, relu, hardSigmoid)`);
  const dirs = ws.map((w) => rnnDir(cell, w, p.useBias, units));
  const stack = (ts: HostTensor[]) => concat(ts.map((t) => reshape(t, [1, ...t.shape])), 0);
  const W = g.weight(c.wname('W'), stack(dirs.map((d) => d.W)));
  const R = g.weight(c.wname('R'), stack(dirs.map((d) => d.R)));
  const B = p.useBias ? g.weight(c.wname('B'), stack(dirs.map((d) => d.B!))) : '';
  const xt = g.op('Transpose', [x.name], [{ name: 'perm', ints: [1, 0, 2] }]); // [T, N, F]
  const op = cell === 'LSTM' ? 'LSTM' : cell === 'GRU' ? 'GRU' : 'RNN';
  const nd = ws.length;
  const acts = cell === 'LSTM' ? [ra!, a!, a!] : cell === 'GRU' ? [ra!, a!] : [a!];
  const attrs: Attr[] = [
    { name: 'hidden_size', i: units }, { name: 'direction', s: direction },
    { name: 'activations', strings: Array.from({ length: nd }, () => acts).flat() },
  ];
  // HardSigmoid takes alpha/beta, consumed in order by the activations that use them (TF.js: 0.2x + 0.5).
  const hard = Array.from({ length: nd }, () => acts).flat().filter((x) => x === 'HardSigmoid').length;
  if (hard) attrs.push({ name: 'activation_alpha', floats: new Array(hard).fill(0.2) }, { name: 'activation_beta', floats: new Array(hard).fill(0.5) });
  if (cell === 'GRU') attrs.push({ name: 'linear_before_reset', i: 0 });
  const y = g.fresh(`${c.n.id}/Y`);
  const yh = g.fresh(`${c.n.id}/Y_h`);
  g.op(op, [xt, W, R, B], attrs, op, cell === 'LSTM' ? [y, yh, g.fresh(`${c.n.id}/Y_c`)] : [y, yh]);
  return { y, yh, nd };
}

function rnnEmit(cell: 'LSTM' | 'GRU' | 'SimpleRNN'): Emit {
  return (c) => {
    const g = c.g;
    const { y, yh } = recurrent(c, cell, [c.w], c.n.p, 'forward');
    if (c.n.p.returnSequences) {
      const sq = g.op('Squeeze', [y, g.int64([1])]); // [T, N, H]
      return { name: g.op('Transpose', [sq], [{ name: 'perm', ints: [1, 0, 2] }], c.n.id), layout: 'cl' };
    }
    return { name: g.op('Squeeze', [yh, g.int64([0])], [], c.n.id), layout: 'cl' };
  };
}

/** Keras MHA (weights [q, qb, k, kb, v, vb, o, ob] or without biases) on query/value/key. */
function mha(c: Ctx, w: HostTensor[], bias: boolean, q: string, v: string, k: string, heads: number, keyDim: number, valueDim: number, prefix: string): string {
  const g = c.g;
  const per = bias ? 2 : 1;
  const proj = (x: string, i: number, name: string, heads3: boolean) => {
    const kk = w[i * per]!;
    const din = heads3 ? kk.shape[0]! * kk.shape[1]! : kk.shape[0]!;
    const dout = heads3 ? kk.shape[2]! : kk.shape[1]! * kk.shape[2]!;
    let y = g.op('MatMul', [x, g.weight(c.wname(`${prefix}${name}/kernel`), reshape(kk, [din, dout]))]);
    if (bias) y = g.op('Add', [y, g.weight(c.wname(`${prefix}${name}/bias`), reshape(w[i * per + 1]!, [dout]))]);
    return y;
  };
  const heads4 = (x: string, dim: number, perm: number[]) =>
    g.op('Transpose', [g.op('Reshape', [x, g.int64([0, 0, heads, dim])])], [{ name: 'perm', ints: perm }]);
  const Q = heads4(proj(q, 0, 'query', false), keyDim, [0, 2, 1, 3]);
  const KT = heads4(proj(k, 1, 'key', false), keyDim, [0, 2, 3, 1]);
  const V = heads4(proj(v, 2, 'value', false), valueDim, [0, 2, 1, 3]);
  const scores = g.op('Softmax', [g.op('Mul', [g.op('MatMul', [Q, KT]), g.scalar(1 / Math.sqrt(keyDim))])], [{ name: 'axis', i: -1 }]);
  const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [scores, V])], [{ name: 'perm', ints: [0, 2, 1, 3] }]), g.int64([0, 0, heads * valueDim])]);
  return proj(ctx, 3, 'attention_output', true);
}

function layerNorm(c: Ctx, x: string, gamma: HostTensor, beta: HostTensor, eps: number, name: string): string {
  return c.g.op('LayerNormalization', [x, c.g.weight(c.wname(`${name}/gamma`), gamma), c.g.weight(c.wname(`${name}/beta`), beta)],
    [{ name: 'axis', i: -1 }, { name: 'epsilon', f: eps }]);
}

const EMIT = {
  Input: (c) => ({ name: c.n.id, layout: 'cl' }),
  Dense: (c) => {
    const x = c.input(0, 'cl');
    let y = c.g.op('MatMul', [x.name, c.g.weight(c.wname('kernel'), c.w[0]!)]);
    if (c.n.p.useBias) y = c.g.op('Add', [y, c.g.weight(c.wname('bias'), c.w[1]!)]);
    return { name: act(c, c.n.p.activation, y), layout: 'cl' };
  },
  Activation: (c) => {
    const x = c.input(0, c.n.p.activation === 'softmax' ? 'cl' : 'any');
    return { name: act(c, c.n.p.activation, c.g.op('Identity', [x.name])), layout: x.layout };
  },
  Dropout: (c) => {
    const x = c.input(0, 'any');
    return { name: c.g.op('Identity', [x.name]), layout: x.layout };
  },
  Embedding: (c) => ({ name: c.g.op('Gather', [c.g.weight(c.wname('embeddings'), c.w[0]!), c.input(0, 'cl').name], [{ name: 'axis', i: 0 }]), layout: 'cl' }),
  Conv1D: (c) => {
    const x = c.input(0, 'cf');
    const p = c.n.p;
    const pads = p.padding === 'same' ? onnxPads([c.n.inShapes[0]![0]!], p.kernelSize, p.strides, p.dilationRate) : null;
    const y = convLike(c, x.name, c.g.weight(c.wname('kernel'), convW(c.w[0]!)), p.useBias ? c.g.weight(c.wname('bias'), c.w[1]!) : null,
      p.kernelSize, p.strides, pads, p.dilationRate);
    return { name: act(c, p.activation, y), layout: 'cf' };
  },
  Conv2D: (c) => {
    const x = c.input(0, 'cf');
    const p = c.n.p;
    const pads = p.padding === 'same' ? onnxPads(c.n.inShapes[0]!.slice(0, 2), p.kernelSize, p.strides, p.dilationRate) : null;
    const y = convLike(c, x.name, c.g.weight(c.wname('kernel'), convW(c.w[0]!)), p.useBias ? c.g.weight(c.wname('bias'), c.w[1]!) : null,
      p.kernelSize, p.strides, pads, p.dilationRate);
    return { name: act(c, p.activation, y), layout: 'cf' };
  },
  Conv2DTranspose: (c) => {
    const x = c.input(0, 'cf');
    const p = c.n.p;
    const k = p.kernelSize as number[];
    const s = p.strides as number[];
    const op = k.map((kk, i) => Math.max(s[i]! - kk, 0));
    const crop = p.padding === 'same' ? k.map((kk, i) => Math.max(kk - s[i]!, 0)) : [0, 0];
    const begin = crop.map((t) => Math.floor(t / 2));
    const attrs: Attr[] = [
      { name: 'kernel_shape', ints: k }, { name: 'strides', ints: s }, { name: 'output_padding', ints: op },
      { name: 'pads', ints: [...begin, ...crop.map((t, i) => t - begin[i]!)] },
    ];
    const inputs = [x.name, c.g.weight(c.wname('kernel'), convW(c.w[0]!))];
    if (p.useBias) inputs.push(c.g.weight(c.wname('bias'), c.w[1]!));
    return { name: act(c, p.activation, c.g.op('ConvTranspose', inputs, attrs, c.n.id)), layout: 'cf' };
  },
  DepthwiseConv2D: (c) => {
    const x = c.input(0, 'cf');
    const p = c.n.p;
    const cin = last(c.n.inShapes[0]!);
    const pads = p.padding === 'same' ? onnxPads(c.n.inShapes[0]!.slice(0, 2), p.kernelSize, p.strides) : null;
    const y = convLike(c, x.name, c.g.weight(c.wname('depthwise_kernel'), depthwiseW(c.w[0]!)), p.useBias ? c.g.weight(c.wname('bias'), c.w[1]!) : null,
      p.kernelSize, p.strides, pads, undefined, cin);
    return { name: act(c, p.activation, y), layout: 'cf' };
  },
  SeparableConv2D: (c) => {
    const x = c.input(0, 'cf');
    const p = c.n.p;
    const cin = last(c.n.inShapes[0]!);
    const pads = p.padding === 'same' ? onnxPads(c.n.inShapes[0]!.slice(0, 2), p.kernelSize, p.strides) : null;
    const dw = convLike(c, x.name, c.g.weight(c.wname('depthwise_kernel'), depthwiseW(c.w[0]!)), null, p.kernelSize, p.strides, pads, undefined, cin);
    const pw = convLike(c, dw, c.g.weight(c.wname('pointwise_kernel'), convW(c.w[1]!)), p.useBias ? c.g.weight(c.wname('bias'), c.w[2]!) : null, [1, 1], [1, 1], null);
    return { name: act(c, p.activation, pw), layout: 'cf' };
  },
  MaxPooling1D: pool('MaxPool', 1),
  AveragePooling1D: pool('AveragePool', 1),
  MaxPooling2D: pool('MaxPool', 2),
  AveragePooling2D: pool('AveragePool', 2),
  GlobalAveragePooling1D: globalPool('ReduceMean', 1),
  GlobalMaxPooling1D: globalPool('ReduceMax', 1),
  GlobalAveragePooling2D: globalPool('ReduceMean', 2),
  GlobalMaxPooling2D: globalPool('ReduceMax', 2),
  SimpleRNN: rnnEmit('SimpleRNN'),
  LSTM: rnnEmit('LSTM'),
  GRU: rnnEmit('GRU'),
  Bidirectional: (c) => {
    const g = c.g;
    const p = c.n.p;
    const inner = { units: p.units, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true };
    const { y, yh } = recurrent(c, p.layer, [c.w.slice(0, 3), c.w.slice(3, 6)], inner, 'bidirectional');
    // Y [T, 2, N, H] → [N, T, 2, H]; Y_h [2, N, H] → [N, 2, H]; then merge the direction axis.
    const seq = p.returnSequences;
    const t = seq ? g.op('Transpose', [y], [{ name: 'perm', ints: [2, 0, 1, 3] }]) : g.op('Transpose', [yh], [{ name: 'perm', ints: [1, 0, 2] }]);
    const axis = seq ? 2 : 1;
    const mode = p.mergeMode as string;
    const name = mode === 'concat' ? g.op('Reshape', [t, g.int64(seq ? [0, 0, -1] : [0, -1])], [], c.n.id)
      : g.op(mode === 'sum' ? 'ReduceSum' : mode === 'mul' ? 'ReduceProd' : 'ReduceMean',
        mode === 'sum' ? [t, g.int64([axis])] : [t], mode === 'sum' ? [{ name: 'keepdims', i: 0 }] : [{ name: 'axes', ints: [axis] }, { name: 'keepdims', i: 0 }], c.n.id);
    return { name, layout: 'cl' };
  },
  MultiHeadAttention: (c) => {
    const p = c.n.p;
    const xs = c.n.inputs.map((_, i) => c.input(i, 'cl').name);
    const [q, v = q!, k = v] = xs;
    return { name: mha(c, c.w, p.useBias, q!, v, k, p.numHeads, p.keyDim, p.valueDim ?? p.keyDim, ''), layout: 'cl' };
  },
  TransformerEncoder: (c) => {
    const g = c.g;
    const p = c.n.p;
    const x = c.input(0, 'cl').name;
    const d = last(c.n.inShapes[0]!);
    const head = d / p.numHeads;
    const w = c.w;
    const eps = p.layerNormEpsilon;
    const pre = p.normalizeFirst;
    const h = pre ? layerNorm(c, x, w[8]!, w[9]!, eps, 'self_attention_layer_norm') : x;
    let y = g.op('Add', [x, mha(c, w.slice(0, 8), true, h, h, h, p.numHeads, head, head, 'self_attention/')]);
    if (!pre) y = layerNorm(c, y, w[8]!, w[9]!, eps, 'self_attention_layer_norm');
    const f0 = pre ? layerNorm(c, y, w[14]!, w[15]!, eps, 'feedforward_layer_norm') : y;
    const f1 = act(c, p.activation, g.op('Add', [g.op('MatMul', [f0, g.weight(c.wname('ff1/kernel'), w[10]!)]), g.weight(c.wname('ff1/bias'), w[11]!)]));
    const f2 = g.op('Add', [g.op('MatMul', [f1, g.weight(c.wname('ff2/kernel'), w[12]!)]), g.weight(c.wname('ff2/bias'), w[13]!)]);
    let z = g.op('Add', [y, f2]);
    if (!pre) z = layerNorm(c, z, w[14]!, w[15]!, eps, 'feedforward_layer_norm');
    return { name: z, layout: 'cl' };
  },
  PositionalEmbedding: (c) => {
    const [t, d] = c.n.inShapes[0]! as [number, number];
    const table = c.w[0]!;
    const rows = { shape: [t, d], data: table.data.slice(0, t * d) };
    return { name: c.g.op('Add', [c.input(0, 'cl').name, c.g.weight(c.wname('embeddings'), rows)], [], c.n.id), layout: 'cl' };
  },
  BatchNormalization: (c) => {
    const rank = c.n.inShapes[0]!.length;
    if (rank > 3) unsupported(c.n, `BatchNormalization on a rank-${rank} input is not supported in ONNX export`);
    const x = c.input(0, rank === 1 ? 'cl' : 'cf');
    const p = c.n.p;
    const ch = last(c.n.inShapes[0]!);
    let i = 0;
    const gamma = p.scale ? c.w[i++]! : filled([ch], 1);
    const beta = p.center ? c.w[i++]! : filled([ch], 0);
    const mean = c.w[i++]!;
    const variance = c.w[i++]!;
    const ins = [x.name, c.g.weight(c.wname('gamma'), gamma), c.g.weight(c.wname('beta'), beta), c.g.weight(c.wname('moving_mean'), mean), c.g.weight(c.wname('moving_variance'), variance)];
    return { name: c.g.op('BatchNormalization', ins, [{ name: 'epsilon', f: p.epsilon }], c.n.id), layout: x.layout };
  },
  LayerNormalization: (c) => {
    const p = c.n.p;
    const ch = last(c.n.inShapes[0]!);
    let i = 0;
    const gamma = p.scale ? c.w[i++]! : filled([ch], 1);
    const beta = p.center ? c.w[i++]! : filled([ch], 0);
    return { name: layerNorm(c, c.input(0, 'cl').name, gamma, beta, p.epsilon, 'ln'), layout: 'cl' };
  },
  Add: (c) => {
    const first = c.input(0, 'any');
    return { name: c.g.op('Sum', c.n.inputs.map((_, i) => c.input(i, first.layout).name), [], c.n.id), layout: first.layout };
  },
  Multiply: (c) => {
    const first = c.input(0, 'any');
    const names = c.n.inputs.map((_, i) => c.input(i, first.layout).name);
    return { name: names.slice(1).reduce((a, b) => c.g.op('Mul', [a, b], [], c.n.id), names[0]!), layout: first.layout };
  },
  Concatenate: (c) => {
    const first = c.input(0, 'any');
    const layout = c.n.inputs.every((_, i) => c.input(i, 'any').layout === first.layout) ? first.layout : 'cl';
    const rank = c.n.outShape.length;
    const axis = c.n.p.axis < 0 ? rank + c.n.p.axis : c.n.p.axis;
    const dim = layout === 'cl' ? axis + 1 : axis === rank - 1 ? 1 : axis + 2;
    return { name: c.g.op('Concat', c.n.inputs.map((_, i) => c.input(i, layout).name), [{ name: 'axis', i: dim }], c.n.id), layout };
  },
  Flatten: (c) => ({ name: c.g.op('Flatten', [c.input(0, 'cl').name], [{ name: 'axis', i: 1 }], c.n.id), layout: 'cl' }),
  Reshape: (c) => ({ name: c.g.op('Reshape', [c.input(0, 'cl').name, c.g.int64([-1, ...c.n.outShape])], [], c.n.id), layout: 'cl' }),
  UpSampling2D: (c) => {
    const x = c.input(0, 'cf');
    const scales = c.g.weight(c.wname('scales'), { shape: [4], data: new Float32Array([1, 1, c.n.p.size[0], c.n.p.size[1]]) });
    return {
      name: c.g.op('Resize', [x.name, '', scales], [
        // TF.js resizes without half-pixel centres: output i reads input i / scale ("asymmetric").
        ...(c.n.p.interpolation === 'nearest'
          ? [{ name: 'mode', s: 'nearest' }, { name: 'nearest_mode', s: 'floor' }]
          : [{ name: 'mode', s: 'linear' }]),
        { name: 'coordinate_transformation_mode', s: 'asymmetric' },
      ], c.n.id),
      layout: 'cf',
    };
  },
} satisfies Record<LayerType, Emit>;

const TO_CF: Record<number, number[]> = { 3: [0, 3, 1, 2], 2: [0, 2, 1] };
const TO_CL: Record<number, number[]> = { 3: [0, 2, 3, 1], 2: [0, 2, 1] };

/** Build the .onnx bytes for a document and its weights (TF.js order per node). */
export function buildOnnx(doc: LoomDocument | ExportPlan, weights: NodeWeights): Uint8Array {
  const plan = 'byId' in doc ? doc : makePlan(doc);
  const g = new Graph(plan.name);
  const vals = new Map<string, Val>();
  const converted = new Map<string, string>();
  const problems: Unsupported[] = [];
  const convert = (src: string, want: Layout | 'any'): Val => {
    const v = vals.get(src)!;
    if (want === 'any' || v.layout === want || !TO_CF[v.rank]) return v;
    const key = `${src}:${want}`;
    let name = converted.get(key);
    if (!name) {
      name = g.op('Transpose', [v.name], [{ name: 'perm', ints: (want === 'cf' ? TO_CF : TO_CL)[v.rank]! }], `${src}/${want === 'cf' ? 'to_channels_first' : 'to_channels_last'}`);
      converted.set(key, name);
    }
    return { name, layout: want, rank: v.rank };
  };
  for (const n of plan.nodes) {
    const ctx: Ctx = { g, n, w: weights[n.id] ?? [], input: (i, want) => convert(n.inputs[i]!, want), wname: (s) => `${n.id}/${s}` };
    try {
      const r = lookup(EMIT, n.type, n.id)(ctx);
      vals.set(n.id, { name: r.name, layout: r.layout, rank: n.outShape.length });
    } catch (e) {
      if (!(e instanceof ExportError)) throw e;
      problems.push(...(e.unsupported.length ? e.unsupported : [{ nodeId: n.id, type: n.type, reason: e.message }]));
      vals.set(n.id, { name: n.id, layout: 'cl', rank: n.outShape.length });
    }
  }
  if (problems.length) {
    throw new ExportError(`ONNX export: ${problems.length} layer(s) cannot be exported: ${problems.map((p) => `${p.nodeId} (${p.type}): ${p.reason}`).join('; ')}`, problems);
  }
  const outputNames = plan.outputs.map((id) => {
    const name = id === plan.inputs.find((i) => i === id) ? `${id}_output` : id;
    g.op('Identity', [convert(id, 'cl').name], [], 'output', [name]);
    return name;
  });
  return encodeModel({
    graphName: plan.name.replace(/[^A-Za-z0-9_]/g, '_') || 'model',
    nodes: g.nodes,
    initializers: g.inits,
    inputs: plan.inputs.map((id) => {
      const n = plan.byId.get(id)!;
      return { name: id, elemType: n.p.dtype === 'int32' ? DT.INT32 : DT.FLOAT, dims: ['batch', ...n.outShape] };
    }),
    outputs: plan.outputs.map((id, i) => ({ name: outputNames[i]!, elemType: DT.FLOAT, dims: ['batch', ...plan.byId.get(id)!.outShape] })),
    opset: ONNX_OPSET,
    irVersion: 8,
    producer: 'Layerloom',
    docString: `${plan.name}: exported by Layerloom. Inputs and outputs are channels-last (as in Keras); dimension "batch" is dynamic.`,
  });
}

/** Layers of a document that the ONNX export cannot express (checked without weights). */
export function onnxUnsupported(doc: LoomDocument | ExportPlan): Unsupported[] {
  const plan = 'byId' in doc ? doc : makePlan(doc);
  const out: Unsupported[] = [];
  for (const n of plan.nodes) {
    const bad = (reason: string) => out.push({ nodeId: n.id, type: n.type, reason });
    if (['SimpleRNN', 'LSTM', 'GRU'].includes(n.type)) {
      const acts = [n.p.activation, ...(n.type === 'SimpleRNN' ? [] : [n.p.recurrentActivation])] as ActivationName[];
      if (acts.some((a) => !RNN_ACT[a])) bad(`activation "${acts.join('"/"')}" is not available in ONNX recurrent ops (sigmoid, tanh, relu, hardSigmoid)`);
    }
    if (n.type === 'BatchNormalization' && n.inShapes[0]!.length > 3) bad(`BatchNormalization on a rank-${n.inShapes[0]!.length} input is not supported in ONNX export`);
  }
  return out;
}
