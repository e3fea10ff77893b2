/**
 * Keras 3 `model.py`: the model written with the functional API (layer names = node ids), with
 * small custom layers for TransformerEncoder and PositionalEmbedding and TF.js-exact activations.
 */
import { isLayer, type ActivationName, type LayerType } from '../../catalog';
import type { LoomDocument } from '../../document/schema';
import { KERAS_ACT } from '../activations';
import { inputNode, modelClassName, planOf, py, pyStr, type ExportPlan, type PlanNode, type PlanNodeOf } from '../plan';
import { PYTHON_PREDICT_MAIN, pythonPreprocessing } from '../preprocessing/python';

type Emit<T extends LayerType> = (n: PlanNodeOf<T>, helpers: Set<string>) => string;

const act = (a: ActivationName, helpers: Set<string>) => {
  const k = KERAS_ACT[a];
  if (k.startsWith('tfjs_')) helpers.add(k);
  return k.startsWith('tfjs_') ? k : pyStr(k);
};
const name = (n: PlanNode) => `name=${pyStr(n.id)}`;
const tup = (v: readonly number[]) => py(v);

const conv = (n: PlanNodeOf<'Conv1D' | 'Conv2D' | 'Conv1DTranspose' | 'Conv2DTranspose' | 'DepthwiseConv2D' | 'SeparableConv2D'>, h: Set<string>, extra = '') =>
  `kernel_size=${tup(n.p.kernelSize)}, strides=${tup(n.p.strides)}, padding=${pyStr(n.p.padding)}${extra}, activation=${act(n.p.activation, h)}, use_bias=${py(n.p.useBias)}, ${name(n)}`;

const pool = (cls: string): Emit<'MaxPooling1D' | 'AveragePooling1D' | 'MaxPooling2D' | 'AveragePooling2D'> => (n) =>
  `layers.${cls}(pool_size=${tup(n.p.poolSize)}, strides=${n.p.strides ? tup(n.p.strides) : 'None'}, padding=${pyStr(n.p.padding)}, ${name(n)})`;

const rnnArgs = (n: PlanNodeOf<'SimpleRNN' | 'LSTM' | 'GRU'>, h: Set<string>) =>
  `${n.p.units}, activation=${act(n.p.activation, h)}` +
  ('recurrentActivation' in n.p ? `, recurrent_activation=${act(n.p.recurrentActivation, h)}` : '') +
  `, use_bias=${py(n.p.useBias)}, return_sequences=${py(n.p.returnSequences)}` + (n.type === 'GRU' ? ', reset_after=False' : '');

