/** Tiny models and data for the compression tests. */
import type { LoomDocument, TrainingConfig } from '../../../shared/document';
import { mulberry32 } from '../../../shared/random';
import { computeNormalization } from '../data/normalize';
import type { Dataset } from '../data/types';
import type { LossSpec } from '../losses';
import type { LoopData } from './loop';
import { disposeRun } from '../runs';
import { startTraining } from '../train';

type Node = LoomDocument['nodes'][number];
export function chain(input: number[], layers: [string, Record<string, unknown>][]): LoomDocument {
  const nodes: Node[] = [{ id: 'in', type: 'Input', params: { shape: input } }, ...layers.map(([type, params], i) => ({ id: `l${i}`, type, params }))];
  return { format: 'layerloom.model', version: 1, name: 't', nodes, edges: nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id })) };
}

/** Three Gaussian blobs in 4-D. */
export function blobs(n = 240): LoopData {
  const r = mulberry32(9);
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 4; j++) x[4 * i + j] = (j === y[i] ? 2 : 0) + r() - 0.5;
  }
  const ds: Dataset = {
    name: 'blobs3', description: 'test', task: 'classification', count: n, x, dtype: 'float32', sampleShape: [4], sampleSize: 4, y, targetShape: [1], targetSize: 1,
    classes: ['a', 'b', 'c'], kind: 'tabular', defaultNormalize: 'none', defaultTestSplit: 0,
  };
  const train = Int32Array.from({ length: n }, (_, i) => i);
  return { ds, train, normalization: computeNormalization(ds, train, 'none') };
}

export const SPEC: LossSpec = { loss: 'categoricalCrossentropy', mode: 'onehot', fromLogits: false, classes: 3 };
export const ADAM: Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'momentum' | 'nesterov' | 'batchSize'> = { optimizer: 'adam', learningRate: 0.01, momentum: 0, nesterov: false, batchSize: 32 };

export const tinyDigits: LoomDocument = {
  ...chain([28, 28, 1], [
    ['Conv2D', { filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }],
    ['MaxPooling2D', { poolSize: 4 }],
    ['Flatten', {}],
    ['Dense', { units: 16, activation: 'relu' }],
    ['Dense', { units: 10, activation: 'softmax' }],
  ]),
  training: { optimizer: 'adam', learningRate: 0.003, momentum: 0, nesterov: false, loss: 'categoricalCrossentropy', metrics: ['accuracy'], batchSize: 32, epochs: 4, validationSplit: 0.1, shuffle: true, seed: 3, threads: 1 },
  dataset: { source: 'builtin', name: 'digits', limit: 600, testSplit: 0.04 },
};

/** Train the tiny digits model into `dir`. */
export async function trainTiny(dir: string): Promise<void> {
  const end = await startTraining({ runId: 'tiny', doc: tinyDigits, runDir: dir, backend: 'wasm' }, () => {}).done;
  if (end.type !== 'end') throw new Error(`training failed: ${JSON.stringify(end)}`);
  disposeRun('tiny');
}
