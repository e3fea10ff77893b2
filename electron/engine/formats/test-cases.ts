/**
 * The models every parity suite runs: one document per LAYER_EXAMPLES entry (every layer type) and
 * every template in assets/templates (except the intentionally broken one), each compiled by the
 * engine with seeded random weights and a fixed random input. Test-only helper.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYER_EXAMPLES, exampleDocument } from '../../../shared/catalog/examples';
import { LAYER_TYPES } from '../../../shared/catalog';
import { loadDocumentOrThrow, type LoomDocument } from '../../../shared/document';
import { compileModel, type CompiledModel } from '../compile';
import { tf } from '../tfjs';
import { randomizeWeights } from './weights';

/** The system python3 that runs the Python referees (Debian's python3-torch, python3-h5py). */
export const PY = '/usr/bin/python3';

export const TEMPLATES_DIR = join(import.meta.dirname, '../../../assets/templates');
export const BROKEN_TEMPLATES = new Set(['cifar-shape-mistake.loom']);

export interface ParityCase {
  name: string;
  doc: LoomDocument;
}

export function templateCases(): ParityCase[] {
  return readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.loom') && !BROKEN_TEMPLATES.has(f)).sort()
    .map((f) => ({ name: `template-${f.replace(/\.loom$/, '')}`, doc: loadDocumentOrThrow(readFileSync(join(TEMPLATES_DIR, f), 'utf8'), f) }));
}

export function exampleCases(): ParityCase[] {
  const out: ParityCase[] = [];
  for (const type of LAYER_TYPES) {
    if (type === 'Input') continue;
    LAYER_EXAMPLES[type].forEach((ex, i) => out.push({ name: `${type}-${i}`, doc: exampleDocument(type, ex) }));
  }
  return out;
}

/** Cases beyond LAYER_EXAMPLES that exercise export-specific conversions. */
export function extraCases(): ParityCase[] {
  const doc = (name: string, input: number[], nodes: { id: string; type: string; params: Record<string, unknown> }[]): ParityCase => ({
    name,
    doc: {
      format: 'layerloom.model', version: 1, name,
      nodes: [{ id: 'x', type: 'Input', params: { shape: input } }, ...nodes],
      edges: [{ from: 'x', to: nodes[0]!.id }, ...nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id }))],
    },
  });
  return [
    doc('extra-upsampling-bilinear', [3, 4, 2], [{ id: 'up', type: 'UpSampling2D', params: { size: [2, 3], interpolation: 'bilinear' } }]),
    // Asymmetric zero padding inside a channels-first run (the examples pad channels-last inputs).
    doc('extra-conv-zeropad-conv', [5, 5, 2], [
      { id: 'c1', type: 'Conv2D', params: { filters: 3, kernelSize: 2 } },
      { id: 'z', type: 'ZeroPadding2D', params: { padding: [[1, 2], [0, 3]] } },
      { id: 'c2', type: 'Conv2D', params: { filters: 2, kernelSize: 3, strides: 2 } },
    ]),
    // Conv → Flatten → Dense: the Flatten order (H, W, C) must survive the channels-first interior.
    doc('extra-conv-flatten-dense', [5, 6, 3], [
      { id: 'c', type: 'Conv2D', params: { filters: 4, kernelSize: 2, strides: 2, padding: 'same' } },
      { id: 'f', type: 'Flatten', params: {} },
      { id: 'd', type: 'Dense', params: { units: 3 } },
    ]),
    // Non-default activations through the explicit recurrent modules.
    doc('extra-lstm-hard-sigmoid', [5, 3], [{ id: 'r', type: 'LSTM', params: { units: 4, recurrentActivation: 'hardSigmoid', activation: 'relu' } }]),
    doc('extra-conv1d-pool-same', [7, 2], [
      { id: 'c', type: 'Conv1D', params: { filters: 3, kernelSize: 4, padding: 'same', dilationRate: 2 } },
      { id: 'p', type: 'MaxPooling1D', params: { poolSize: 2, padding: 'same' } },
      { id: 'a', type: 'AveragePooling1D', params: { poolSize: 3, strides: 2, padding: 'same' } },
    ]),
    doc('extra-bidirectional-lstm-mul-seq', [5, 3], [{ id: 'b', type: 'Bidirectional', params: { layer: 'LSTM', units: 2, returnSequences: true, mergeMode: 'mul' } }]),
    doc('extra-bidirectional-simplernn-ave', [5, 3], [{ id: 'b', type: 'Bidirectional', params: { layer: 'SimpleRNN', units: 3, mergeMode: 'ave' } }]),
    doc('extra-bidirectional-gru-concat', [4, 2], [{ id: 'b', type: 'Bidirectional', params: { layer: 'GRU', units: 3 } }]),
    doc('extra-simplernn-relu-seq', [4, 2], [{ id: 'r', type: 'SimpleRNN', params: { units: 3, activation: 'relu', returnSequences: true } }]),
    doc('extra-norms', [6, 4], [
      { id: 'bn', type: 'BatchNormalization', params: { scale: false } },
      { id: 'ln', type: 'LayerNormalization', params: { center: false } },
      { id: 'bn2', type: 'BatchNormalization', params: { center: false, scale: false, momentum: 0.5 } },
    ]),
    doc('extra-conv1d-dense-seq', [8, 3], [
      { id: 'c', type: 'Conv1D', params: { filters: 4, kernelSize: 3, activation: 'gelu' } },
      { id: 'd', type: 'Dense', params: { units: 2, activation: 'softmax' } },
    ]),
    {
      // Layout mixing: a channels-first conv branch merged with the channels-last input, concatenated
      // along height and channels, pooled globally.
      name: 'extra-layout-merges',
      doc: {
        format: 'layerloom.model', version: 1, name: 'extra-layout-merges',
        nodes: [
          { id: 'x', type: 'Input', params: { shape: [4, 4, 2] } },
          { id: 'c', type: 'Conv2D', params: { filters: 2, kernelSize: 3, padding: 'same', activation: 'swish' } },
          { id: 'add', type: 'Add', params: {} },
          { id: 'mul', type: 'Multiply', params: {} },
          { id: 'cat_h', type: 'Concatenate', params: { axis: 0 } },
          { id: 'cat_c', type: 'Concatenate', params: { axis: -1 } },
          { id: 'act', type: 'Activation', params: { activation: 'mish' } },
          { id: 'gmp', type: 'GlobalMaxPooling2D', params: {} },
        ],
        edges: [
          { from: 'x', to: 'c' }, { from: 'x', to: 'add' }, { from: 'c', to: 'add' },
          { from: 'c', to: 'mul' }, { from: 'add', to: 'mul' },
          { from: 'mul', to: 'cat_h' }, { from: 'c', to: 'cat_h' },
          { from: 'cat_h', to: 'cat_c' }, { from: 'cat_h', to: 'cat_c' },
          { from: 'cat_c', to: 'act' }, { from: 'act', to: 'gmp' },
        ],
      },
    },
    {
      // Attention with separate query, value and key inputs, two outputs.
      name: 'extra-mha-qvk-two-outputs',
      doc: {
        format: 'layerloom.model', version: 1, name: 'extra-mha-qvk',
        nodes: [
          { id: 'q', type: 'Input', params: { shape: [3, 4] } },
          { id: 'v', type: 'Input', params: { shape: [5, 6] } },
          { id: 'k', type: 'Input', params: { shape: [5, 2] } },
          { id: 'att', type: 'MultiHeadAttention', params: { numHeads: 2, keyDim: 3, useBias: false } },
          { id: 'enc', type: 'TransformerEncoder', params: { numHeads: 2, intermediateDim: 8, dropout: 0, normalizeFirst: true, activation: 'gelu' } },
          { id: 'side', type: 'Dense', params: { units: 2, activation: 'elu' } },
        ],
        edges: [
          { from: 'q', to: 'att' }, { from: 'v', to: 'att' }, { from: 'k', to: 'att' },
          { from: 'att', to: 'enc' }, { from: 'att', to: 'side' },
        ],
      },
    },
  ];
}

