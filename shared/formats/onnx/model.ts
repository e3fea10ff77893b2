/**
 * ONNX exporter: the graph with its weights as one ModelProto (opset 17), inputs and outputs named
 * after their nodes, channels-last like the engine, dynamic batch dimension "batch".
 * Convolutions and pooling run channels-first inside (Transpose where a run starts and ends), with
 * TF "same" padding as explicit (possibly asymmetric) `pads`.
 */
import { isLayer, type ActivationName, type LayerType, type WeightNameOf } from '../../catalog';
import type { LoomDocument } from '../../document/schema';
import { depthwiseKernelToChannelsFirst, kernelToChannelsFirst, LayoutTracker, type Layout, type Placed } from '../layout';
import { ExportError, inputNode, planOf, samePads, type ExportPlan, type PlanNode, type PlanNodeOf, type Unsupported } from '../plan';
import { concat, filled, reshape, split, transpose, type HostTensor, type NodeWeights } from '../tensor';
import type { Preprocessing } from '../preprocessing/table';
import { layerWeights, type LayerWeights } from '../weights';
import { DT, encodeModel, type Attr, type OnnxNode, type OnnxTensor } from './proto';

export const ONNX_OPSET = 17;
interface Val extends Placed {
  name: string;
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

interface Ctx<T extends LayerType> {
  g: Graph;
  n: PlanNodeOf<T>;
  w: LayerWeights<WeightNameOf<T>>;
  input(i: number, want: Layout | 'any'): Val;
  /** Name for one of the node's weight initializers. */
  wname(suffix: string): string;
}

type Emit<T extends LayerType> = (c: Ctx<T>) => { name: string; layout: Layout };
/** What the shared helpers (activations, convolutions, attention) need of a node's context. */
type AnyCtx = Pick<Ctx<LayerType>, 'g' | 'n' | 'wname'>;

const unsupported = (n: PlanNode, reason: string): never => {
  throw new ExportError(reason, [{ nodeId: n.id, type: n.type, reason }]);
};

function act(c: AnyCtx, a: ActivationName, x: string): string {
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

const last = (s: readonly number[]) => s[s.length - 1]!;

/** ONNX pads [x1_begin, x2_begin, ..., x1_end, x2_end] for TF "same". */
function onnxPads(spatial: number[], k: readonly number[], s: readonly number[], d?: readonly number[]): number[] {
  const p = spatial.map((size, i) => samePads(size, k[i]!, s[i]!, d?.[i] ?? 1));
  return [...p.map((x) => x[0]), ...p.map((x) => x[1])];
}

function convLike(c: AnyCtx, x: string, wName: string, bName: string | null, k: readonly number[], s: readonly number[], pads: number[] | null, dil?: readonly number[], group = 1) {
  const attrs: Attr[] = [{ name: 'kernel_shape', ints: [...k] }, { name: 'strides', ints: [...s] }];
  if (pads) attrs.push({ name: 'pads', ints: pads });
  if (dil) attrs.push({ name: 'dilations', ints: [...dil] });
  if (group > 1) attrs.push({ name: 'group', i: group });
  return c.g.op('Conv', bName ? [x, wName, bName] : [x, wName], attrs, c.n.id);
}

function pool(kind: 'MaxPool' | 'AveragePool', rank: number): Emit<'MaxPooling1D' | 'AveragePooling1D' | 'MaxPooling2D' | 'AveragePooling2D'> {
  return (c) => {
    const x = c.input(0, 'cf');
    const k = c.n.p.poolSize;
    const s = c.n.p.strides ?? c.n.p.poolSize;
    const attrs: Attr[] = [{ name: 'kernel_shape', ints: [...k] }, { name: 'strides', ints: [...s] }];
    if (c.n.p.padding === 'same') attrs.push({ name: 'pads', ints: onnxPads(c.n.inShapes[0]!.slice(0, rank), k, s) });
    if (kind === 'AveragePool') attrs.push({ name: 'count_include_pad', i: 0 });
    return { name: c.g.op(kind, [x.name], attrs, c.n.id), layout: 'cf' };
  };
}

function globalPool(op: 'ReduceMean' | 'ReduceMax', rank: number): Emit<LayerType> {
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

/** One direction's TF.js cell weights. */
interface CellWeights {
  kernel: HostTensor;
  recurrentKernel: HostTensor;
  bias: HostTensor | null;
}

/** W, R, B for one direction of an ONNX RNN/LSTM/GRU from TF.js' kernel, recurrent kernel and bias. */
function rnnDir(cell: string, w: CellWeights, units: number) {
  const gates = cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1;
  // TF LSTM i,f,c,o → ONNX i,o,f,c. GRU z,r,h in both. SimpleRNN one gate.
  const order = cell === 'LSTM' ? [0, 3, 1, 2] : [...Array(gates).keys()];
  const W = gateReorder(w.kernel, gates, order);
  const R = gateReorder(w.recurrentKernel, gates, order);
  let B: HostTensor | null = null;
  if (w.bias) {
    const b = reshape(w.bias, [1, gates * units]);
    const bo = gateReorder(b, gates, order); // [gates*H, 1]
    B = concat([reshape(bo, [gates * units]), filled([gates * units], 0)], 0);
  }
  return { W, R, B };
}

/** The activations of a recurrent layer (SimpleRNN has no recurrent activation). */
interface CellActivations {
  units: number;
  activation: ActivationName;
  recurrentActivation?: ActivationName;
}

function recurrent(c: AnyCtx & { input: Ctx<LayerType>['input'] }, cell: 'LSTM' | 'GRU' | 'SimpleRNN', ws: CellWeights[], p: CellActivations, direction: 'forward' | 'bidirectional') {
  const g = c.g;
  const x = c.input(0, 'cl');
  const units = p.units;
  const a = RNN_ACT[p.activation];
  const ra = cell === 'SimpleRNN' ? 'Sigmoid' : RNN_ACT[p.recurrentActivation ?? 'sigmoid'];
  if (!a || !ra) unsupported(c.n, `activation "${p.activation}"/"${p.recurrentActivation}" is not available in ONNX recurrent ops (sigmoid, tanh, relu, hardSigmoid)`);
  const dirs = ws.map((w) => rnnDir(cell, w, units));
  const stack = (ts: HostTensor[]) => concat(ts.map((t) => reshape(t, [1, ...t.shape])), 0);
  const W = g.weight(c.wname('W'), stack(dirs.map((d) => d.W)));
  const R = g.weight(c.wname('R'), stack(dirs.map((d) => d.R)));
  const withBias = dirs.every((d) => d.B);
  const B = withBias ? g.weight(c.wname('B'), stack(dirs.map((d) => d.B!))) : '';
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

function rnnEmit(cell: 'LSTM' | 'GRU' | 'SimpleRNN'): Emit<'LSTM' | 'GRU' | 'SimpleRNN'> {
  return (c) => {
    const g = c.g;
    const w = c.w;
    const weights = { kernel: w.get('kernel'), recurrentKernel: w.get('recurrent_kernel'), bias: w.has('bias') ? w.get('bias') : null };
    const { y, yh } = recurrent(c, cell, [weights], c.n.p, 'forward');
    if (c.n.p.returnSequences) {
      const sq = g.op('Squeeze', [y, g.int64([1])]); // [T, N, H]
      return { name: g.op('Transpose', [sq], [{ name: 'perm', ints: [1, 0, 2] }], c.n.id), layout: 'cl' };
    }
    return { name: g.op('Squeeze', [yh, g.int64([0])], [], c.n.id), layout: 'cl' };
  };
}

type Projection = 'query' | 'key' | 'value' | 'attention_output';
/** A projection's kernel and (when the layer has biases) bias. */
type ProjectionWeights = (proj: Projection) => { kernel: HostTensor; bias: HostTensor | null };

/** The additive causal mask [t, t] as the engine adds it: -1e9 on every key after the query. */
function causalMask(c: AnyCtx, t: number, prefix: string): string {
  const m = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) m[i * t + j] = -1e9;
  return c.g.weight(c.wname(`${prefix}causal_mask`), { shape: [t, t], data: m });
}

/**
 * Keras MHA on query/value/key: projections [d, heads, dim], scaled dot-product, output projection
 * [heads, dim, out]; with `causal` (self-attention of `causal` timesteps) the causal mask is added
 * before the softmax.
 */
function mha(c: AnyCtx, w: ProjectionWeights, q: string, v: string, k: string, heads: number, keyDim: number, valueDim: number, prefix: string, causal?: number): string {
  const g = c.g;
  const proj = (x: string, name: Projection) => {
    const { kernel: kk, bias } = w(name);
    const heads3 = name === 'attention_output';
    const din = heads3 ? kk.shape[0]! * kk.shape[1]! : kk.shape[0]!;
    const dout = heads3 ? kk.shape[2]! : kk.shape[1]! * kk.shape[2]!;
    let y = g.op('MatMul', [x, g.weight(c.wname(`${prefix}${name}/kernel`), reshape(kk, [din, dout]))]);
    if (bias) y = g.op('Add', [y, g.weight(c.wname(`${prefix}${name}/bias`), reshape(bias, [dout]))]);
    return y;
  };
  const heads4 = (x: string, dim: number, perm: number[]) =>
    g.op('Transpose', [g.op('Reshape', [x, g.int64([0, 0, heads, dim])])], [{ name: 'perm', ints: perm }]);
  const Q = heads4(proj(q, 'query'), keyDim, [0, 2, 1, 3]);
  const KT = heads4(proj(k, 'key'), keyDim, [0, 2, 3, 1]);
  const V = heads4(proj(v, 'value'), valueDim, [0, 2, 1, 3]);
  const scaled = g.op('Mul', [g.op('MatMul', [Q, KT]), g.scalar(1 / Math.sqrt(keyDim))]);
  const logits = causal === undefined ? scaled : g.op('Add', [scaled, causalMask(c, causal, prefix)]);
  const scores = g.op('Softmax', [logits], [{ name: 'axis', i: -1 }]);
  const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [scores, V])], [{ name: 'perm', ints: [0, 2, 1, 3] }]), g.int64([0, 0, heads * valueDim])]);
  return proj(ctx, 'attention_output');
}

