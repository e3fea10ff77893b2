/**
 * PyTorch exporter: a readable `model.py` (an nn.Module whose submodules are named after the graph's
 * nodes and whose `forward` follows the DAG) and the conversion of TF.js weights to its state dict.
 *
 * Layout: the generated model takes and returns channels-last tensors, exactly like Layerloom and
 * Keras (`[batch, height, width, channels]`, `[batch, steps, features]`), so the same data works.
 * Inside, convolution and pooling run channels-first (PyTorch's layout): the code permutes once
 * where a channels-last tensor enters a run of convolutional layers and once where it leaves
 * (before Flatten, Dense, ...). Flatten therefore flattens in Keras' (H, W, C) order, so Dense
 * weights need no reordering.
 */
import type { ActivationName, LayerType } from '../../catalog';
import type { LoomDocument } from '../../document/schema';
import { TORCH_ACT } from '../activations';
import { LayoutTracker, type Layout, type Placed } from '../layout';
import { ExportError, inputNode, modelClassName, planOf, py, pyStr, samePads, type ExportPlan, type PlanNode, type PlanNodeOf, type Unsupported } from '../plan';
import { PYTHON_PREDICT_MAIN, pythonPreprocessing } from '../preprocessing/python';
import { HELPER_ORDER, HELPERS } from './helpers';

interface In extends Placed {
  expr: string;
}

interface Ctx {
  /** Input i converted to a layout ('any' = as it is). */
  input(i: number, want: Layout | 'any'): In;
  self: string;
  helpers: Set<string>;
}

interface Emitted {
  /** Module constructor, assigned to `self.<name>`. */
  init?: string;
  /** Extra lines after the constructor in __init__ (e.g. freezing a missing BatchNorm offset). */
  initExtra?: string[];
  expr: string;
  layout: Layout;
}

type Emit<T extends LayerType> = (n: PlanNodeOf<T>, c: Ctx) => Emitted;

const act = (a: ActivationName, e: string, c: Ctx) => {
  if (a === 'linear') return e;
  if (a === 'hardSigmoid') c.helpers.add('hard_sigmoid');
  if (a === 'softmax') c.helpers.add('softmax_last');
  return `${TORCH_ACT[a]}(${e})`;
};
const actFn = (a: ActivationName, c: Ctx) => {
  if (a === 'linear') c.helpers.add('identity');
  if (a === 'hardSigmoid') c.helpers.add('hard_sigmoid');
  if (a === 'softmax') c.helpers.add('softmax_last');
  return TORCH_ACT[a];
};
const bias = (b: boolean) => (b ? '' : ', bias=False');
const tuple = (v: readonly number[]) => py(v);
const last = (s: readonly number[]) => s[s.length - 1]!;

/** Constant F.pad for TF "same" padding of the spatial dims of a channels-first tensor, or ''. */
function padFor(spatial: number[], k: readonly number[], s: readonly number[], d: readonly number[] = [1, 1]): number[] | null {
  // F.pad takes the last dim first: (left, right, top, bottom).
  const pads = spatial.map((size, i) => samePads(size, k[i]!, s[i]!, d[i]!)).reverse().flat();
  return pads.some((p) => p > 0) ? pads : null;
}

const convFor = (rank: number) => (rank === 1 ? '1d' : '2d');

/** Input expression and constructor argument for TF "same" padding: symmetric → padding=, else F.pad. */
function convPad(x: string, same: boolean, spatial: number[], k: readonly number[], s: readonly number[], d?: readonly number[]): { xin: string; arg: string } {
  const pads = same ? padFor(spatial, k, s, d) : null;
  if (!pads) return { xin: x, arg: '' };
  const pairs = spatial.map((_, i) => [pads[2 * (spatial.length - 1 - i)]!, pads[2 * (spatial.length - 1 - i) + 1]!]);
  if (pairs.every(([a, b]) => a === b)) return { xin: x, arg: `, padding=${spatial.length === 1 ? pairs[0]![0] : tuple(pairs.map((q) => q[0]!))}` };
  return { xin: `F.pad(${x}, ${tuple(pads)})`, arg: '' };
}