const LAYER: { [T in LayerType]: Emit<T> } = {
  Input: () => '',
  Dense: (n, h) => `layers.Dense(${n.p.units}, activation=${act(n.p.activation, h)}, use_bias=${py(n.p.useBias)}, ${name(n)})`,
  Activation: (n, h) => `layers.Activation(${act(n.p.activation, h)}, ${name(n)})`,
  Dropout: (n) => `layers.Dropout(${n.p.rate}, ${name(n)})`,
  Embedding: (n) => `layers.Embedding(${n.p.inputDim}, ${n.p.outputDim}, ${name(n)})`,
  Conv1D: (n, h) => `layers.Conv1D(${n.p.filters}, ${conv(n, h, `, dilation_rate=${tup(n.p.dilationRate)}`)})`,
  Conv2D: (n, h) => `layers.Conv2D(${n.p.filters}, ${conv(n, h, `, dilation_rate=${tup(n.p.dilationRate)}`)})`,
  Conv1DTranspose: (n, h) => `layers.Conv1DTranspose(${n.p.filters}, ${conv(n, h)})`,
  Conv2DTranspose: (n, h) => `layers.Conv2DTranspose(${n.p.filters}, ${conv(n, h)})`,
  DepthwiseConv2D: (n, h) => `layers.DepthwiseConv2D(${conv(n, h, `, depth_multiplier=${n.p.depthMultiplier}`)})`,
  SeparableConv2D: (n, h) => `layers.SeparableConv2D(${n.p.filters}, ${conv(n, h, `, depth_multiplier=${n.p.depthMultiplier}`)})`,
  MaxPooling1D: pool('MaxPooling1D'),
  AveragePooling1D: pool('AveragePooling1D'),
  MaxPooling2D: pool('MaxPooling2D'),
  AveragePooling2D: pool('AveragePooling2D'),
  GlobalAveragePooling1D: (n) => `layers.GlobalAveragePooling1D(${name(n)})`,
  GlobalMaxPooling1D: (n) => `layers.GlobalMaxPooling1D(${name(n)})`,
  GlobalAveragePooling2D: (n) => `layers.GlobalAveragePooling2D(${name(n)})`,
  GlobalMaxPooling2D: (n) => `layers.GlobalMaxPooling2D(${name(n)})`,
  SimpleRNN: (n, h) => `layers.SimpleRNN(${rnnArgs(n, h)}, ${name(n)})`,
  LSTM: (n, h) => `layers.LSTM(${rnnArgs(n, h)}, ${name(n)})`,
  GRU: (n, h) => `layers.GRU(${rnnArgs(n, h)}, ${name(n)})`,
  Bidirectional: (n) => {
    const gru = n.p.layer === 'GRU' ? ', reset_after=False' : '';
    return `layers.Bidirectional(layers.${n.p.layer}(${n.p.units}, return_sequences=${py(n.p.returnSequences)}${gru}), merge_mode=${pyStr(n.p.mergeMode)}, ${name(n)})`;
  },
  MultiHeadAttention: (n) => `layers.MultiHeadAttention(num_heads=${n.p.numHeads}, key_dim=${n.p.keyDim}, value_dim=${py(n.p.valueDim)}, ` +
    `dropout=${n.p.dropout}, use_bias=${py(n.p.useBias)}, output_shape=${py(n.p.outputShape)}, ${name(n)})`,
  TransformerEncoder: (n, h) => {
    h.add('TransformerEncoder');
    return `TransformerEncoder(num_heads=${n.p.numHeads}, intermediate_dim=${n.p.intermediateDim}, dropout=${n.p.dropout}, ` +
      `activation=${act(n.p.activation, h)}, layer_norm_epsilon=${n.p.layerNormEpsilon}, normalize_first=${py(n.p.normalizeFirst)}, ${name(n)})`;
  },
  TransformerDecoder: (n, h) => {
    h.add('TransformerDecoder');
    return `TransformerDecoder(num_heads=${n.p.numHeads}, intermediate_dim=${n.p.intermediateDim}, dropout=${n.p.dropout}, ` +
      `activation=${act(n.p.activation, h)}, layer_norm_epsilon=${n.p.layerNormEpsilon}, normalize_first=${py(n.p.normalizeFirst)}, ${name(n)})`;
  },
  PositionalEmbedding: (n, h) => {
    h.add('PositionalEmbedding');
    return `PositionalEmbedding(${n.p.sequenceLength}, ${name(n)})`;
  },
  BatchNormalization: (n) => `layers.BatchNormalization(momentum=${n.p.momentum}, epsilon=${n.p.epsilon}, center=${py(n.p.center)}, scale=${py(n.p.scale)}, ${name(n)})`,
  LayerNormalization: (n) => `layers.LayerNormalization(epsilon=${n.p.epsilon}, center=${py(n.p.center)}, scale=${py(n.p.scale)}, ${name(n)})`,
  Add: (n) => `layers.Add(${name(n)})`,
  Multiply: (n) => `layers.Multiply(${name(n)})`,
  Concatenate: (n) => `layers.Concatenate(axis=${n.p.axis < 0 ? n.p.axis : n.p.axis + 1}, ${name(n)})`,
  Flatten: (n) => `layers.Flatten(${name(n)})`,
  Reshape: (n) => `layers.Reshape(${tup(n.outShape)}, ${name(n)})`,
  UpSampling2D: (n) => `layers.UpSampling2D(size=${tup(n.p.size)}, interpolation=${pyStr(n.p.interpolation)}, ${name(n)})`,
  ZeroPadding2D: (n) => `layers.ZeroPadding2D(padding=${py(n.p.padding)}, ${name(n)})`,
};

const layerCall = <T extends LayerType>(n: PlanNodeOf<T>, helpers: Set<string>) => LAYER[n.type](n, helpers);

