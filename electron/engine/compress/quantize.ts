/**
 * Post-training quantization, simulated by running the quantized arithmetic (quantize–dequantize,
 * "fake quantization") in the engine, layer by layer:
 *
 * - `int8` (static): weights int8 per output channel (symmetric), biases int32 at s_in·s_w, and every
 *   activation at a **quantization point** (below) per-tensor affine uint8/int8, with ranges
 *   calibrated on N training samples run through the float model.
 * - `dynamic`: int8 per-channel weights, float biases and activations.
 * - `float16`: every weight rounded to float16 (what the TF.js float16 export holds).
 *
 * Quantization points (the tensors an exported ONNX QDQ model must wrap in QuantizeLinear →
 * DequantizeLinear, with the recorded scale and zero point, for its arithmetic to equal this):
 *   1. the output of every float Input;
 *   2. the output of every int8 layer (Dense, Conv1D, Conv2D, DepthwiseConv2D: after its bias and
 *      activation), except a model output, which stays float;
 *   3. the input of every int8 layer that is not already on a quantization grid, i.e. whose producer
 *      is not a point nor reached from one through grid-preserving layers only (MaxPooling,
 *      GlobalMaxPooling, Flatten, Reshape, Dropout, nearest UpSampling2D, relu/linear Activation: they
 *      keep values on the grid, so a second Q→DQ there would be the identity).
 * A quantized tensor is quantized for every consumer. Other layers (pooling averages, BatchNorm,
 * Add, recurrent, attention...) compute in float on what they receive; layers with weights but no
 * int8 path keep float weights and are listed (`keptFloat`).
 */
import type { Graph } from '../../../shared/analysis';
import { buildGraph } from '../../../shared/analysis';
import {
  affineParams, dequantizePerChannel, float16RoundTrip, quantizeBias, quantizePerChannel, QRANGE, RangeCalibrator,
  type ActivationDtype, type AffineParams, type Calibration, type EncodedWeight, type KeptFloat, type NodeWeights, type QuantPoint,
} from '../../../shared/compress';
import type { LoomDocument } from '../../../shared/document';
import type { CompiledModel } from '../compile';
import { tf } from '../tfjs';
import { forwardByLayer, readNodeWeights } from './layers';

/** Layer types with an int8 path: the kernel's name and its trailing channel dimensions. */
export const INT8_LAYERS: Readonly<Record<string, { kernel: string; channelDims: number }>> = {
  Dense: { kernel: 'kernel', channelDims: 1 },
  Conv1D: { kernel: 'kernel', channelDims: 1 },
  Conv2D: { kernel: 'kernel', channelDims: 1 },
  DepthwiseConv2D: { kernel: 'depthwise_kernel', channelDims: 2 },
};

