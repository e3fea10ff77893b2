/**
 * Test/bench helper: initialise the wasm backend in Node (with Layerloom's kernels) and run code on a
 * chosen backend. Not used by the app itself (the engine's backend.ts does the real selection).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LoomDocument } from '../../../shared/document';
import { installFastKernels } from './index';
import { guardHeapAllocations, type WasmBackend } from './wasm-util';

let ready: Promise<void> | null = null;

/** Register + initialise the wasm backend once, then install the fast kernels. */
export function initWasm(): Promise<void> {
  ready ??= (async () => {
    const req = createRequire(import.meta.url);
    const dir = path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    setWasmPaths(dir);
    const prev = tf.getBackend();
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not initialise');
    installFastKernels();
    guardHeapAllocations(tf.findBackend('wasm') as unknown as WasmBackend);
    if (prev) await tf.setBackend(prev);
  })();
  return ready;
}

/** Run `f` with `name` as the active backend; returns plain arrays of the resulting tensors. */
export async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  if (name === 'wasm') await initWasm();
  await tf.setBackend(name);
  return f();
}

/** A tiny CNN (conv 4 → max pool → dense 3 softmax) on [8, 8, channels] inputs, for training tests. */
export function tinyCnnDoc(channels: number): LoomDocument {
  return {
    format: 'layerloom.model', version: 1, name: 'tiny-cnn',
    nodes: [
      { id: 'in', type: 'Input', params: { shape: [8, 8, channels] } },
      { id: 'conv', type: 'Conv2D', params: { filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' } },
      { id: 'pool', type: 'MaxPooling2D', params: { poolSize: 2 } },
      { id: 'flat', type: 'Flatten', params: {} },
      { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } },
    ],
    edges: [{ from: 'in', to: 'conv' }, { from: 'conv', to: 'pool' }, { from: 'pool', to: 'flat' }, { from: 'flat', to: 'out' }],
  };
}
