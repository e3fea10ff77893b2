/**
 * The compiler: a model document → a `tf.LayersModel` through the functional API, for every catalog
 * layer type and any DAG (merges, skips, several inputs/outputs).
 *
 * Layers are named after their node ids (so weights are named `<nodeId>/kernel`, ...), built in the
 * topological order of shape inference, and the built model's parameter count is checked against
 * shape inference's, layer by layer.
 */
import { tfl } from './tfjs';
import { UnknownLayerTypeError, type AnyLayer, type LayerOf, type LayerType, type ParamsOf, type Shape } from '../../shared/catalog';
import { analyze, blockingErrors, buildGraph, type Analysis, type ModelError } from '../../shared/analysis';
import { tfjsLayerName } from '../../shared/formats/tfjs/topology';
import type { LoomDocument } from '../../shared/document';
import { MultiHeadAttention, PositionalEmbedding, TransformerEncoder } from './layers/attention';
import { Conv1DTranspose } from './layers/conv1d-transpose';
import { TransformerDecoder } from './layers/decoder';
import { fixBatchNormalization, fixDilatedConv } from './layers/workarounds';
import { fuseBidirectionalLstm, fuseGru, fuseLstm, fuseSimpleRnn } from './layers/fused-lstm';
import { fuseDense } from './layers/fused-dense';
import { withSeededRandom } from './random';

type Sym = tfl.SymbolicTensor;
/** Builds one node of type T: receives its input tensors in port order and its layer name. */
type Builder<T extends LayerType> = (p: ParamsOf<T>, name: string, outputShape: Shape) => (inputs: Sym[]) => Sym;

/** The model cannot be built; `nodeId` names the node at fault (when one is). */
export class ModelBuildError extends Error {
  constructor(message: string, readonly nodeId?: string, readonly errors: ModelError[] = []) {
    super(message);
    this.name = 'ModelBuildError';
  }
}

/** A layer applied to its inputs: one input as a tensor, several as a list. */
const layer = (l: tfl.layers.Layer) => (inputs: Sym[]) => l.apply(inputs.length === 1 ? inputs[0]! : inputs) as Sym;
/** Catalog axes exclude the batch dimension; TF.js axes include it. */
const axisWithBatch = (a: number) => (a < 0 ? a : a + 1);

const rnnArgs = (p: ParamsOf<'SimpleRNN' | 'LSTM' | 'GRU'>, name: string) => ({
  name, units: p.units, activation: p.activation, useBias: p.useBias, returnSequences: p.returnSequences,
  ...('recurrentActivation' in p ? { recurrentActivation: p.recurrentActivation } : {}),
});

const pool1 = (p: ParamsOf<'MaxPooling1D' | 'AveragePooling1D'>, name: string) =>
  ({ name, poolSize: p.poolSize[0], strides: (p.strides ?? p.poolSize)[0], padding: p.padding });
const pool2 = (p: ParamsOf<'MaxPooling2D' | 'AveragePooling2D'>, name: string) =>
  ({ name, poolSize: p.poolSize, strides: p.strides ?? p.poolSize, padding: p.padding });

