/**
 * The benchmark's networks (same architectures as bench/torch_bench.py) and their data: the seeds'
 * MNIST CNN and an MLP 784-128-10 on Fashion-MNIST (Debian's dataset-fashion-mnist when installed,
 * else synthetic data of the same shape), the LSTM template and the CIFAR LeNet template on
 * synthetic data of their input shapes.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import type { LoomDocument } from '../shared/document';
import { mulberry32 } from '../shared/random';

export const MODEL_NAMES = ['cnn', 'mlp', 'lstm', 'lenet'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const template = (name: string): LoomDocument => JSON.parse(readFileSync(path.join(root, 'assets/templates', name), 'utf8')) as LoomDocument;

const MLP: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'mlp',
  nodes: [
    { id: 'image', type: 'Input', params: { shape: [28, 28, 1] } },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'hidden', type: 'Dense', params: { units: 128, activation: 'relu' } },
    { id: 'out', type: 'Dense', params: { units: 10, activation: 'softmax' } },
  ],
  edges: [{ from: 'image', to: 'flat' }, { from: 'flat', to: 'hidden' }, { from: 'hidden', to: 'out' }],
};

export interface BenchData {
  /** Flat float32 samples, `count` of them. */
  x: Float32Array;
  sampleShape: number[];
  /** classification: int labels; regression: float targets. */
  y: Int32Array | Float32Array;
  classes?: number;
  count: number;
  source: string;
}

export function benchDocument(name: ModelName): LoomDocument {
  switch (name) {
    case 'cnn': return template('mnist-cnn.loom');
    case 'mlp': return MLP;
    case 'lstm': return template('lstm-sequence.loom');
    case 'lenet': return template('cifar-lenet.loom');
  }
}

export const FASHION_DIR = process.env.LAYERLOOM_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

function synthetic(count: number, sampleShape: number[], classes: number | undefined, seed: number): BenchData {
  const r = mulberry32(seed);
  const size = sampleShape.reduce((p, q) => p * q, 1);
  const x = new Float32Array(count * size);
  for (let i = 0; i < x.length; i++) x[i] = r();
  const y = classes ? Int32Array.from({ length: count }, () => Math.floor(r() * classes)) : Float32Array.from({ length: count }, () => r());
  return { x, sampleShape, y, classes, count, source: 'synthetic' };
}

function fashion(count: number): BenchData {
  try {
    const img = gunzipSync(readFileSync(path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz')));
    const lab = gunzipSync(readFileSync(path.join(FASHION_DIR, 'train-labels-idx1-ubyte.gz')));
    const n = Math.min(count, img.readUInt32BE(4));
    const x = new Float32Array(n * 784);
    for (let i = 0; i < x.length; i++) x[i] = img[16 + i]! / 255;
    const y = Int32Array.from(lab.subarray(8, 8 + n));
    return { x, sampleShape: [28, 28, 1], y, classes: 10, count: n, source: `Fashion-MNIST (${FASHION_DIR})` };
  } catch {
    return { ...synthetic(count, [28, 28, 1], 10, 1), source: 'synthetic (Fashion-MNIST not installed)' };
  }
}

export function benchData(name: ModelName, count: number): BenchData {
  switch (name) {
    case 'cnn':
    case 'mlp': return fashion(count);
    case 'lstm': return synthetic(count, [30, 1], undefined, 2);
    case 'lenet': return synthetic(count, [32, 32, 3], 10, 3);
  }
}