function layerNorm(c: AnyCtx, x: string, gamma: HostTensor, beta: HostTensor, eps: number, name: string): string {
  return c.g.op('LayerNormalization', [x, c.g.weight(c.wname(`${name}/gamma`), gamma), c.g.weight(c.wname(`${name}/beta`), beta)],
    [{ name: 'axis', i: -1 }, { name: 'epsilon', f: eps }]);
}

/** gamma and beta, absent ones (center/scale off) as the identity. */
function affine<N extends string>(w: LayerWeights<N | 'gamma' | 'beta'>, channels: number) {
  return { gamma: w.has('gamma') ? w.get('gamma') : filled([channels], 1), beta: w.has('beta') ? w.get('beta') : filled([channels], 0) };
}

const optionalBias = <N extends string>(c: AnyCtx, w: LayerWeights<N | 'bias'>) => (w.has('bias') ? c.g.weight(c.wname('bias'), w.get('bias')) : null);

type ConvType = 'Conv1D' | 'Conv2D';
const conv: Emit<ConvType> = (c) => {
  const x = c.input(0, 'cf');
  const p = c.n.p;
  const rank = p.kernelSize.length;
  const pads = p.padding === 'same' ? onnxPads(c.n.inShapes[0]!.slice(0, rank), p.kernelSize, p.strides, p.dilationRate) : null;
  const y = convLike(c, x.name, c.g.weight(c.wname('kernel'), kernelToChannelsFirst(c.w.get('kernel'))), optionalBias(c, c.w),
    p.kernelSize, p.strides, pads, p.dilationRate);
  return { name: act(c, p.activation, y), layout: 'cf' };
};