export const allCases = () => [...exampleCases(), ...extraCases(), ...templateCases()];

export interface Prepared {
  compiled: CompiledModel;
  /** One entry per model input: values, shape with batch, dtype. */
  inputs: { data: Float32Array; shape: number[]; dtype: 'float32' | 'int32' }[];
  outputs: { data: Float32Array; shape: number[] }[];
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Vocabulary size for an int input: the inputDim of the Embedding it feeds (else 10). */
function vocabOf(doc: LoomDocument, inputId: string): number {
  const e = doc.edges.find((x) => x.from === inputId);
  const n = e && doc.nodes.find((x) => x.id === e.to);
  return n?.type === 'Embedding' ? Number(n.params.inputDim ?? 1000) : 10;
}

/** Compile with seeded random weights, run a fixed random batch through it. Caller disposes the model. */
export function prepare(c: ParityCase, batch = 2): Prepared {
  const compiled = compileModel(c.doc, { seed: 7 });
  randomizeWeights(compiled.model, 11);
  const r = rng(3);
  const inputs = compiled.inputIds.map((id, i) => {
    const shape = [batch, ...compiled.inputShapes[i]!];
    const n = shape.reduce((a, b) => a * b, 1);
    const dtype = compiled.inputDtypes[i]!;
    const vocab = vocabOf(c.doc, id);
    const data = new Float32Array(n).map(() => (dtype === 'int32' ? Math.floor(r() * vocab) : r() * 2 - 1));
    return { data, shape, dtype };
  });
  const outputs = tf.tidy(() => {
    const xs = inputs.map((x) => tf.tensor(x.dtype === 'int32' ? Int32Array.from(x.data) : x.data, x.shape, x.dtype));
    const ys = compiled.model.predict(xs.length === 1 ? xs[0]! : xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => ({ data: new Float32Array(y.dataSync()), shape: [...y.shape] }));
  });
  return { compiled, inputs, outputs };
}