const HELPERS: Record<string, string> = {
  tfjs_hard_sigmoid: `def tfjs_hard_sigmoid(x):
    """TF.js / Keras 2 hard sigmoid: clip(0.2 * x + 0.5, 0, 1) (Keras 3's hard_sigmoid is relu6(x + 3) / 6)."""
    return ops.clip(0.2 * x + 0.5, 0.0, 1.0)
`,
  tfjs_gelu: `def tfjs_gelu(x):
    """Exact (erf) GELU, as TF.js computes it."""
    return keras.activations.gelu(x, approximate=False)
`,
  PositionalEmbedding: `@keras.saving.register_keras_serializable(package="layerloom")
class PositionalEmbedding(layers.Layer):
    """Adds a learned vector per position: x[:, t] + embeddings[t] (weights [sequence_length, dim])."""

    def __init__(self, sequence_length, **kwargs):
        super().__init__(**kwargs)
        self.sequence_length = sequence_length

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.sequence_length, input_shape[-1]), initializer="glorot_uniform", name="embeddings")

    def call(self, x):
        return x + self.embeddings[: ops.shape(x)[1]]

    def get_config(self):
        return {**super().get_config(), "sequence_length": self.sequence_length}
`,
  TransformerEncoder: `@keras.saving.register_keras_serializable(package="layerloom")
class TransformerEncoder(layers.Layer):
    """One Transformer encoder block as Layerloom trains it (keras_nlp-style): multi-head
    self-attention and a feed-forward network, each with dropout, a residual connection and
    LayerNormalization (after each sub-layer, or before with normalize_first). Its 16 weights, in
    order: query/key/value kernels [d, heads, d/heads] and biases [heads, d/heads], output kernel
    [heads, d/heads, d] and bias [d], attention LayerNorm gamma/beta, feed-forward kernels/biases
    [d, ff], [ff], [ff, d], [d], feed-forward LayerNorm gamma/beta."""

    def __init__(self, num_heads, intermediate_dim, dropout=0.1, activation="relu", layer_norm_epsilon=1e-5,
                 normalize_first=False, **kwargs):
        super().__init__(**kwargs)
        self.num_heads, self.intermediate_dim, self.rate = num_heads, intermediate_dim, dropout
        self.activation = keras.activations.get(activation)
        self.activation_name = activation if isinstance(activation, str) else None
        self.epsilon, self.normalize_first = layer_norm_epsilon, normalize_first

    def build(self, input_shape):
        d = input_shape[-1]
        h, k = self.num_heads, d // self.num_heads
        w = lambda name, shape, init="glorot_uniform": self.add_weight(shape=shape, initializer=init, name=name)
        self.wq, self.bq = w("query_kernel", (d, h, k)), w("query_bias", (h, k), "zeros")
        self.wk, self.bk = w("key_kernel", (d, h, k)), w("key_bias", (h, k), "zeros")
        self.wv, self.bv = w("value_kernel", (d, h, k)), w("value_bias", (h, k), "zeros")
        self.wo, self.bo = w("output_kernel", (h, k, d)), w("output_bias", (d,), "zeros")
        self.ln1_gamma, self.ln1_beta = w("attention_norm_gamma", (d,), "ones"), w("attention_norm_beta", (d,), "zeros")
        self.w1, self.b1 = w("ff1_kernel", (d, self.intermediate_dim)), w("ff1_bias", (self.intermediate_dim,), "zeros")
        self.w2, self.b2 = w("ff2_kernel", (self.intermediate_dim, d)), w("ff2_bias", (d,), "zeros")
        self.ln2_gamma, self.ln2_beta = w("ff_norm_gamma", (d,), "ones"), w("ff_norm_beta", (d,), "zeros")

    def _norm(self, x, gamma, beta):
        mean = ops.mean(x, axis=-1, keepdims=True)
        var = ops.mean(ops.square(x - mean), axis=-1, keepdims=True)
        return (x - mean) / ops.sqrt(var + self.epsilon) * gamma + beta

    def _drop(self, x, training):
        return keras.random.dropout(x, self.rate) if training and self.rate > 0 else x

    def _attention(self, x, training):
        k = ops.shape(self.wq)[-1]
        q = ops.einsum("btd,dhk->bhtk", x, self.wq) + ops.expand_dims(self.bq, 1)
        kk = ops.einsum("btd,dhk->bhtk", x, self.wk) + ops.expand_dims(self.bk, 1)
        v = ops.einsum("btd,dhk->bhtk", x, self.wv) + ops.expand_dims(self.bv, 1)
        scores = ops.softmax(ops.einsum("bhqk,bhsk->bhqs", q, kk) / ops.sqrt(ops.cast(k, x.dtype)), axis=-1)
        context = ops.einsum("bhqs,bhsk->bhqk", self._drop(scores, training), v)
        return ops.einsum("bhtk,hkd->btd", context, self.wo) + self.bo

    def call(self, x, training=False):
        h = self._norm(x, self.ln1_gamma, self.ln1_beta) if self.normalize_first else x
        y = x + self._drop(self._attention(h, training), training)
        if not self.normalize_first:
            y = self._norm(y, self.ln1_gamma, self.ln1_beta)
        f = self._norm(y, self.ln2_gamma, self.ln2_beta) if self.normalize_first else y
        f = self.activation(ops.matmul(f, self.w1) + self.b1)
        z = y + self._drop(ops.matmul(f, self.w2) + self.b2, training)
        if not self.normalize_first:
            z = self._norm(z, self.ln2_gamma, self.ln2_beta)
        return z

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "intermediate_dim": self.intermediate_dim,
                "dropout": self.rate, "activation": self.activation_name, "layer_norm_epsilon": self.epsilon,
                "normalize_first": self.normalize_first}
`,
  TransformerDecoder: `@keras.saving.register_keras_serializable(package="layerloom")
class TransformerDecoder(layers.Layer):
    """One Transformer decoder block as Layerloom trains it (keras_nlp-style): causal multi-head
    self-attention, cross-attention on the encoder output (when called with two inputs), and a
    feed-forward network; each with dropout, a residual connection and LayerNormalization (after each
    sub-layer, or before with normalize_first). The causal mask is additive (-1e9 on later keys), as
    Keras' masked softmax. Weights, in order: self-attention query/key/value kernels [d, heads,
    d/heads] and biases [heads, d/heads], output kernel [heads, d/heads, d] and bias [d], its LayerNorm
    gamma/beta; (the same for cross-attention, key/value kernels [e, heads, d/heads]); feed-forward
    kernels/biases [d, ff], [ff], [ff, d], [d], feed-forward LayerNorm gamma/beta."""

    def __init__(self, num_heads, intermediate_dim, dropout=0.0, activation="relu", layer_norm_epsilon=1e-5,
                 normalize_first=False, **kwargs):
        super().__init__(**kwargs)
        self.num_heads, self.intermediate_dim, self.rate = num_heads, intermediate_dim, dropout
        self.activation = keras.activations.get(activation)
        self.activation_name = activation if isinstance(activation, str) else None
        self.epsilon, self.normalize_first = layer_norm_epsilon, normalize_first

    def _attention_weights(self, prefix, d, e):
        h, k = self.num_heads, d // self.num_heads
        w = lambda name, shape, init="glorot_uniform": self.add_weight(shape=shape, initializer=init, name=f"{prefix}_{name}")
        return [w("query_kernel", (d, h, k)), w("query_bias", (h, k), "zeros"), w("key_kernel", (e, h, k)), w("key_bias", (h, k), "zeros"),
                w("value_kernel", (e, h, k)), w("value_bias", (h, k), "zeros"), w("output_kernel", (h, k, d)), w("output_bias", (d,), "zeros"),
                w("norm_gamma", (d,), "ones"), w("norm_beta", (d,), "zeros")]

    def build(self, x_shape, encoder_shape=None):
        # Keras 3 passes each call argument's shape as <argument>_shape.
        d = x_shape[-1]
        self.self_w = self._attention_weights("self_attention", d, d)
        self.cross_w = None if encoder_shape is None else self._attention_weights("cross_attention", d, encoder_shape[-1])
        w = lambda name, shape, init="glorot_uniform": self.add_weight(shape=shape, initializer=init, name=name)
        self.w1, self.b1 = w("ff1_kernel", (d, self.intermediate_dim)), w("ff1_bias", (self.intermediate_dim,), "zeros")
        self.w2, self.b2 = w("ff2_kernel", (self.intermediate_dim, d)), w("ff2_bias", (d,), "zeros")
        self.ln_gamma, self.ln_beta = w("ff_norm_gamma", (d,), "ones"), w("ff_norm_beta", (d,), "zeros")

    def _norm(self, x, gamma, beta):
        mean = ops.mean(x, axis=-1, keepdims=True)
        var = ops.mean(ops.square(x - mean), axis=-1, keepdims=True)
        return (x - mean) / ops.sqrt(var + self.epsilon) * gamma + beta

    def _drop(self, x, training):
        return keras.random.dropout(x, self.rate) if training and self.rate > 0 else x

    def _attention(self, x, source, weights, causal, training):
        wq, bq, wk, bk, wv, bv, wo, bo = weights[:8]
        k = ops.shape(wq)[-1]
        q = ops.einsum("btd,dhk->bhtk", x, wq) + ops.expand_dims(bq, 1)
        kk = ops.einsum("btd,dhk->bhtk", source, wk) + ops.expand_dims(bk, 1)
        v = ops.einsum("btd,dhk->bhtk", source, wv) + ops.expand_dims(bv, 1)
        logits = ops.einsum("bhqk,bhsk->bhqs", q, kk) / ops.sqrt(ops.cast(k, x.dtype))
        if causal:
            t = ops.shape(x)[1]
            later = ops.arange(t)[None, :] > ops.arange(t)[:, None]
            logits = logits + ops.cast(later, x.dtype) * -1e9
        scores = ops.softmax(logits, axis=-1)
        context = ops.einsum("bhqs,bhsk->bhqk", self._drop(scores, training), v)
        return ops.einsum("bhtk,hkd->btd", context, wo) + bo

    def _sub(self, x, gamma, beta, body, training):
        y = x + self._drop(body(self._norm(x, gamma, beta) if self.normalize_first else x), training)
        return y if self.normalize_first else self._norm(y, gamma, beta)

    def call(self, x, encoder=None, training=False):
        s = self.self_w
        y = self._sub(x, s[8], s[9], lambda h: self._attention(h, h, s, True, training), training)
        if self.cross_w is not None:
            c = self.cross_w
            y = self._sub(y, c[8], c[9], lambda h: self._attention(h, encoder, c, False, training), training)
        ff = lambda h: ops.matmul(self.activation(ops.matmul(h, self.w1) + self.b1), self.w2) + self.b2
        return self._sub(y, self.ln_gamma, self.ln_beta, ff, training)

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "intermediate_dim": self.intermediate_dim,
                "dropout": self.rate, "activation": self.activation_name, "layer_norm_epsilon": self.epsilon,
                "normalize_first": self.normalize_first}
`,
};
const HELPER_ORDER = Object.keys(HELPERS);