type PoolType = 'MaxPooling1D' | 'AveragePooling1D' | 'MaxPooling2D' | 'AveragePooling2D';

function pool(kind: 'max' | 'avg', rank: 1 | 2): Emit<PoolType> {
  return (n, c) => {
    const x = c.input(0, 'cf');
    const k = n.p.poolSize;
    const s = n.p.strides ?? n.p.poolSize;
    const fn = `F.${kind}_pool${convFor(rank)}`;
    const pads = n.p.padding === 'same' ? padFor(n.inShapes[0]!.slice(0, rank), k, s) : null;
    if (!pads) return { expr: `${fn}(${x.expr}, ${tuple(k)}, ${tuple(s)})`, layout: 'cf' };
    if (kind === 'max') return { expr: `${fn}(F.pad(${x.expr}, ${tuple(pads)}, value=float('-inf')), ${tuple(k)}, ${tuple(s)})`, layout: 'cf' };
    c.helpers.add('avg_pool_same');
    return { expr: `avg_pool_same(${x.expr}, ${tuple(pads)}, ${tuple(k)}, ${tuple(s)})`, layout: 'cf' };
  };
}

function globalPool(kind: 'mean' | 'amax', rank: 1 | 2): Emit<LayerType> {
  return (_n, c) => {
    const x = c.input(0, 'any');
    const dims = x.layout === 'cf' ? (rank === 1 ? [2] : [2, 3]) : rank === 1 ? [1] : [1, 2];
    return { expr: `${x.expr}.${kind}(dim=${dims.length === 1 ? dims[0] : tuple(dims)})`, layout: 'cl' };
  };
}

type Cell = 'LSTM' | 'GRU' | 'SimpleRNN';
/** What a recurrent module needs; SimpleRNN has no recurrent activation. */
interface CellConfig {
  units: number;
  activation: ActivationName;
  recurrentActivation?: ActivationName;
  useBias: boolean;
  returnSequences: boolean;
}

/** nn.LSTM / nn.RNN compute the standard activations; anything else needs the explicit Recurrent module. */
export const isStandardRnn = (cell: Cell, p: CellConfig) =>
  (cell === 'LSTM' && p.activation === 'tanh' && (p.recurrentActivation ?? 'sigmoid') === 'sigmoid') ||
  (cell === 'SimpleRNN' && (p.activation === 'tanh' || p.activation === 'relu'));

/** A recurrent layer as a module constructor (nn.LSTM / nn.RNN when the activations allow, else Recurrent). */
function recurrentModule(cell: Cell, features: number, p: CellConfig, c: Ctx, forceExplicit: boolean) {
  const a = p.activation;
  const ra = p.recurrentActivation ?? 'sigmoid';
  if (!forceExplicit && isStandardRnn(cell, p)) {
    const ctor = cell === 'LSTM' ? `nn.LSTM(${features}, ${p.units}, batch_first=True${bias(p.useBias)})`
      : `nn.RNN(${features}, ${p.units}, nonlinearity=${pyStr(a)}, batch_first=True${bias(p.useBias)})`;
    return { ctor, std: true };
  }
  c.helpers.add('Recurrent');
  const kind = cell === 'LSTM' ? 'lstm' : cell === 'GRU' ? 'gru' : 'rnn';
  const ctor = `Recurrent(${pyStr(kind)}, ${features}, ${p.units}, activation=${actFn(a, c)}, ` +
    `recurrent_activation=${actFn(ra, c)}, bias=${py(p.useBias)}, return_sequences=${py(p.returnSequences)})`;
  return { ctor, std: false };
}

