/**
 * The engine's TensorFlow.js: tfjs-core + tfjs-layers + the cpu backend. Import tf from here.
 *
 * In Node, `@tensorflow/tfjs-core` resolves to its CommonJS bundle, which (unlike the
 * `@tensorflow/tfjs` union package we do not install) registers no chained ops, yet tfjs-layers calls
 * some (the orthogonal initializer of every recurrent layer calls `t.flatten()`). Importing the ESM
 * `register_all_chained_ops` would load a second, separate copy of tfjs-core, so the chained ops are
 * registered here on the one Tensor class, exactly as tfjs-core defines them (op(this, ...args)).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';

const CHAINED = [
  'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'avgPool',
  'broadcastTo', 'ceil', 'clipByValue', 'conv1d', 'conv2d', 'conv2dTranspose', 'cos', 'cosh', 'cumprod', 'cumsum',
  'depthToSpace', 'depthwiseConv2d', 'dilation2d', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'erf', 'euclideanNorm', 'exp',
  'expandDims', 'expm1', 'fft', 'floor', 'floorDiv', 'gather', 'greater', 'greaterEqual', 'ifft', 'irfft', 'isFinite', 'isInf',
  'leakyRelu', 'less', 'lessEqual', 'localResponseNormalization', 'log', 'log1p', 'logSigmoid', 'logSoftmax', 'logSumExp',
  'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'matMul', 'max', 'maxPool', 'maximum', 'mean', 'min', 'minimum',
  'mirrorPad', 'mod', 'mul', 'neg', 'norm', 'notEqual', 'oneHot', 'onesLike', 'pad', 'pool', 'pow', 'prelu', 'prod',
  'reciprocal', 'relu', 'relu6', 'reshape', 'reverse', 'rfft', 'round', 'rsqrt', 'selu', 'separableConv2d', 'sigmoid', 'sign',
  'sin', 'sinh', 'slice', 'softmax', 'softplus', 'split', 'sqrt', 'square', 'squaredDifference', 'squeeze', 'step',
  'stridedSlice', 'sub', 'sum', 'tan', 'tanh', 'tile', 'topk', 'transpose', 'unique', 'unsortedSegmentSum', 'unstack', 'zerosLike',
] as const;

function registerChainedOps(): void {
  const proto = tf.Tensor.prototype as any;
  const ops = tf as any;
  const def = (name: string, fn: (this: tf.Tensor, ...a: any[]) => unknown) => {
    if (typeof proto[name] !== 'function') proto[name] = fn;
  };
  for (const name of CHAINED) {
    def(name, function (...args) {
      this.throwIfDisposed();
      return ops[name](this, ...args);
    });
  }
  def('concat', function (x: tf.Tensor | tf.Tensor[], axis?: number) {
    return tf.concat([this, ...(Array.isArray(x) ? x : [x])], axis);
  });
  def('stack', function (x: tf.Tensor | tf.Tensor[], axis?: number) {
    return tf.stack([this, ...(Array.isArray(x) ? x : [x])], axis);
  });
  def('where', function (condition: tf.Tensor, x: tf.Tensor) {
    return tf.where(condition, this, x);
  });
  def('flatten', function () { return tf.reshape(this, [this.size]); });
  def('asScalar', function () { return tf.reshape(this, []); });
  def('as1D', function () { return tf.reshape(this, [this.size]); });
  def('as2D', function (r: number, c: number) { return tf.reshape(this, [r, c]); });
  def('as3D', function (r: number, c: number, d: number) { return tf.reshape(this, [r, c, d]); });
  def('as4D', function (r: number, c: number, d: number, d2: number) { return tf.reshape(this, [r, c, d, d2]); });
  def('asType', function (dtype: tf.DataType) { return tf.cast(this, dtype); });
  def('reshapeAs', function (x: tf.Tensor) { return tf.reshape(this, x.shape); });
  def('toFloat', function () { return tf.cast(this, 'float32'); });
  def('toInt', function () { return tf.cast(this, 'int32'); });
  def('toBool', function () { return tf.cast(this, 'bool'); });
  def('isNaN', function () { return tf.isNaN(this); });
}

registerChainedOps();

const GRAPH_CACHE_FLAG = 'TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES';

/**
 * Dispose a layers model and the graph tfjs-layers cached for it. tfjs-layers caches the sorted
 * graph of every model it runs (an LRU keyed by tensor names, which are unique per model) for up to
 * 100 models, so a disposed model's layers, variables and symbolic tensors stayed reachable
 * (measured: one entry per training run, ~15 KB of heap for a two-layer model, more for large
 * graphs). Shrinking the cache to 0 and back clears it; live models sort their graph again once.
 */
export function disposeModel(model: tfl.LayersModel): void {
  model.dispose();
  const env = tf.env();
  const max = env.getNumber(GRAPH_CACHE_FLAG);
  env.set(GRAPH_CACHE_FLAG, 0);
  env.set(GRAPH_CACHE_FLAG, max);
}

export { tf, tfl };