/** ConvTranspose (1-D or 2-D) with TF's output size: output_padding for a kernel smaller than the stride, pads for 'same'. */
function transposedConv(c: Ctx<'Conv1DTranspose' | 'Conv2DTranspose'>): { name: string; layout: Layout } {
  const x = c.input(0, 'cf');
  const p = c.n.p;
  const k = p.kernelSize;
  const s = p.strides;
  const op = k.map((kk, i) => Math.max(s[i]! - kk, 0));
  const crop = p.padding === 'same' ? k.map((kk, i) => Math.max(kk - s[i]!, 0)) : k.map(() => 0);
  const begin = crop.map((t) => Math.floor(t / 2));
  const attrs: Attr[] = [
    { name: 'kernel_shape', ints: [...k] }, { name: 'strides', ints: [...s] }, { name: 'output_padding', ints: op },
    { name: 'pads', ints: [...begin, ...crop.map((t, i) => t - begin[i]!)] },
  ];
  const inputs = [x.name, c.g.weight(c.wname('kernel'), kernelToChannelsFirst(c.w.get('kernel')))];
  const b = optionalBias(c, c.w);
  if (b) inputs.push(b);
  return { name: act(c, p.activation, c.g.op('ConvTranspose', inputs, attrs, c.n.id)), layout: 'cf' };
}

