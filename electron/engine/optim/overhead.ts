/**
 * Per-step copies the wasm backend makes that a training step does not need ("remove
 * per-batch overhead"):
 *
 * - While a gradient is recorded, tfjs-core keeps every tensor an op's gradient needs by cloning it
 *   (`Engine.saveTensorsForBackwardMode` and customGrad's save → `Engine.clone` → the Identity
 *   kernel). tfjs-backend-wasm's Identity COPIES the data (the cpu and webgl backends share it), so
 *   each training step copied every saved activation, input and weight once more: 30 copies per MLP
 *   step, 41 copies (9 M floats) per MNIST-CNN step. Tensors are immutable and share data by
 *   reference counting (as Reshape already does on wasm), so `Engine.clone` now shares the data on
 *   wasm: same tape node, no copy.
 * - `Cast` to the dtype a tensor already has copies it too (gradients cast `dy` to float32 all the
 *   time); it now shares the data the same way. Casts that change the dtype run the stock kernel.
 *
 * Only the wasm backend is affected (both patches defer to tfjs otherwise); the Identity kernel and
 * the public tf.clone are unchanged, so code that runs them to get a fresh tensor id still does.
 * `LAYERLOOM_SHARE_SAVED=off` leaves both alone (A/B benchmarks). Tested in overhead.test.ts.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../tfjs';

interface EngineInternals {
  backendName: string;
  backend: { incRef(dataId: object): void };
  state: { activeScope: { name: string } };
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: TensorInfo, backend?: unknown): tf.Tensor;
  addTapeNode(scopeName: string, inputs: Record<string, tf.Tensor>, outputs: tf.Tensor[], gradientsFunc: (dy: tf.Tensor) => Record<string, () => tf.Tensor>, saved: tf.Tensor[], attrs: Record<string, unknown>): void;
  runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs?: Record<string, unknown>): tf.Tensor;
}

let installed = false;

/** Install both patches (idempotent). Call after the wasm backend is registered. */
export function shareSavedTensorsOnWasm(): void {
  if (installed || process.env.LAYERLOOM_SHARE_SAVED === 'off') return;
  const stockCast = getKernel('Cast', 'wasm');
  if (!stockCast) return; // wasm backend not registered: nothing to patch
  installed = true;

  const engine = tf.engine() as unknown as EngineInternals;
  const stockClone = engine.clone.bind(engine);
  engine.clone = function (this: EngineInternals, x: tf.Tensor) {
    if (this.backendName !== 'wasm' || x.dtype === 'string') return stockClone(x);
    this.backend.incRef(x.dataId);
    const y = this.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype }, this.backend);
    // The tape node the stock Engine.clone records, so higher-order gradients still flow through.
    this.addTapeNode(this.state.activeScope.name, { x }, [y], (dy) => ({ x: () => this.runKernel('Cast', { x: dy }, { dtype: 'float32' }) }), [], {});
    return y;
  };

  const stockFunc = stockCast.kernelFunc as KernelFunc;
  unregisterKernel('Cast', 'wasm');
  registerKernel({
    kernelName: 'Cast',
    backendName: 'wasm',
    kernelFunc: ((args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype === args.attrs?.dtype) {
        (args.backend as unknown as EngineInternals['backend']).incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
      }
      return stockFunc(args);
    }) as KernelFunc,
  });
}