export interface KerasCode {
  modelPy: string;
}

export function generateKeras(doc: LoomDocument | ExportPlan): KerasCode {
  const plan = planOf(doc);
  const helpers = new Set<string>();
  const lines: string[] = [];
  for (const n of plan.nodes) {
    if (n.type === 'Input') {
      const input = inputNode(plan, n.id);
      lines.push(`${n.py} = keras.Input(shape=${tup(n.outShape)}, dtype=${pyStr(input.p.dtype)}, name=${pyStr(n.id)})`);
      continue;
    }
    const layer = layerCall(n, helpers);
    const ins = n.inputs.map((id) => plan.byId.get(id)!.py);
    const call = ['Add', 'Multiply', 'Concatenate'].includes(n.type) ? `[${ins.join(', ')}]` : ins.join(', ');
    const single = n.type === 'MultiHeadAttention' && ins.length === 1 ? `${ins[0]}, ${ins[0]}` : call;
    // Keras takes the causal mask as a call argument, not a constructor setting.
    const causal = isLayer(n, 'MultiHeadAttention') && n.p.causal ? ', use_causal_mask=True' : '';
    lines.push(`${n.py} = ${layer}(${single}${causal})  # -> [${n.outShape.join(', ')}]`);
  }
  const inputs = plan.inputs.map((id) => plan.byId.get(id)!.py);
  const outputs = plan.outputs.map((id) => plan.byId.get(id)!.py);
  const used = HELPER_ORDER.filter((h) => helpers.has(h));
  const modelPy = `"""${plan.name}: a Keras 3 model exported by Layerloom (functional API; layer names = node ids).

    from model import load_model
    model = load_model()             # weights from model.weights.h5 beside this file
    y = model.predict(x)             # x: the model input [batch, ${plan.byId.get(plan.inputs[0]!)!.outShape.join(', ')}], channels-last (normalised)
    predict_rows(model, rows)        # raw rows (CSV rows as written), as Layerloom's Try it; needs preprocessing.json

or from a shell: python model.py rows.csv (one JSON line of outputs and label per row).
GRUs use reset_after=False (TF.js' GRU). Any Keras 3 backend works (TensorFlow, JAX, PyTorch).
"""
import csv
import json
import os
import re
import sys

import keras
import numpy as np
from keras import layers, ops


${used.map((h) => HELPERS[h]).join('\n\n')}${used.length ? '\n\n' : ''}def build_model():
${lines.map((l) => `    ${l}`).join('\n')}
    return keras.Model(inputs=[${inputs.join(', ')}], outputs=[${outputs.join(', ')}], name=${pyStr(modelClassName(plan.name))})


def load_model(path=None):
    """The model with the exported weights (model.weights.h5 beside this file)."""
    model = build_model()
    model.load_weights(path or os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.weights.h5"))
    return model


${pythonPreprocessing('keras')}


if __name__ == "__main__":
    ${PYTHON_PREDICT_MAIN}
    weights = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.weights.h5")
    model = load_model() if os.path.exists(weights) else build_model()
    model.summary()
`;
  return { modelPy };
}

