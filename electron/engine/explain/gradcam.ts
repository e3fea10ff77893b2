/**
 * Grad-CAM on the engine: a convolution layer's activations A and ∂target/∂A for one input, from ONE
 * forward and backward pass. tf.grad differentiates with respect to a function's inputs only, so
 * while it runs the layer's call is wrapped to return A + δ with δ = 0 the differentiated input:
 * ∂target/∂δ = ∂target/∂A, for any graph around the layer (skips, merges). The wrapper is removed
 * afterwards; the layer's weights and class are untouched.
 */
import { gradCam } from '../../../shared/explain';
import type { TrainedRun } from '../runs';
import { tf, type tfl } from '../tfjs';
import { notApplicable } from './errors';
import type { ModelFns } from './model-fns';

const CONV_CLASSES = new Set(['Conv1D', 'Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'Conv2DTranspose']);

type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** The convolution to explain: the node named `nodeId`, or the last convolution of the model. */
export function convLayer(run: TrainedRun, nodeId?: string): { layer: tfl.layers.Layer; nodeId: string } {
  const { model, layerNames } = run.compiled;
  const convs = model.layers.filter((l) => CONV_CLASSES.has(l.getClassName()));
  const idOf = (l: tfl.layers.Layer) => Object.keys(layerNames).find((id) => layerNames[id] === l.name) ?? l.name;
  if (nodeId !== undefined) {
    const l = model.layers.find((x) => x.name === (layerNames[nodeId] ?? nodeId));
    if (!l) throw notApplicable(`Grad-CAM: the model has no layer "${nodeId}"`);
    if (!CONV_CLASSES.has(l.getClassName())) throw notApplicable(`Grad-CAM needs a convolution layer; "${nodeId}" is a ${l.getClassName()} (convolutions: ${convs.map(idOf).join(', ') || 'none'})`);
    return { layer: l, nodeId };
  }
  const last = convs.at(-1);
  if (!last) throw notApplicable('Grad-CAM needs a convolution layer (Conv1D, Conv2D, SeparableConv2D, DepthwiseConv2D or Conv2DTranspose) and this model has none: use Integrated Gradients or occlusion');
  return { layer: last, nodeId: idOf(last) };
}

export interface ConvCapture {
  activations: Float32Array;
  grads: Float32Array;
  /** The layer's output shape for one sample (channels-last). */
  shape: number[];
  value: number;
}

/** A and ∂target/∂A of `layer` for one raw input x. */
export function captureConv(fns: ModelFns, layer: tfl.layers.Layer, x: Float32Array, target: number): ConvCapture {
  const outShape = (layer.outputShape as (number | null)[]).slice(1) as number[];
  const l = layer as unknown as { call: Call };
  const own = Object.prototype.hasOwnProperty.call(l, 'call');
  const stock = l.call;
  let activations = new Float32Array(0);
  let value = NaN;
  let delta: tf.Tensor | null = null;
  l.call = (inputs, kwargs) => {
    const a = stock.call(layer, inputs, kwargs) as tf.Tensor;
    activations = Float32Array.from(a.dataSync());
    return delta ? tf.add(a, delta) : a;
  };
  try {
    const g = tf.tidy(() => {
      const input = fns.input(x, 1);
      return tf.grad((d: tf.Tensor) => {
        delta = d;
        const t = fns.targetOf(input, target);
        value = t.dataSync()[0]!;
        return tf.sum(t);
      })(tf.zeros([1, ...outShape]));
    });
    const grads = Float32Array.from(g.dataSync());
    g.dispose();
    return { activations, grads, shape: outShape, value };
  } finally {
    if (own) l.call = stock;
    else delete (l as { call?: Call }).call;
  }
}

/** Grad-CAM of one input: the map at the input's spatial size. */
export function gradCamMap(fns: ModelFns, layer: tfl.layers.Layer, x: Float32Array, target: number) {
  const c = captureConv(fns, layer, x, target);
  const spatial = fns.inputShape.length === 3 ? fns.inputShape.slice(0, 2) : fns.inputShape.slice(0, 1);
  if (c.shape.length !== spatial.length + 1) throw notApplicable(`Grad-CAM: the layer's output [${c.shape.join(', ')}] does not map onto the input [${fns.inputShape.join(', ')}]`);
  return { ...gradCam(c.activations, c.grads, c.shape, spatial), value: c.value, spatial };
}
