/**
 * The trained weights as the generated model.py's state dict: each node's declared weights
 * (catalog) converted by name to the PyTorch module that model.py builds for it.
 */
import type { LayerType, WeightNameOf } from '../../catalog';
import type { LoomDocument } from '../../document/schema';
import { depthwiseKernelToChannelsFirst, kernelToChannelsFirst } from '../layout';
import { planOf, type ExportPlan, type PlanNodeOf } from '../plan';
import { filled, reshape, tensor, transpose, type HostTensor, type NodeWeights } from '../tensor';
import { layerWeights, type LayerWeights } from '../weights';
import { isStandardRnn } from './model-py';

type Entries = [string, HostTensor][];
type WeightMap<T extends LayerType> = (n: PlanNodeOf<T>, w: LayerWeights<WeightNameOf<T>>) => Entries;

const T2 = (t: HostTensor) => transpose(t, [1, 0]);
const optional = <N extends string>(w: LayerWeights<N>, name: N, key: string, f = (t: HostTensor) => t): Entries =>
  (w.has(name) ? [[key, f(w.get(name))]] : []);

/** A recurrent cell's kernel / recurrent kernel / bias in PyTorch names (nn.LSTM/nn.RNN, or the explicit Recurrent module). */
function rnnWeights(prefix: string, k: HostTensor, rk: HostTensor, b: HostTensor | null, std: boolean): Entries {
  if (std) {
    const out: Entries = [[`${prefix}weight_ih_l0`, T2(k)], [`${prefix}weight_hh_l0`, T2(rk)]];
    // TF.js has one bias; PyTorch adds two.
    if (b) out.push([`${prefix}bias_ih_l0`, b], [`${prefix}bias_hh_l0`, tensor(b.shape)]);
    return out;
  }
  const out: Entries = [[`${prefix}weight_ih`, T2(k)], [`${prefix}weight_hh`, T2(rk)]];
  if (b) out.push([`${prefix}bias`, b]);
  return out;
}

type Projection = 'query' | 'key' | 'value' | 'attention_output';
const MHA_MODULES: Record<Projection, string> = { query: 'query', key: 'key', value: 'value', attention_output: 'output' };

/** Keras MHA projections ([d, heads, dim] kernels; [heads, dim, out] output) → the generated MultiHeadAttention's Linear layers. */
function mhaWeights<N extends string>(prefix: string, w: LayerWeights<N>, name: (proj: Projection, kind: 'kernel' | 'bias') => N): Entries {
  const out: Entries = [];
  for (const proj of ['query', 'key', 'value', 'attention_output'] as const) {
    const k = w.get(name(proj, 'kernel'));
    const isOut = proj === 'attention_output';
    const din = isOut ? k.shape[0]! * k.shape[1]! : k.shape[0]!;
    const dout = isOut ? k.shape[2]! : k.shape[1]! * k.shape[2]!;
    out.push([`${prefix}${MHA_MODULES[proj]}.weight`, T2(reshape(k, [din, dout]))]);
    if (w.has(name(proj, 'bias'))) out.push([`${prefix}${MHA_MODULES[proj]}.bias`, reshape(w.get(name(proj, 'bias')), [dout])]);
  }
  return out;
}

/** gamma/beta (absent ones as the identity: model.py freezes them) and, for BatchNorm, the moving statistics. */
function normWeights(n: PlanNodeOf<'BatchNormalization' | 'LayerNormalization'>, w: LayerWeights<WeightNameOf<'BatchNormalization'>> | LayerWeights<WeightNameOf<'LayerNormalization'>>): Entries {
  const c = n.outShape[n.outShape.length - 1]!;
  const gamma = w.has('gamma') ? w.get('gamma') : filled([c], 1);
  const beta = w.has('beta') ? w.get('beta') : filled([c], 0);
  return n.p.scale || n.p.center ? [['weight', gamma], ['bias', beta]] : [];
}

const conv = <T extends 'Conv1D' | 'Conv2D' | 'Conv1DTranspose' | 'Conv2DTranspose'>(): WeightMap<T> => (_n, w) =>
  // A transposed kernel [kh, kw, out, in] → ConvTranspose2d [in, out, kh, kw] is the same permutation.
  [['weight', kernelToChannelsFirst(w.get('kernel'))], ...optional(w, 'bias', 'bias')];
const cell = <T extends 'SimpleRNN' | 'LSTM' | 'GRU'>(): WeightMap<T> => (n, w) =>
  rnnWeights('', w.get('kernel'), w.get('recurrent_kernel'), w.has('bias') ? w.get('bias') : null, n.type !== 'GRU' && isStandardRnn(n.type, n.p));
const none = (): Entries => [];

