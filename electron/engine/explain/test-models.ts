/**
 * Tiny models trained by the engine for the explanation tests (test-only helper): synthetic tables
 * with known structure, and the MNIST CNN template on a slice of the built-in digits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDocumentOrThrow, trainingDefaults, type LoomDocument, type TrainingConfig } from '../../../shared/document';
import { mulberry32 } from '../../../shared/random';
import { computeNormalization } from '../data/normalize';
import { splitDataset } from '../data/split';
import type { Dataset, NormalizeMode, PreparedData } from '../data/types';
import { startTraining } from '../train';

export const TEMPLATES = join(import.meta.dirname, '../../../assets/templates');

type Node = LoomDocument['nodes'][number];

/** Input [d] → Dense layers (the last one named `out`). */
export function mlp(d: number, layers: [number, string][], training: Partial<TrainingConfig>): LoomDocument {
  const nodes: Node[] = [{ id: 'in', type: 'Input', params: { shape: [d] } },
    ...layers.map(([units, activation], i) => ({ id: i === layers.length - 1 ? 'out' : `h${i}`, type: 'Dense', params: { units, activation } }))];
  return {
    format: 'layerloom.model', version: 1, name: 'explain-test', nodes,
    edges: nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id })),
    training: trainingDefaults({ optimizer: 'adam', learningRate: 0.02, batchSize: 32, epochs: 20, seed: 1, metrics: [], ...training }),
  };
}

/**
 * A table of n rows with d uniform features in [lo, hi); targets from `label(row)` (class ids when
 * `classes` is given, else values). Split 60/20/20, seeded.
 */
export function table(n: number, d: number, label: (r: Float32Array) => number, opts: { classes?: string[]; lo?: number; hi?: number; normalize?: NormalizeMode; seed?: number } = {}): PreparedData {
  const rnd = mulberry32(opts.seed ?? 7);
  const lo = opts.lo ?? 0, hi = opts.hi ?? 1;
  const x = Float32Array.from({ length: n * d }, () => lo + (hi - lo) * rnd());
  const ys = Array.from({ length: n }, (_, i) => label(x.subarray(i * d, (i + 1) * d)));
  const classification = !!opts.classes;
  const ds: Dataset = {
    name: 'synthetic', description: 'test table', task: classification ? 'classification' : 'regression', count: n,
    x, dtype: 'float32', sampleShape: [d], sampleSize: d,
    y: classification ? Int32Array.from(ys) : Float32Array.from(ys), targetShape: [1], targetSize: 1,
    classes: opts.classes, kind: 'tabular', defaultNormalize: 'standardize', defaultTestSplit: 0.2,
    featureNames: Array.from({ length: d }, (_, j) => `f${j}`),
  };
  const split = splitDataset(ds, { testSplit: 0.2, validationSplit: 0.25, seed: 1 });
  return { dataset: ds, split, normalization: computeNormalization(ds, split.train, opts.normalize ?? 'standardize') };
}

/** Train to the end; throws on a failed run. */
export async function trainRun(runId: string, doc: LoomDocument, data: PreparedData): Promise<void> {
  const h = startTraining({ runId, doc, data, backend: 'wasm', overrides: { threads: 1 } }, () => {});
  const last = await h.done;
  if (last.type !== 'end') throw new Error(`training ${runId} failed: ${JSON.stringify(last)}`);
}

/** The MNIST CNN template trained for one epoch on 512 digits. */
export async function trainDigitsCnn(runId: string): Promise<LoomDocument> {
  const doc = loadDocumentOrThrow(readFileSync(join(TEMPLATES, 'mnist-cnn.loom'), 'utf8'), 'mnist-cnn.loom');
  const h = startTraining({
    runId, doc, backend: 'wasm',
    dataset: { source: 'builtin', name: 'digits', limit: 512, testSplit: 0.05 },
    overrides: { epochs: 1, batchSize: 32, seed: 3, validationSplit: 0.05, threads: 1 },
  }, () => {});
  const last = await h.done;
  if (last.type !== 'end') throw new Error(`training the digits CNN failed: ${JSON.stringify(last)}`);
  return doc;
}