/** One builder per catalog type: exhaustive (a missing or extra type is a compile error). */
export const BUILDERS: { readonly [T in LayerType]: Builder<T> } = {
  Input: (p, name) => () => tfl.input({ shape: p.shape, dtype: p.dtype, name }),
  // Trains as one fused op on wasm (layers/fused-dense.ts); same class and weights.
  Dense: (p, name) => layer(fuseDense(tfl.layers.dense({ name, units: p.units, activation: p.activation, useBias: p.useBias }))),
  Activation: (p, name) => layer(tfl.layers.activation({ name, activation: p.activation })),
  Dropout: (p, name) => layer(tfl.layers.dropout({ name, rate: p.rate })),
  Embedding: (p, name) => layer(tfl.layers.embedding({ name, inputDim: p.inputDim, outputDim: p.outputDim })),
  // Dilated: convolves with the explicitly dilated kernel (TF.js refuses dilated conv gradients).
  Conv1D: (p, name) => layer(fixDilatedConv(tfl.layers.conv1d({
    name, filters: p.filters, kernelSize: p.kernelSize[0], strides: p.strides[0], padding: p.padding,
    dilationRate: p.dilationRate[0], activation: p.activation, useBias: p.useBias,
  }))),
  Conv2D: (p, name) => layer(fixDilatedConv(tfl.layers.conv2d({
    name, filters: p.filters, kernelSize: p.kernelSize, strides: p.strides, padding: p.padding,
    dilationRate: p.dilationRate, activation: p.activation, useBias: p.useBias,
  }))),
  Conv1DTranspose: (p, name) => layer(new Conv1DTranspose({
    name, filters: p.filters, kernelSize: p.kernelSize[0], strides: p.strides[0], padding: p.padding, activation: p.activation, useBias: p.useBias,
  })),
  Conv2DTranspose: (p, name) => layer(tfl.layers.conv2dTranspose({
    name, filters: p.filters, kernelSize: p.kernelSize, strides: p.strides, padding: p.padding, activation: p.activation, useBias: p.useBias,
  })),
  DepthwiseConv2D: (p, name) => layer(tfl.layers.depthwiseConv2d({
    name, kernelSize: p.kernelSize, strides: p.strides, padding: p.padding, depthMultiplier: p.depthMultiplier,
    activation: p.activation, useBias: p.useBias,
  })),
  SeparableConv2D: (p, name) => layer(tfl.layers.separableConv2d({
    name, filters: p.filters, kernelSize: p.kernelSize, strides: p.strides, padding: p.padding,
    depthMultiplier: p.depthMultiplier, activation: p.activation, useBias: p.useBias,
  })),
  MaxPooling1D: (p, name) => layer(tfl.layers.maxPooling1d(pool1(p, name))),
  AveragePooling1D: (p, name) => layer(tfl.layers.averagePooling1d(pool1(p, name))),
  MaxPooling2D: (p, name) => layer(tfl.layers.maxPooling2d(pool2(p, name))),
  AveragePooling2D: (p, name) => layer(tfl.layers.averagePooling2d(pool2(p, name))),
  GlobalAveragePooling1D: (_p, name) => layer(tfl.layers.globalAveragePooling1d({ name })),
  GlobalMaxPooling1D: (_p, name) => layer(tfl.layers.globalMaxPooling1d({ name })),
  GlobalAveragePooling2D: (_p, name) => layer(tfl.layers.globalAveragePooling2d({ name })),
  GlobalMaxPooling2D: (_p, name) => layer(tfl.layers.globalMaxPooling2d({ name })),
  // Recurrent layers: one fused op per layer on wasm (layers/fused-lstm.ts); same class and weights.
  SimpleRNN: (p, name) => layer(fuseSimpleRnn(tfl.layers.simpleRNN(rnnArgs(p, name)))),
  LSTM: (p, name) => layer(fuseLstm(tfl.layers.lstm(rnnArgs(p, name)))),
  GRU: (p, name) => layer(fuseGru(tfl.layers.gru(rnnArgs(p, name)))),
  Bidirectional: (p, name) => {
    // recurrentActivation: TF.js defaults it to hardSigmoid; the catalog (Keras) means sigmoid.
    const args = { name: `${name}_${p.layer.toLowerCase()}`, units: p.units, returnSequences: p.returnSequences, ...(p.layer === 'SimpleRNN' ? {} : { recurrentActivation: 'sigmoid' as const }) };
    const inner = p.layer === 'GRU' ? tfl.layers.gru(args) : p.layer === 'SimpleRNN' ? tfl.layers.simpleRNN(args) : tfl.layers.lstm(args);
    return layer(fuseBidirectionalLstm(tfl.layers.bidirectional({ name, layer: inner, mergeMode: p.mergeMode })));
  },
  MultiHeadAttention: (p, name) => layer(new MultiHeadAttention({
    name, numHeads: p.numHeads, keyDim: p.keyDim, valueDim: p.valueDim, dropout: p.dropout, useBias: p.useBias, outputShape: p.outputShape, causal: p.causal,
  })),
  TransformerEncoder: (p, name) => layer(new TransformerEncoder({
    name, numHeads: p.numHeads, intermediateDim: p.intermediateDim, dropout: p.dropout, activation: p.activation,
    layerNormEpsilon: p.layerNormEpsilon, normalizeFirst: p.normalizeFirst,
  })),
  TransformerDecoder: (p, name) => layer(new TransformerDecoder({
    name, numHeads: p.numHeads, intermediateDim: p.intermediateDim, dropout: p.dropout, activation: p.activation,
    layerNormEpsilon: p.layerNormEpsilon, normalizeFirst: p.normalizeFirst,
  })),
  PositionalEmbedding: (p, name) => layer(new PositionalEmbedding({ name, sequenceLength: p.sequenceLength })),
  // Without beta/gamma: patched (tfjs-layers reads the missing weight while training).
  BatchNormalization: (p, name) => layer(fixBatchNormalization(tfl.layers.batchNormalization({ name, momentum: p.momentum, epsilon: p.epsilon, center: p.center, scale: p.scale }))),
  LayerNormalization: (p, name) => layer(tfl.layers.layerNormalization({ name, epsilon: p.epsilon, center: p.center, scale: p.scale })),
  Add: (_p, name) => layer(tfl.layers.add({ name })),
  Multiply: (_p, name) => layer(tfl.layers.multiply({ name })),
  Concatenate: (p, name) => layer(tfl.layers.concatenate({ name, axis: axisWithBatch(p.axis) })),
  Flatten: (_p, name) => layer(tfl.layers.flatten({ name })),
  // The inferred shape, so that a -1 in targetShape does not leave an unknown dimension downstream.
  Reshape: (_p, name, out) => layer(tfl.layers.reshape({ name, targetShape: out })),
  UpSampling2D: (p, name) => layer(tfl.layers.upSampling2d({ name, size: p.size, interpolation: p.interpolation })),
  ZeroPadding2D: (p, name) => layer(tfl.layers.zeroPadding2d({ name, padding: p.padding })),
};

