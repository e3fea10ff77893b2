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
    (LAYER_EXAMPLES[type] as { inputs: number[][]; params: Record<string, unknown>; intInputs?: { vocab: number } }[])
      .forEach((ex, i) => out.push({ name: `${type}-${i}`, doc: exampleDocument(type, ex) }));
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