function rnn<C extends Cell>(cell: C): Emit<C> {
  return (n, c) => {
    const x = c.input(0, 'cl');
    const m = recurrentModule(cell, last(n.inShapes[0]!), n.p, c, cell === 'GRU');
    const call = `${c.self}(${x.expr})`;
    const expr = m.std ? (n.p.returnSequences ? `${call}[0]` : `${call}[0][:, -1]`) : call;
    return { init: m.ctor, expr, layout: 'cl' };
  };
}

/** ConvTranspose1d/2d with TF's output size: output_padding for a kernel smaller than the stride, a crop for 'same'. */
function transposedConv(n: PlanNodeOf<'Conv1DTranspose' | 'Conv2DTranspose'>, c: Ctx): Emitted {
  const x = c.input(0, 'cf');
  const s = n.inShapes[0]!;
  const k = n.p.kernelSize;
  const st = n.p.strides;
  const rank = k.length;
  const op = k.map((kk, i) => Math.max(st[i]! - kk, 0));
  let expr = `${c.self}(${x.expr})`;
  if (n.p.padding === 'same' && k.some((kk, i) => kk > st[i]!)) {
    const crop = k.map((kk, i) => Math.floor(Math.max(kk - st[i]!, 0) / 2));
    expr = `${expr}[:, :, ${crop.map((b, i) => `${b}:${b + n.outShape[i]!}`).join(', ')}]`;
  }
  const opArg = op.some((v) => v > 0) ? `, output_padding=${tuple(op)}` : '';
  return {
    init: `nn.ConvTranspose${rank}d(${s[rank]}, ${n.p.filters}, kernel_size=${tuple(k)}, stride=${tuple(st)}${opArg}${bias(n.p.useBias)})`,
    expr: act(n.p.activation, expr, c), layout: 'cf',
  };
}