/** The builder of a layer's own type. */
const builderFor = <T extends LayerType>(l: LayerOf<T>, name: string, outputShape: Shape) => BUILDERS[l.type](l.p, name, outputShape);

/** The TF.js layer name of a node: its id, prefixed when TF.js would reject it (ids may start with `_`). */
export const layerNameOf = tfjsLayerName;

export interface CompiledModel {
  model: tfl.LayersModel;
  analysis: Analysis;
  /** Input node ids in the model's input order (Inputs connected to nothing are left out). */
  inputIds: string[];
  /** Output node ids in the model's output order. */
  outputIds: string[];
  inputShapes: Shape[];
  inputDtypes: ('float32' | 'int32')[];
  outputShapes: Shape[];
  /** Node id → TF.js layer name. */
  layerNames: Record<string, string>;
  totalParams: number;
}

export interface CompileOptions {
  /** Seeds weight initialisation. */
  seed?: number;
}

function describeErrors(errors: ModelError[]): string {
  const lines = errors.slice(0, 5).map((e) => e.message);
  const more = errors.length > 5 ? `\n(and ${errors.length - 5} more)` : '';
  return `The model has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}:\n${lines.join('\n')}${more}`;
}

/**
 * Build the document's model. Throws ModelBuildError (naming the node) when the document has
 * blocking errors or a layer cannot be built; UnknownLayerTypeError never escapes unnamed.
 */
export function compileModel(doc: Pick<LoomDocument, 'nodes' | 'edges'> & { name?: string }, opts: CompileOptions = {}): CompiledModel {
  const analysis = analyze(doc);
  const blocking = blockingErrors(analysis);
  if (blocking.length) throw new ModelBuildError(describeErrors(blocking), blocking[0]!.nodeId ?? undefined, blocking);
  if (analysis.outputs.length === 0) throw new ModelBuildError('The model has no output: connect a layer after the Input');

  const build = () => {
    const g = buildGraph(doc);
    const byId = new Map(doc.nodes.map((n) => [n.id, n]));
    const tensors = new Map<string, Sym>();
    const layerNames: Record<string, string> = {};
    for (const id of analysis.order) {
      const node = byId.get(id)!;
      const info = analysis.nodes[id]!;
      const name = layerNameOf(id);
      layerNames[id] = name;
      try {
        const layer: AnyLayer | null = info.layer;
        if (!layer) throw new UnknownLayerTypeError(node.type, id);
        const inputs = g.inputsOf.get(id)!.map((src) => tensors.get(src)!);
        tensors.set(id, builderFor(layer, name, info.outputShape!)(inputs));
      } catch (e) {
        if (e instanceof ModelBuildError) throw e;
        throw new ModelBuildError(`${node.type} "${id}" cannot be built: ${(e as Error).message}`, id);
      }
    }
    const connected = analysis.inputs.filter((id) => g.outputsOf.get(id)!.length > 0);
    const model = tfl.model({
      inputs: connected.map((id) => tensors.get(id)!),
      outputs: analysis.outputs.map((id) => tensors.get(id)!),
      name: safeModelName(doc.name),
    });
    return { model, connected, layerNames };
  };
  const { model, connected, layerNames } = opts.seed === undefined ? build() : withSeededRandom(opts.seed, build);

  // The built model must agree with shape inference, layer by layer.
  for (const id of analysis.order) {
    const info = analysis.nodes[id]!;
    if (info.type === 'Input') continue;
    const built = model.getLayer(layerNames[id]!).countParams();
    if (built !== info.params) {
      model.dispose();
      throw new ModelBuildError(
        `internal: ${info.type} "${id}" has ${built} parameters in TensorFlow.js but shape inference counts ${info.params}`, id);
    }
  }
  return {
    model, analysis,
    inputIds: connected,
    outputIds: analysis.outputs,
    inputShapes: connected.map((id) => analysis.nodes[id]!.outputShape!),
    inputDtypes: connected.map((id) => (analysis.nodes[id]!.resolved?.dtype === 'int32' ? 'int32' : 'float32')),
    outputShapes: analysis.outputs.map((id) => analysis.nodes[id]!.outputShape!),
    layerNames,
    totalParams: model.countParams(),
  };
}

function safeModelName(name: string | undefined): string {
  const s = (name ?? 'model').replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  return s || 'model';
}
