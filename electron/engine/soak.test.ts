/**
 * Soak: 30 consecutive training runs in one process, as an engine process serves them — every
 * template in turn, a few batches each, every third one stopped mid-epoch. After each run the live
 * tensors are the starting ones plus the weights of the runs the engine keeps for evaluate/predict
 * (at most 8); at the end no run's model stays reachable once disposed; and after a first round
 * through every template, resident memory grows less than SOAK_RSS_BOUND_MB over the other 21 runs.
 *
 * What grew before (about 2.3 MB per run): first-use costs that stop (built-in datasets cached,
 * the wasm heap's high-water mark — it never shrinks —, compiled code), the runs kept for
 * evaluate/predict (at most 8), and tfjs-layers' cache of sorted graphs, which kept every disposed
 * model's layers and variables reachable (up to 100 models): now cleared with the model
 * (tfjs.ts disposeModel). Per 100 steps the heap does not grow (heapUsed flat within 0.1 MB over
 * 1,000 steps after a forced GC; RSS settles within the first few hundred steps).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type LoomDocument } from '../../shared/document';
import { initBackend } from './backend';
import { disposeRun, getRun, listRuns } from './runs';
import { startTraining } from './train';
import { tf } from './tfjs';

/** Resident memory may grow at most this much over the 21 runs after the first round (measured 7-9 MB, native allocator and compiled code: the JS heap stays flat). */
const SOAK_RSS_BOUND_MB = 24;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = join(__dirname, '../../assets/templates');
const TEMPLATES = ['logistic-regression', 'linear-regression', 'mnist-cnn', 'lstm-sequence', 'gru-model', 'simplernn-classifier', 'transformer-classifier', 'cifar-lenet', 'residual-block'];

function template(name: string): LoomDocument {
  const r = parseDocument(readFileSync(join(dir, `${name}.loom`), 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors)}`);
  return { ...r.doc, dataset: { ...r.doc.dataset!, limit: 40 } };
}

/**
 * Weak references to a run's model and its layers (a cache of the graph holds layers, not the
 * model object). A function of its own, so that no local of the (suspended) test keeps them.
 */
function weakRefsOf(runId: string): WeakRef<object>[] {
  const { model } = getRun(runId).compiled;
  return [new WeakRef(model), ...model.layers.map((l) => new WeakRef(l))];
}

/** Tensors held by the runs the engine keeps (their weights). */
const heldTensors = () => listRuns().reduce((n, id) => n + getRun(id).compiled.model.weights.length, 0);

const rssMB = () => {
  gc();
  return process.memoryUsage().rss / 2 ** 20;
};

describe('soak: 30 training runs in one engine process (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    for (const id of listRuns()) disposeRun(id);
  });

  it('tensors return to their start after every run, disposed models are released, memory stays bounded', async () => {
    const start = tf.memory().numTensors;
    const models: WeakRef<object>[] = [];
    let afterFirstRound = 0;
    for (let i = 0; i < 30; i++) {
      const name = TEMPLATES[i % TEMPLATES.length]!;
      const runId = `soak-${i}`;
      // Mid-epoch (4 batches of 8 per epoch). Batch events are throttled to one per 100 ms: only the
      // first is certain to arrive before the run ends, so Stop comes on that one.
      const stopAfter = i % 3 === 2 ? 1 : Infinity;
      let batches = 0;
      const h = startTraining({ runId, doc: template(name), baseDir: dir, overrides: { epochs: 2, batchSize: 8, validationSplit: 0.2, threads: 1 } }, (e) => {
        if (e.type === 'batch' && ++batches >= stopAfter) h.stop();
      });
      const last = await h.done;
      expect(last, `${runId} ${name}`).toMatchObject({ type: 'end', reason: stopAfter < Infinity ? 'stopped' : 'completed' });
      models.push(...weakRefsOf(runId));
      expect(listRuns().length).toBeLessThanOrEqual(8);
      expect(tf.memory().numTensors - heldTensors(), `${runId} ${name}`).toBe(start);
      if (i === TEMPLATES.length - 1) afterFirstRound = rssMB();
    }
    const growth = rssMB() - afterFirstRound;
    expect(growth).toBeLessThan(SOAK_RSS_BOUND_MB);

    for (const id of listRuns()) disposeRun(id);
    expect(tf.memory().numTensors).toBe(start);
    // Disposed models are garbage: nothing (such as tfjs-layers' graph cache) keeps them reachable.
    await new Promise((r) => setImmediate(r));
    gc();
    expect(models.filter((m) => m.deref() !== undefined)).toHaveLength(0);
  }, 240_000);
});