const GRID_PRESERVING = new Set(['MaxPooling1D', 'MaxPooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'Flatten', 'Reshape', 'Dropout']);

type Doc = Pick<LoomDocument, 'nodes' | 'edges'>;

export interface QuantPlan {
  /** Node ids whose output is quantized, in topological order. */
  points: string[];
  /** Int8 layers and the point whose grid their input is on. */
  int8: { nodeId: string; type: string; inputPoint: string }[];
  keptFloat: KeptFloat[];
}

function preservesGrid(node: Doc['nodes'][number]): boolean {
  if (GRID_PRESERVING.has(node.type)) return true;
  if (node.type === 'UpSampling2D') return (node.params.interpolation ?? 'nearest') === 'nearest';
  if (node.type === 'Activation') return ['relu', 'linear', undefined].includes(node.params.activation as string | undefined);
  return false;
}

/** Where the int8 simulation (and an exported QDQ model) quantizes. */
export function planQuantization(compiled: CompiledModel, doc: Doc, g: Graph = buildGraph(doc)): QuantPlan {
  const a = compiled.analysis;
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const outputs = new Set(compiled.outputIds);
  const points = new Set<string>();
  for (const id of a.order) {
    const info = a.nodes[id]!;
    if (info.type === 'Input' && compiled.inputIds.includes(id) && info.resolved?.dtype !== 'int32') points.add(id);
    if (INT8_LAYERS[info.type] && !outputs.has(id)) points.add(id);
  }
  const gridOf = (id: string): string | null => {
    if (points.has(id)) return id;
    const node = byId.get(id)!;
    const ins = g.inputsOf.get(id)!;
    return ins.length === 1 && preservesGrid(node) ? gridOf(ins[0]!) : null;
  };
  const int8: QuantPlan['int8'] = [];
  const keptFloat: KeptFloat[] = [];
  for (const id of a.order) {
    const info = a.nodes[id]!;
    if (INT8_LAYERS[info.type]) {
      const src = g.inputsOf.get(id)![0]!;
      let inputPoint = gridOf(src);
      if (!inputPoint) {
        points.add(src);
        inputPoint = src;
      }
      int8.push({ nodeId: id, type: info.type, inputPoint });
    } else if (info.params > 0) {
      keptFloat.push({ nodeId: id, type: info.type, reason: `${info.type} has no int8 path in Layerloom: its weights and arithmetic stay float32` });
    }
  }
  return { points: a.order.filter((id) => points.has(id)), int8, keptFloat };
}

/** Q→DQ of a tensor (float32 throughout; tf.round rounds half to even, as ONNX). */
export function fakeQuantTensor(x: tf.Tensor, p: AffineParams): tf.Tensor {
  const [qmin, qmax] = QRANGE[p.dtype];
  return tf.tidy(() => {
    const q = tf.clipByValue(tf.add(tf.round(tf.div(x, tf.scalar(p.scale))), tf.scalar(p.zeroPoint)), qmin, qmax);
    return tf.mul(tf.sub(q, tf.scalar(p.zeroPoint)), tf.scalar(p.scale));
  });
}

/** Batches of normalised samples (raw typed arrays) to run through the model. */
export type SampleBatches = Iterable<{ x: Float32Array | Int32Array; size: number }>;

/**
 * Calibrate the plan's points on the float model: each batch runs layer by layer and every point's
 * output is observed (twice over for percentiles). Returns the points' parameters.
 */
export function calibrate(compiled: CompiledModel, doc: Doc, plan: QuantPlan, batches: () => SampleBatches, cal: Calibration): QuantPoint[] {
  const c = new RangeCalibrator(cal.method === 'percentile' ? { kind: 'percentile', percentile: cal.percentile } : { kind: 'minmax' });
  const wanted = new Set(plan.points);
  const g = buildGraph(doc);
  for (let pass = 1 as 1 | 2; pass <= c.passes; pass++) {
    for (const b of batches()) {
      tf.tidy(() => {
        const x = tf.tensor(b.x, [b.size, ...compiled.inputShapes[0]!], compiled.inputDtypes[0]);
        forwardByLayer(compiled, doc, [x], (id, out) => {
          if (wanted.has(id)) c.observe(pass, id, out.dataSync());
          return out;
        }, g);
      });
    }
  }
  return plan.points.map((nodeId) => {
    const range = c.range(nodeId);
    const p = affineParams(range, cal.activationDtype as ActivationDtype);
    return { nodeId, ...p, min: range.min, max: range.max };
  });
}

/** The quantized weights of a method: dequantized values for the model, and what an export would write. */
export interface QuantizedWeights {
  weights: NodeWeights;
  encoded: EncodedWeight[];
  /** Scales per quantized weight (for the run record and the exporter). */
  scales: { nodeId: string; weight: string; encoding: 'int8' | 'int32' | 'float16'; scales?: number[] }[];
}

function float32(nodeId: string, name: string, t: { shape: number[]; values: Float32Array }): EncodedWeight {
  return { name: `${nodeId}/${name}`, shape: t.shape, encoding: 'float32', values: t.values };
}

/**
 * Quantize a model's weights for `method`. int8 needs the calibrated points (the bias scale uses the
 * input's scale); dynamic ignores them.
 */
export function quantizeWeights(compiled: CompiledModel, plan: QuantPlan, method: 'int8' | 'dynamic' | 'float16', points: QuantPoint[] = []): QuantizedWeights {
  const src = readNodeWeights(compiled);
  const out: NodeWeights = {};
  const encoded: EncodedWeight[] = [];
  const scales: QuantizedWeights['scales'] = [];
  const int8 = new Map(plan.int8.map((l) => [l.nodeId, l]));
  const pointScale = new Map(points.map((p) => [p.nodeId, p.scale]));
  for (const [nodeId, ws] of Object.entries(src)) {
    out[nodeId] = {};
    const layer = method === 'float16' ? undefined : int8.get(nodeId);
    const spec = layer ? INT8_LAYERS[layer.type]! : undefined;
    let kernelScales: Float32Array | undefined;
    if (spec) {
      const k = ws[spec.kernel]!;
      const q = quantizePerChannel(k.values, k.shape, spec.channelDims);
      kernelScales = q.scales;
      out[nodeId][spec.kernel] = { shape: k.shape, values: dequantizePerChannel(q) };
      encoded.push({ name: `${nodeId}/${spec.kernel}`, shape: k.shape, encoding: 'int8', q: q.q, scales: q.scales });
      scales.push({ nodeId, weight: spec.kernel, encoding: 'int8', scales: Array.from(q.scales) });
    }
    for (const [name, t] of Object.entries(ws)) {
      if (spec && name === spec.kernel) continue;
      if (method === 'float16') {
        out[nodeId][name] = { shape: t.shape, values: float16RoundTrip(t.values) };
        encoded.push({ name: `${nodeId}/${name}`, shape: t.shape, encoding: 'float16', values: t.values });
      } else if (spec && name === 'bias' && method === 'int8') {
        const sIn = pointScale.get(layer!.inputPoint);
        if (sIn === undefined) throw new Error(`No calibrated scale for the input of "${nodeId}" ("${layer!.inputPoint}")`);
        const b = quantizeBias(t.values, sIn, kernelScales!);
        out[nodeId][name] = { shape: t.shape, values: b.values };
        encoded.push({ name: `${nodeId}/${name}`, shape: t.shape, encoding: 'int32', q: b.q, scales: b.scales });
        scales.push({ nodeId, weight: name, encoding: 'int32', scales: Array.from(b.scales) });
      } else {
        out[nodeId][name] = t;
        encoded.push(float32(nodeId, name, t));
      }
    }
    if (method === 'float16') scales.push(...Object.keys(ws).map((weight) => ({ nodeId, weight, encoding: 'float16' as const })));
  }
  return { weights: out, encoded, scales };
}

/**
 * The int8 forward pass: `compiled` holds the dequantized weights; activations are quantized at the
 * points. Call inside tf.tidy. Returns the model's outputs.
 */
export function simulateInt8(compiled: CompiledModel, doc: Doc, points: QuantPoint[], inputs: tf.Tensor[], g?: Graph): tf.Tensor[] {
  const byNode = new Map(points.map((p) => [p.nodeId, p]));
  return forwardByLayer(compiled, doc, inputs, (id, out) => {
    const p = byNode.get(id);
    return p ? fakeQuantTensor(out, p) : out;
  }, g);
}

/** Encoded float32 weights of a model (the "before" size). */
export function float32Weights(compiled: CompiledModel): EncodedWeight[] {
  return Object.entries(readNodeWeights(compiled)).flatMap(([id, ws]) => Object.entries(ws).map(([name, t]) => float32(id, name, t)));
}