const EMIT: { [T in LayerType]: Emit<T> } = {
  Input: (n) => ({ expr: n.py, layout: 'cl' }),
  Dense: (n, c) => {
    const x = c.input(0, 'cl');
    return { init: `nn.Linear(${last(n.inShapes[0]!)}, ${n.p.units}${bias(n.p.useBias)})`, expr: act(n.p.activation, `${c.self}(${x.expr})`, c), layout: 'cl' };
  },
  Activation: (n, c) => {
    const x = c.input(0, n.p.activation === 'softmax' ? 'cl' : 'any');
    return { expr: act(n.p.activation, x.expr, c), layout: x.layout };
  },
  Dropout: (n, c) => {
    const x = c.input(0, 'any');
    return { init: `nn.Dropout(${n.p.rate})`, expr: `${c.self}(${x.expr})`, layout: x.layout };
  },
  Embedding: (n, c) => ({
    init: `nn.Embedding(${n.p.inputDim}, ${n.p.outputDim})`, expr: `${c.self}(${c.input(0, 'cl').expr}.long())`, layout: 'cl',
  }),
  Conv1D: (n, c) => {
    const x = c.input(0, 'cf');
    const s = n.inShapes[0]!;
    const { xin, arg } = convPad(x.expr, n.p.padding === 'same', [s[0]!], n.p.kernelSize, n.p.strides, n.p.dilationRate);
    const dil = n.p.dilationRate[0] > 1 ? `, dilation=${n.p.dilationRate[0]}` : '';
    return {
      init: `nn.Conv1d(${s[1]}, ${n.p.filters}, kernel_size=${n.p.kernelSize[0]}, stride=${n.p.strides[0]}${arg}${dil}${bias(n.p.useBias)})`,
      expr: act(n.p.activation, `${c.self}(${xin})`, c), layout: 'cf',
    };
  },
  Conv2D: (n, c) => {
    const x = c.input(0, 'cf');
    const s = n.inShapes[0]!;
    const { xin, arg } = convPad(x.expr, n.p.padding === 'same', s.slice(0, 2), n.p.kernelSize, n.p.strides, n.p.dilationRate);
    const dil = n.p.dilationRate.some((d) => d > 1) ? `, dilation=${tuple(n.p.dilationRate)}` : '';
    return {
      init: `nn.Conv2d(${s[2]}, ${n.p.filters}, kernel_size=${tuple(n.p.kernelSize)}, stride=${tuple(n.p.strides)}${arg}${dil}${bias(n.p.useBias)})`,
      expr: act(n.p.activation, `${c.self}(${xin})`, c), layout: 'cf',
    };
  },
  Conv1DTranspose: (n, c) => transposedConv(n, c),
  Conv2DTranspose: (n, c) => transposedConv(n, c),
  DepthwiseConv2D: (n, c) => {
    const x = c.input(0, 'cf');
    const s = n.inShapes[0]!;
    const { xin, arg } = convPad(x.expr, n.p.padding === 'same', s.slice(0, 2), n.p.kernelSize, n.p.strides);
    return {
      init: `nn.Conv2d(${s[2]}, ${s[2]! * n.p.depthMultiplier}, kernel_size=${tuple(n.p.kernelSize)}, stride=${tuple(n.p.strides)}${arg}, groups=${s[2]}${bias(n.p.useBias)})`,
      expr: act(n.p.activation, `${c.self}(${xin})`, c), layout: 'cf',
    };
  },
  SeparableConv2D: (n, c) => {
    const x = c.input(0, 'cf');
    const s = n.inShapes[0]!;
    const pads = n.p.padding === 'same' ? padFor(s.slice(0, 2), n.p.kernelSize, n.p.strides) : null;
    const xin = pads ? `F.pad(${x.expr}, ${tuple(pads)})` : x.expr;
    c.helpers.add('SeparableConv2d');
    return {
      init: `SeparableConv2d(${s[2]}, ${n.p.filters}, kernel_size=${tuple(n.p.kernelSize)}, stride=${tuple(n.p.strides)}, depth_multiplier=${n.p.depthMultiplier}, bias=${py(n.p.useBias)})`,
      expr: act(n.p.activation, `${c.self}(${xin})`, c), layout: 'cf',
    };
  },
  MaxPooling1D: pool('max', 1),
  AveragePooling1D: pool('avg', 1),
  MaxPooling2D: pool('max', 2),
  AveragePooling2D: pool('avg', 2),
  GlobalAveragePooling1D: globalPool('mean', 1),
  GlobalMaxPooling1D: globalPool('amax', 1),
  GlobalAveragePooling2D: globalPool('mean', 2),
  GlobalMaxPooling2D: globalPool('amax', 2),
  SimpleRNN: rnn('SimpleRNN'),
  LSTM: rnn('LSTM'),
  GRU: rnn('GRU'),
  Bidirectional: (n, c) => {
    const x = c.input(0, 'cl');
    const f = last(n.inShapes[0]!);
    const p: CellConfig = { units: n.p.units, activation: 'tanh', ...(n.p.layer === 'SimpleRNN' ? {} : { recurrentActivation: 'sigmoid' }), useBias: true, returnSequences: n.p.returnSequences };
    const inner = recurrentModule(n.p.layer, f, p, c, true).ctor;
    c.helpers.add('Bidirectional');
    return {
      init: `Bidirectional(\n            ${inner},\n            ${inner},\n            merge_mode=${pyStr(n.p.mergeMode)}, return_sequences=${py(n.p.returnSequences)})`,
      expr: `${c.self}(${x.expr})`, layout: 'cl',
    };
  },
  MultiHeadAttention: (n, c) => {
    const xs = n.inputs.map((_, i) => c.input(i, 'cl').expr);
    const [q, v = q!, k = v] = n.inShapes;
    c.helpers.add('MultiHeadAttention');
    const p = n.p;
    return {
      init: `MultiHeadAttention(${last(q!)}, ${last(k)}, ${last(v)}, num_heads=${p.numHeads}, key_dim=${p.keyDim}, ` +
        `value_dim=${p.valueDim ?? p.keyDim}, output_dim=${p.outputShape ?? last(q!)}, bias=${py(p.useBias)}, dropout=${p.dropout}` +
        `${p.causal ? ', causal=True' : ''})`,
      expr: `${c.self}(${xs.join(', ')})`, layout: 'cl',
    };
  },
  TransformerEncoder: (n, c) => {
    const x = c.input(0, 'cl');
    c.helpers.add('MultiHeadAttention');
    c.helpers.add('TransformerEncoder');
    const p = n.p;
    return {
      init: `TransformerEncoder(${last(n.inShapes[0]!)}, num_heads=${p.numHeads}, intermediate_dim=${p.intermediateDim}, ` +
        `dropout=${p.dropout}, activation=${actFn(p.activation, c)}, layer_norm_epsilon=${p.layerNormEpsilon}, normalize_first=${py(p.normalizeFirst)})`,
      expr: `${c.self}(${x.expr})`, layout: 'cl',
    };
  },
  TransformerDecoder: (n, c) => {
    const xs = n.inputs.map((_, i) => c.input(i, 'cl').expr);
    c.helpers.add('MultiHeadAttention');
    c.helpers.add('TransformerDecoder');
    const p = n.p;
    const enc = n.inShapes[1] ? `encoder_dim=${last(n.inShapes[1])}, ` : '';
    return {
      init: `TransformerDecoder(${last(n.inShapes[0]!)}, num_heads=${p.numHeads}, intermediate_dim=${p.intermediateDim}, ${enc}` +
        `dropout=${p.dropout}, activation=${actFn(p.activation, c)}, layer_norm_epsilon=${p.layerNormEpsilon}, normalize_first=${py(p.normalizeFirst)})`,
      expr: `${c.self}(${xs.join(', ')})`, layout: 'cl',
    };
  },
  PositionalEmbedding: (n, c) => {
    c.helpers.add('PositionalEmbedding');
    return { init: `PositionalEmbedding(${n.p.sequenceLength}, ${last(n.inShapes[0]!)})`, expr: `${c.self}(${c.input(0, 'cl').expr})`, layout: 'cl' };
  },
  BatchNormalization: (n, c) => {
    const rank = n.inShapes[0]!.length;
    if (rank > 3) throw new ExportError(`BatchNormalization "${n.id}" on a rank-${rank} input is not supported in the PyTorch export`);
    const x = c.input(0, rank === 1 ? 'cl' : 'cf');
    const ch = last(n.inShapes[0]!);
    const cls = rank === 3 ? 'nn.BatchNorm2d' : 'nn.BatchNorm1d';
    const affine = n.p.center || n.p.scale;
    const extra: string[] = [];
    if (affine && !n.p.center) extra.push(`self.${n.py}.bias.requires_grad_(False)  # center=False: no learned offset`);
    if (affine && !n.p.scale) extra.push(`self.${n.py}.weight.requires_grad_(False)  # scale=False: no learned scale`);
    return {
      // Keras momentum m weights the old statistics; PyTorch's momentum weights the new batch: 1 - m.
      init: `${cls}(${ch}, eps=${n.p.epsilon}, momentum=${+(1 - n.p.momentum).toFixed(10)}${affine ? '' : ', affine=False'})`,
      initExtra: extra, expr: `${c.self}(${x.expr})`, layout: rank === 1 ? 'cl' : 'cf',
    };
  },
  LayerNormalization: (n, c) => {
    const x = c.input(0, 'cl');
    const affine = n.p.center || n.p.scale;
    const extra: string[] = [];
    if (affine && !n.p.center) extra.push(`self.${n.py}.bias.requires_grad_(False)  # center=False`);
    if (affine && !n.p.scale) extra.push(`self.${n.py}.weight.requires_grad_(False)  # scale=False`);
    return {
      init: `nn.LayerNorm(${last(n.inShapes[0]!)}, eps=${n.p.epsilon}${affine ? '' : ', elementwise_affine=False'})`,
      initExtra: extra, expr: `${c.self}(${x.expr})`, layout: 'cl',
    };
  },
  Add: (n, c) => merge(n, c, ' + '),
  Multiply: (n, c) => merge(n, c, ' * '),
  Concatenate: (n, c) => {
    const first = c.input(0, 'any');
    const layout = n.inputs.every((_, i) => c.input(i, 'any').layout === first.layout) ? first.layout : 'cl';
    const xs = n.inputs.map((_, i) => c.input(i, layout).expr);
    const rank = n.outShape.length;
    const axis = n.p.axis < 0 ? rank + n.p.axis : n.p.axis;
    // Sample axis (channels-last) → tensor dim; channels-first moves channels to dim 1.
    const dim = layout === 'cl' ? axis + 1 : axis === rank - 1 ? 1 : axis + 2;
    return { expr: `torch.cat([${xs.join(', ')}], dim=${dim})`, layout };
  },
  Flatten: (_n, c) => ({ expr: `torch.flatten(${c.input(0, 'cl').expr}, 1)`, layout: 'cl' }),
  Reshape: (n, c) => ({ expr: `${c.input(0, 'cl').expr}.reshape(-1, ${n.outShape.join(', ')})`, layout: 'cl' }),
  UpSampling2D: (n, c) => {
    const x = c.input(0, 'cf');
    if (n.p.interpolation === 'bilinear') {
      c.helpers.add('upsample_bilinear_tf');
      return { expr: `upsample_bilinear_tf(${x.expr}, ${tuple(n.p.size)})`, layout: 'cf' };
    }
    return { expr: `F.interpolate(${x.expr}, scale_factor=${tuple(n.p.size)}, mode='nearest')`, layout: 'cf' };
  },
  ZeroPadding2D: (n, c) => {
    // Padded where the tensor is: F.pad lists the last dim first, (left, right) of width, then (top, bottom).
    const x = c.input(0, 'any');
    const [[top, bottom], [left, right]] = n.p.padding;
    const pads = x.layout === 'cf' ? [left, right, top, bottom] : [0, 0, left, right, top, bottom];
    return { expr: `F.pad(${x.expr}, ${tuple(pads)})`, layout: x.layout };
  },
};