const WEIGHTS: { [T in LayerType]: WeightMap<T> } = {
  Input: none, Activation: none, Dropout: none, Add: none, Multiply: none, Concatenate: none, Flatten: none, Reshape: none,
  UpSampling2D: none, ZeroPadding2D: none, MaxPooling1D: none, AveragePooling1D: none, MaxPooling2D: none, AveragePooling2D: none,
  GlobalAveragePooling1D: none, GlobalMaxPooling1D: none, GlobalAveragePooling2D: none, GlobalMaxPooling2D: none,
  Dense: (_n, w) => [['weight', T2(w.get('kernel'))], ...optional(w, 'bias', 'bias')],
  Embedding: (_n, w) => [['weight', w.get('embeddings')]],
  Conv1D: conv(),
  Conv2D: conv(),
  Conv1DTranspose: conv(),
  Conv2DTranspose: conv(),
  DepthwiseConv2D: (_n, w) => [['weight', depthwiseKernelToChannelsFirst(w.get('depthwise_kernel'))], ...optional(w, 'bias', 'bias')],
  SeparableConv2D: (_n, w) => [
    ['depthwise.weight', depthwiseKernelToChannelsFirst(w.get('depthwise_kernel'))],
    ['pointwise.weight', kernelToChannelsFirst(w.get('pointwise_kernel'))],
    ...optional(w, 'bias', 'pointwise.bias'),
  ],
  SimpleRNN: cell(),
  LSTM: cell(),
  GRU: cell(),
  Bidirectional: (_n, w) => [
    ...rnnWeights('forward_layer.', w.get('forward/kernel'), w.get('forward/recurrent_kernel'), w.get('forward/bias'), false),
    ...rnnWeights('backward_layer.', w.get('backward/kernel'), w.get('backward/recurrent_kernel'), w.get('backward/bias'), false),
  ],
  MultiHeadAttention: (_n, w) => mhaWeights('', w, (proj, kind) => `${proj}/${kind}`),
  TransformerEncoder: (_n, w) => [
    ...mhaWeights('self_attention.', w, (proj, kind) => `self_attention/${proj}/${kind}`),
    ['self_attention_layer_norm.weight', w.get('self_attention_layer_norm/gamma')],
    ['self_attention_layer_norm.bias', w.get('self_attention_layer_norm/beta')],
    ['feedforward_intermediate_dense.weight', T2(w.get('feedforward_intermediate_dense/kernel'))],
    ['feedforward_intermediate_dense.bias', w.get('feedforward_intermediate_dense/bias')],
    ['feedforward_output_dense.weight', T2(w.get('feedforward_output_dense/kernel'))],
    ['feedforward_output_dense.bias', w.get('feedforward_output_dense/bias')],
    ['feedforward_layer_norm.weight', w.get('feedforward_layer_norm/gamma')],
    ['feedforward_layer_norm.bias', w.get('feedforward_layer_norm/beta')],
  ],
  TransformerDecoder: (n, w) => [
    ...mhaWeights('self_attention.', w, (proj, kind) => `self_attention/${proj}/${kind}`),
    ['self_attention_layer_norm.weight', w.get('self_attention_layer_norm/gamma')],
    ['self_attention_layer_norm.bias', w.get('self_attention_layer_norm/beta')],
    ...(n.inShapes.length > 1 ? [
      ...mhaWeights('cross_attention.', w, (proj, kind) => `cross_attention/${proj}/${kind}`),
      ['cross_attention_layer_norm.weight', w.get('cross_attention_layer_norm/gamma')],
      ['cross_attention_layer_norm.bias', w.get('cross_attention_layer_norm/beta')],
    ] satisfies Entries : []),
    ['feedforward_intermediate_dense.weight', T2(w.get('feedforward_intermediate_dense/kernel'))],
    ['feedforward_intermediate_dense.bias', w.get('feedforward_intermediate_dense/bias')],
    ['feedforward_output_dense.weight', T2(w.get('feedforward_output_dense/kernel'))],
    ['feedforward_output_dense.bias', w.get('feedforward_output_dense/bias')],
    ['feedforward_layer_norm.weight', w.get('feedforward_layer_norm/gamma')],
    ['feedforward_layer_norm.bias', w.get('feedforward_layer_norm/beta')],
  ],
  PositionalEmbedding: (_n, w) => [['embeddings', w.get('embeddings')]],
  BatchNormalization: (n, w) => [
    ...normWeights(n, w),
    ['running_mean', w.get('moving_mean')], ['running_var', w.get('moving_variance')],
    ['num_batches_tracked', { shape: [], data: new Float32Array([0]), dtype: 'int64' }],
  ],
  LayerNormalization: (n, w) => normWeights(n, w),
};

const stateOf = <T extends LayerType>(n: PlanNodeOf<T>, tensors: HostTensor[] | undefined): Entries =>
  WEIGHTS[n.type](n, layerWeights(n, tensors));

/** The state dict (`name → tensor`, PyTorch layouts) for the trained TF.js weights of every node. */
export function pytorchStateDict(doc: LoomDocument | ExportPlan, weights: NodeWeights): Entries {
  const plan = planOf(doc);
  return plan.nodes.flatMap((n) => stateOf(n, weights[n.id]).map(([k, t]): [string, HostTensor] => [`${n.py}.${k}`, t]));
}