const EMIT: { [T in LayerType]: Emit<T> } = {
  Input: (c) => ({ name: c.n.id, layout: 'cl' }),
  Dense: (c) => {
    const x = c.input(0, 'cl');
    let y = c.g.op('MatMul', [x.name, c.g.weight(c.wname('kernel'), c.w.get('kernel'))]);
    const b = optionalBias(c, c.w);
    if (b) y = c.g.op('Add', [y, b]);
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
  Embedding: (c) => ({ name: c.g.op('Gather', [c.g.weight(c.wname('embeddings'), c.w.get('embeddings')), c.input(0, 'cl').name], [{ name: 'axis', i: 0 }]), layout: 'cl' }),
  Conv1D: conv,
  Conv2D: conv,
  Conv1DTranspose: (c) => transposedConv(c),
  Conv2DTranspose: (c) => transposedConv(c),
  DepthwiseConv2D: (c) => {
    const x = c.input(0, 'cf');
    const p = c.n.p;
    const cin = last(c.n.inShapes[0]!);
    const pads = p.padding === 'same' ? onnxPads(c.n.inShapes[0]!.slice(0, 2), p.kernelSize, p.strides) : null;
    const y = convLike(c, x.name, c.g.weight(c.wname('depthwise_kernel'), depthwiseKernelToChannelsFirst(c.w.get('depthwise_kernel'))), optionalBias(c, c.w),
      p.kernelSize, p.strides, pads, undefined, cin);
    return { name: act(c, p.activation, y), layout: 'cf' };
  },
  SeparableConv2D: (c) => {
    const x = c.input(0, 'cf');
    const p = c.n.p;
    const cin = last(c.n.inShapes[0]!);
    const pads = p.padding === 'same' ? onnxPads(c.n.inShapes[0]!.slice(0, 2), p.kernelSize, p.strides) : null;
    const dw = convLike(c, x.name, c.g.weight(c.wname('depthwise_kernel'), depthwiseKernelToChannelsFirst(c.w.get('depthwise_kernel'))), null, p.kernelSize, p.strides, pads, undefined, cin);
    const pw = convLike(c, dw, c.g.weight(c.wname('pointwise_kernel'), kernelToChannelsFirst(c.w.get('pointwise_kernel'))), optionalBias(c, c.w), [1, 1], [1, 1], null);
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
    const dir = (d: 'forward' | 'backward'): CellWeights =>
      ({ kernel: c.w.get(`${d}/kernel`), recurrentKernel: c.w.get(`${d}/recurrent_kernel`), bias: c.w.get(`${d}/bias`) });
    const inner: CellActivations = { units: p.units, activation: 'tanh', recurrentActivation: 'sigmoid' };
    const { y, yh } = recurrent(c, p.layer, [dir('forward'), dir('backward')], inner, 'bidirectional');
    // Y [T, 2, N, H] → [N, T, 2, H]; Y_h [2, N, H] → [N, 2, H]; then merge the direction axis.
    const seq = p.returnSequences;
    const t = seq ? g.op('Transpose', [y], [{ name: 'perm', ints: [2, 0, 1, 3] }]) : g.op('Transpose', [yh], [{ name: 'perm', ints: [1, 0, 2] }]);
    const axis = seq ? 2 : 1;
    const mode = p.mergeMode;
    const name = mode === 'concat' ? g.op('Reshape', [t, g.int64(seq ? [0, 0, -1] : [0, -1])], [], c.n.id)
      : g.op(mode === 'sum' ? 'ReduceSum' : mode === 'mul' ? 'ReduceProd' : 'ReduceMean',
        mode === 'sum' ? [t, g.int64([axis])] : [t], mode === 'sum' ? [{ name: 'keepdims', i: 0 }] : [{ name: 'axes', ints: [axis] }, { name: 'keepdims', i: 0 }], c.n.id);
    return { name, layout: 'cl' };
  },
  MultiHeadAttention: (c) => {
    const p = c.n.p;
    const xs = c.n.inputs.map((_, i) => c.input(i, 'cl').name);
    const [q, v = q!, k = v] = xs;
    const w: ProjectionWeights = (proj) => ({ kernel: c.w.get(`${proj}/kernel`), bias: c.w.has(`${proj}/bias`) ? c.w.get(`${proj}/bias`) : null });
    const causal = p.causal ? c.n.inShapes[0]![0]! : undefined;
    return { name: mha(c, w, q!, v, k, p.numHeads, p.keyDim, p.valueDim ?? p.keyDim, '', causal), layout: 'cl' };
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
    const attention: ProjectionWeights = (proj) => ({ kernel: w.get(`self_attention/${proj}/kernel`), bias: w.get(`self_attention/${proj}/bias`) });
    const ln1 = (h: string) => layerNorm(c, h, w.get('self_attention_layer_norm/gamma'), w.get('self_attention_layer_norm/beta'), eps, 'self_attention_layer_norm');
    const ln2 = (h: string) => layerNorm(c, h, w.get('feedforward_layer_norm/gamma'), w.get('feedforward_layer_norm/beta'), eps, 'feedforward_layer_norm');
    const h = pre ? ln1(x) : x;
    let y = g.op('Add', [x, mha(c, attention, h, h, h, p.numHeads, head, head, 'self_attention/')]);
    if (!pre) y = ln1(y);
    const f0 = pre ? ln2(y) : y;
    const dense = (inp: string, name: string, layer: 'feedforward_intermediate_dense' | 'feedforward_output_dense') =>
      g.op('Add', [g.op('MatMul', [inp, g.weight(c.wname(`${name}/kernel`), w.get(`${layer}/kernel`))]), g.weight(c.wname(`${name}/bias`), w.get(`${layer}/bias`))]);
    const f1 = act(c, p.activation, dense(f0, 'ff1', 'feedforward_intermediate_dense'));
    const f2 = dense(f1, 'ff2', 'feedforward_output_dense');
    let z = g.op('Add', [y, f2]);
    if (!pre) z = ln2(z);
    return { name: z, layout: 'cl' };
  },
  TransformerDecoder: (c) => {
    const g = c.g;
    const p = c.n.p;
    const x = c.input(0, 'cl').name;
    const enc = c.n.inShapes[1] ? c.input(1, 'cl').name : null;
    const [t, d] = c.n.inShapes[0]! as [number, number];
    const head = d / p.numHeads;
    const w = c.w;
    const eps = p.layerNormEpsilon;
    const ln = (h: string, layer: 'self_attention_layer_norm' | 'cross_attention_layer_norm' | 'feedforward_layer_norm') =>
      layerNorm(c, h, w.get(`${layer}/gamma`), w.get(`${layer}/beta`), eps, layer);
    // One residual sub-layer: pre-norm normalises its input, post-norm its sum.
    const sub = (input: string, norm: Parameters<typeof ln>[1], body: (h: string) => string) => {
      const y = g.op('Add', [input, body(p.normalizeFirst ? ln(input, norm) : input)]);
      return p.normalizeFirst ? y : ln(y, norm);
    };
    const selfW: ProjectionWeights = (proj) => ({ kernel: w.get(`self_attention/${proj}/kernel`), bias: w.get(`self_attention/${proj}/bias`) });
    let y = sub(x, 'self_attention_layer_norm', (h) => mha(c, selfW, h, h, h, p.numHeads, head, head, 'self_attention/', t));
    if (enc) {
      const crossW: ProjectionWeights = (proj) => ({ kernel: w.get(`cross_attention/${proj}/kernel`), bias: w.get(`cross_attention/${proj}/bias`) });
      y = sub(y, 'cross_attention_layer_norm', (h) => mha(c, crossW, h, enc, enc, p.numHeads, head, head, 'cross_attention/'));
    }
    const dense = (inp: string, name: string, layer: 'feedforward_intermediate_dense' | 'feedforward_output_dense') =>
      g.op('Add', [g.op('MatMul', [inp, g.weight(c.wname(`${name}/kernel`), w.get(`${layer}/kernel`))]), g.weight(c.wname(`${name}/bias`), w.get(`${layer}/bias`))]);
    const z = sub(y, 'feedforward_layer_norm', (h) => dense(act(c, p.activation, dense(h, 'ff1', 'feedforward_intermediate_dense')), 'ff2', 'feedforward_output_dense'));
    return { name: z, layout: 'cl' };
  },
  PositionalEmbedding: (c) => {
    const [t, d] = c.n.inShapes[0]! as [number, number];
    const table = c.w.get('embeddings');
    const rows = { shape: [t, d], data: table.data.slice(0, t * d) };
    return { name: c.g.op('Add', [c.input(0, 'cl').name, c.g.weight(c.wname('embeddings'), rows)], [], c.n.id), layout: 'cl' };
  },
  BatchNormalization: (c) => {
    const rank = c.n.inShapes[0]!.length;
    if (rank > 3) unsupported(c.n, `BatchNormalization on a rank-${rank} input is not supported in ONNX export`);
    const x = c.input(0, rank === 1 ? 'cl' : 'cf');
    const { gamma, beta } = affine(c.w, last(c.n.inShapes[0]!));
    const ins = [
      x.name, c.g.weight(c.wname('gamma'), gamma), c.g.weight(c.wname('beta'), beta),
      c.g.weight(c.wname('moving_mean'), c.w.get('moving_mean')), c.g.weight(c.wname('moving_variance'), c.w.get('moving_variance')),
    ];
    return { name: c.g.op('BatchNormalization', ins, [{ name: 'epsilon', f: c.n.p.epsilon }], c.n.id), layout: x.layout };
  },
  LayerNormalization: (c) => {
    const { gamma, beta } = affine(c.w, last(c.n.inShapes[0]!));
    return { name: layerNorm(c, c.input(0, 'cl').name, gamma, beta, c.n.p.epsilon, 'ln'), layout: 'cl' };
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
  ZeroPadding2D: (c) => {
    // ONNX pads: every axis' start, then every axis' end, of the tensor in its current layout.
    const x = c.input(0, 'any');
    const [[top, bottom], [left, right]] = c.n.p.padding;
    const pads = x.layout === 'cf' ? [0, 0, top, left, 0, 0, bottom, right] : [0, top, left, 0, 0, bottom, right, 0];
    return { name: c.g.op('Pad', [x.name, c.g.int64(pads)], [{ name: 'mode', s: 'constant' }], c.n.id), layout: x.layout };
  },
};

/** Emit a node with its own type's emitter and its weights paired with their declarations. */
function emitNode<T extends LayerType>(g: Graph, n: PlanNodeOf<T>, tensors: HostTensor[] | undefined, input: Ctx<T>['input']) {
  const ctx: Ctx<T> = { g, n, w: layerWeights(n, tensors), input, wname: (s) => `${n.id}/${s}` };
  return EMIT[n.type](ctx);
}

/**
 * With the preprocessing table, the graph takes features rather than the model input: the
 * normalisation becomes Sub/Mul after the input, over its last axis (one value, or one per channel /
 * feature), and the output activation (softmax / sigmoid on logits) is applied before the output.
 */
function normalizeInput(g: Graph, input: string, shape: readonly number[], n: Preprocessing['normalization']): string {
  const last = shape[shape.length - 1]!;
  const vec = (v: number[]): HostTensor => {
    if (v.length !== 1 && v.length !== n.groups) throw new ExportError(`The normalisation has ${v.length} values for ${n.groups} groups`);
    return { shape: v.length === 1 ? [] : [v.length], data: Float32Array.from(v) };
  };
  if (n.groups !== 1 && n.groups !== last) throw new ExportError(`The normalisation's ${n.groups} groups do not match the input's last axis (${last})`);
  const sub = g.op('Sub', [input, g.weight(`${input}/normalization/offset`, vec(n.offset))], [], `${input}/normalization`);
  return g.op('Mul', [sub, g.weight(`${input}/normalization/scale`, vec(n.scale))], [], `${input}/normalization`);
}

/** Build the .onnx bytes for a document (or its plan) and its weights (TF.js order per node); with `pre`, normalisation and output activation included. */
export function buildOnnx(doc: LoomDocument | ExportPlan, weights: NodeWeights, pre?: Preprocessing | null): Uint8Array {
  const plan = planOf(doc);
  const g = new Graph(plan.name);
  const problems: Unsupported[] = [];
  const vals = new LayoutTracker<Val>((src, v, want, perm) => ({
    name: g.op('Transpose', [v.name], [{ name: 'perm', ints: perm }], `${src}/${want === 'cf' ? 'to_channels_first' : 'to_channels_last'}`),
    layout: want, rank: v.rank,
  }));
  for (const n of plan.nodes) {
    try {
      const r = emitNode(g, n, weights[n.id], (i, want) => vals.get(n.inputs[i]!, want));
      const folded = pre && n.id === pre.input.name && pre.input.dtype === 'float32' && pre.normalization.mode !== 'none';
      vals.set(n.id, { name: folded ? normalizeInput(g, r.name, n.outShape, pre.normalization) : r.name, layout: r.layout, rank: n.outShape.length });
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
    const act = pre && id === pre.output.name ? pre.output.activation : 'none';
    if (act === 'softmax') g.op('Softmax', [vals.get(id, 'cl').name], [{ name: 'axis', i: plan.byId.get(id)!.outShape.length }], 'output', [name]);
    else g.op(act === 'sigmoid' ? 'Sigmoid' : 'Identity', [vals.get(id, 'cl').name], [], 'output', [name]);
    return name;
  });
  return encodeModel({
    graphName: plan.name.replace(/[^A-Za-z0-9_]/g, '_') || 'model',
    nodes: g.nodes,
    initializers: g.inits,
    inputs: plan.inputs.map((id) => {
      const n = inputNode(plan, id);
      return { name: id, elemType: n.p.dtype === 'int32' ? DT.INT32 : DT.FLOAT, dims: ['batch', ...n.outShape] };
    }),
    outputs: plan.outputs.map((id, i) => ({ name: outputNames[i]!, elemType: DT.FLOAT, dims: ['batch', ...plan.byId.get(id)!.outShape] })),
    opset: ONNX_OPSET,
    irVersion: 8,
    producer: 'Layerloom',
    docString: `${plan.name}: exported by Layerloom. Inputs and outputs are channels-last (as in Keras); dimension "batch" is dynamic.${pre ? ' The input takes features (raw numbers, categorical columns one-hot; see preprocessing.json): the normalisation and the output activation are inside the graph.' : ''}`,
  });
}

/** Layers of a document that the ONNX export cannot express (checked without weights). */
export function onnxUnsupported(doc: LoomDocument | ExportPlan): Unsupported[] {
  const plan = planOf(doc);
  const out: Unsupported[] = [];
  for (const n of plan.nodes) {
    const bad = (reason: string) => out.push({ nodeId: n.id, type: n.type, reason });
    if (isLayer(n, 'SimpleRNN') || isLayer(n, 'LSTM') || isLayer(n, 'GRU')) {
      const acts = [n.p.activation, ...('recurrentActivation' in n.p ? [n.p.recurrentActivation] : [])];
      if (acts.some((a) => !RNN_ACT[a])) bad(`activation "${acts.join('"/"')}" is not available in ONNX recurrent ops (sigmoid, tanh, relu, hardSigmoid)`);
    }
    if (n.type === 'BatchNormalization' && n.inShapes[0]!.length > 3) bad(`BatchNormalization on a rank-${n.inShapes[0]!.length} input is not supported in ONNX export`);
  }
  return out;
}