/** The emitter of a node's own type. */
const emitNode = <T extends LayerType>(n: PlanNodeOf<T>, c: Ctx): Emitted => EMIT[n.type](n, c);

function merge(n: PlanNode, c: Ctx, op: string): Emitted {
  const first = c.input(0, 'any');
  const xs = n.inputs.map((_, i) => c.input(i, first.layout).expr);
  return { expr: xs.join(op), layout: first.layout };
}

export interface PytorchCode {
  className: string;
  modelPy: string;
}

/** Generate model.py for a document or its plan (throws ExportError listing every unsupported layer). */
export function generatePytorch(doc: LoomDocument | ExportPlan): PytorchCode {
  const plan = planOf(doc);
  const className = modelClassName(plan.name);
  const helpers = new Set<string>();
  const init: string[] = [];
  const fwd: string[] = [];
  const problems: Unsupported[] = [];
  const outs = new LayoutTracker<In>((src, v, want, perm) => {
    const py = plan.byId.get(src)!.py;
    const name = v.rank === 2 ? `${py}_${want === 'cf' ? 'ncl' : 'nlc'}` : `${py}_${want === 'cf' ? 'nchw' : 'nhwc'}`;
    fwd.push(`${name} = ${v.expr}.permute(${perm.join(', ')})`);
    return { expr: name, layout: want, rank: v.rank };
  });

  for (const n of plan.nodes) {
    const ctx: Ctx = { input: (i, want) => outs.get(n.inputs[i]!, want), self: `self.${n.py}`, helpers };
    let e: Emitted;
    try {
      e = emitNode(n, ctx);
    } catch (err) {
      if (err instanceof ExportError) {
        problems.push(...(err.unsupported.length ? err.unsupported : [{ nodeId: n.id, type: n.type, reason: err.message }]));
        outs.set(n.id, { expr: n.py, layout: 'cl', rank: n.outShape.length });
        continue;
      }
      throw err;
    }
    if (e.init) {
      init.push(`self.${n.py} = ${e.init}`);
      init.push(...(e.initExtra ?? []));
    }
    if (n.type !== 'Input') fwd.push(`${n.py} = ${e.expr}  # ${n.type} -> [${n.outShape.join(', ')}]`);
    outs.set(n.id, { expr: n.py, layout: e.layout, rank: n.outShape.length });
  }
  if (problems.length) {
    throw new ExportError(`PyTorch export: ${problems.length} layer(s) cannot be exported: ${problems.map((p) => `${p.nodeId} (${p.type}): ${p.reason}`).join('; ')}`, problems);
  }
  const results = plan.outputs.map((id) => outs.get(id, 'cl').expr);
  fwd.push(`return ${results.length === 1 ? results[0] : `(${results.join(', ')})`}`);

  const args = plan.inputs.map((id) => plan.byId.get(id)!.py);
  const inputSpecs = plan.inputs.map((id) => {
    const n = inputNode(plan, id);
    return `    ${pyStr(n.py)}: (${py(n.outShape)}, ${pyStr(n.p.dtype)}),`;
  });
  const usedHelpers = HELPER_ORDER.filter((h) => helpers.has(h));
  const modelPy = `"""${plan.name}: a PyTorch model exported by Layerloom.

Inputs and outputs are channels-last, as in Layerloom and Keras (images [batch, height, width,
channels], sequences [batch, steps, features]); convolutions run channels-first inside, with one
permute where a run of them starts and ends, so Flatten keeps Keras' (height, width, channels) order.

    from model import load_model
    model = load_model()            # the trained weights in weights.pt next to this file
    y = model(x)                    # x: the model input, torch.float32 [batch, ${plan.byId.get(plan.inputs[0]!)!.outShape.join(', ')}] (normalised)
    predict_rows(model, rows)       # raw rows (CSV rows as written), as Layerloom's Try it; needs preprocessing.json

or from a shell: python model.py rows.csv (one JSON line of outputs and label per row).
"""
import csv
import json
import math
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# Input name -> (shape of one sample, dtype), batch excluded.
INPUTS = {
${inputSpecs.join('\n')}
}
OUTPUTS = [${plan.outputs.map((id) => pyStr(plan.byId.get(id)!.py)).join(', ')}]


${usedHelpers.map((h) => HELPERS[h]).join('\n\n')}${usedHelpers.length ? '\n\n' : ''}class ${className}(nn.Module):
    def __init__(self):
        super().__init__()
${init.length ? init.map((l) => `        ${l}`).join('\n') : '        pass'}

    def forward(self, ${args.join(', ')}):
${fwd.map((l) => `        ${l}`).join('\n')}


Model = ${className}


def load_model(path=None, map_location='cpu'):
    """The model with the exported weights (weights.pt beside this file), in eval mode."""
    model = ${className}()
    path = path or os.path.join(os.path.dirname(os.path.abspath(__file__)), 'weights.pt')
    model.load_state_dict(torch.load(path, map_location=map_location))
    return model.eval()


def example_inputs(batch=2):
    """Random inputs of the right shapes and dtypes."""
    out = []
    for shape, dtype in INPUTS.values():
        out.append(torch.zeros((batch,) + shape, dtype=torch.long) if dtype == 'int32' else torch.rand((batch,) + shape))
    return out


${pythonPreprocessing('torch')}


if __name__ == '__main__':
    ${PYTHON_PREDICT_MAIN}
    weights = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'weights.pt')
    model = load_model() if os.path.exists(weights) else ${className}().eval()
    with torch.no_grad():
        y = model(*example_inputs())
    for name, t in zip(OUTPUTS, y if isinstance(y, tuple) else (y,)):
        print(name, tuple(t.shape))
`;
  return { className, modelPy };
}

