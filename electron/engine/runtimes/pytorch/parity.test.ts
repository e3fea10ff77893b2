/**
 * The PyTorch runtime trains like the engine: from the same initial weights, on the same batches in
 * the same order, with plain SGD and no dropout, its loss after each of the first 20 steps equals
 * the engine's within 1e-4 relative — for the MNIST CNN, LSTM, GRU, transformer, linear and
 * logistic templates and for outputs without softmax/sigmoid trained with cross-entropies (logits);
 * likewise with Adam, Nesterov momentum, RMSprop with momentum and Adagrad, and with
 * BatchNormalization (whose moving statistics the validation losses use).
 * The validation losses of every epoch agree too, and the trained weights come back into the run:
 * the engine's own evaluation of the returned weights reproduces the runtime's last validation loss.
 * Then DDP: two processes under torchrun give the first epoch's loss of one process, events from
 * process 0 only. Real PyTorch (Debian's python3-torch), real torchrun.
 */
import { beforeAll, expect, it } from 'vitest';
import { needs } from '../../../../scripts/needs';
import type { LoomDocument, TrainingConfig } from '../../../../shared/document';
import type { DatasetConfig } from '../../../../shared/document/schema';
import { initBackend } from '../../backend';
import { evaluateRun } from '../../evaluate';
import { disposeRun } from '../../runs';
import { engineLosses, maxRelDiff, PY, runtimeRun, SGD, TEMPLATES, template, withoutDropout } from './test-support';

interface Case {
  name: string;
  doc: LoomDocument;
  dataset: DatasetConfig;
  overrides?: Partial<TrainingConfig>;
}

/** 4 batches of 16 per epoch, 5 epochs: 20 steps; a small validation split. */
const STEPS: Partial<TrainingConfig> = { ...SGD, learningRate: 0.05, batchSize: 16, epochs: 5, validationSplit: 0.02 };
const limited = (doc: LoomDocument): DatasetConfig => ({ ...doc.dataset!, limit: 64 });

/** Input → Dense 8 relu [→ BatchNormalization] → Dense `units` with `activation` (none: logits). */
function dense(name: string, dataset: string, units: number, loss: TrainingConfig['loss'], inputs: number,
  o: { activation?: string; batchNorm?: boolean; overrides?: Partial<TrainingConfig> } = {}): Case {
  const chain = [
    { id: 'x', type: 'Input', params: { shape: [inputs] } },
    { id: 'hidden', type: 'Dense', params: { units: 8, activation: 'relu' } },
    ...(o.batchNorm ? [{ id: 'norm', type: 'BatchNormalization', params: { momentum: 0.5 } }] : []),
    { id: 'out', type: 'Dense', params: { units, ...(o.activation ? { activation: o.activation } : {}) } },
  ];
  const doc: LoomDocument = {
    format: 'layerloom.model', version: 1, name, nodes: chain,
    edges: chain.slice(1).map((n, i) => ({ from: chain[i]!.id, to: n.id })),
    training: { loss, seed: 7 } as TrainingConfig,
  };
  return { name, doc, dataset: { source: 'builtin', name: dataset, limit: 64 }, overrides: o.overrides };
}

const CASES: Case[] = [
  ...['mnist-cnn', 'lstm-sequence', 'gru-model', 'transformer-classifier', 'linear-regression', 'logistic-regression'].map((name) => {
    const doc = withoutDropout(template(name));
    return { name, doc, dataset: limited(doc) };
  }),
  dense('logits-categorical', 'iris', 3, 'categoricalCrossentropy', 4),
  dense('logits-binary', 'blobs', 1, 'binaryCrossentropy', 2),
  // The other optimizers' update rules, and BatchNormalization's moving statistics (the
  // validation losses run on them).
  ...([
    ['adam', { optimizer: 'adam', learningRate: 0.01 }],
    ['sgd-nesterov', { optimizer: 'sgd', momentum: 0.9, nesterov: true }],
    ['rmsprop-momentum', { optimizer: 'rmsprop', momentum: 0.5, learningRate: 0.01 }],
    ['adagrad', { optimizer: 'adagrad', learningRate: 0.1 }],
  ] as const).map(([name, overrides]) => dense(name, 'iris', 3, 'sparseCategoricalCrossentropy', 4, { activation: 'softmax', overrides })),
  dense('batchnorm', 'iris', 3, 'categoricalCrossentropy', 4, { activation: 'softmax', batchNorm: true }),
];

type RuntimeOutcome = Awaited<ReturnType<typeof runtimeRun>> & { evaluated: { ok: true; loss: number } | { ok: false; error: string } };

/**
 * The engine's validation loss with the weights the run brought back, computed as soon as the run
 * ends: the engine keeps only its most recent runs, and these cases make more than it keeps.
 */
async function withEvaluation(runId: string, r: Awaited<ReturnType<typeof runtimeRun>>): Promise<RuntimeOutcome> {
  try {
    if (r.last.type !== 'end') return { ...r, evaluated: { ok: false, error: `run ended with ${r.last.type}` } };
    const ev = await evaluateRun(runId, { split: 'validation' });
    return { ...r, evaluated: { ok: true, loss: ev.logs.loss! } };
  } catch (e) {
    return { ...r, evaluated: { ok: false, error: (e as Error).message } };
  } finally {
    disposeRun(runId);
  }
}

needs('torch.distributed.run').describe('PyTorch runtime: parity with the engine', () => {
  const runs = new Map<string, Promise<RuntimeOutcome>>();
  const engine = new Map<string, Awaited<ReturnType<typeof engineLosses>>>();

  beforeAll(async () => {
    await initBackend('wasm');
    // Python runs in other processes: start them all (three at a time), then compute the engine's side here.
    const queue = [...CASES];
    const next = (): Promise<void> | undefined => {
      const c = queue.shift();
      if (!c) return undefined;
      const p = runtimeRun({ runId: `pt-${c.name}`, doc: c.doc, dataset: c.dataset, baseDir: TEMPLATES, overrides: { ...STEPS, ...c.overrides }, runtime: { python: PY, device: 'cpu' } })
        .then((r) => withEvaluation(`pt-${c.name}`, r));
      runs.set(c.name, p);
      return p.then(() => next());
    };
    void next();
    void next();
    void next();
    for (const c of CASES) {
      engine.set(c.name, await engineLosses({ runId: `engine-${c.name}`, doc: c.doc, dataset: c.dataset, baseDir: TEMPLATES, overrides: { ...STEPS, ...c.overrides } }));
      disposeRun(`engine-${c.name}`);
    }
  }, 900_000);

  it.each(CASES.map((c) => c.name))('%s: 20 steps of the same losses (1e-4 relative), same validation, weights back', async (name) => {
    while (!runs.has(name)) await new Promise((r) => setTimeout(r, 200));
    const pt = await runs.get(name)!;
    const en = engine.get(name)!;
    expect(pt.last.type === 'error' ? pt.last.message : pt.last.type).toBe('end');
    expect(en.losses).toHaveLength(20);
    expect(pt.losses).toHaveLength(20);
    expect(maxRelDiff(pt.losses, en.losses)).toBeLessThan(1e-4);
    // The loss moved: the comparison is over training, not 20 copies of the start.
    expect(Math.abs(pt.losses[19]! - pt.losses[0]!)).toBeGreaterThan(1e-4 * Math.abs(pt.losses[0]!));
    const valOf = (events: { type: string; logs?: Record<string, number> }[]) => events.flatMap((e) => (e.type === 'epoch' ? [e.logs!.val_loss!] : []));
    expect(maxRelDiff(valOf(pt.events), valOf(en.events))).toBeLessThan(1e-4);
    const start = pt.events.find((e) => e.type === 'start');
    expect(start?.type === 'start' && start.backend).toMatchObject({ name: 'pytorch', device: 'cpu', processes: 1 });
    // The weights that came back are the trained ones: the engine's evaluation on the validation
    // split (TF.js computing with the returned weights) gives the runtime's last val_loss.
    expect(pt.evaluated).toMatchObject({ ok: true });
    expect(maxRelDiff([pt.evaluated.ok ? pt.evaluated.loss : NaN], valOf(pt.events).slice(-1))).toBeLessThan(1e-4);
  }, 900_000);
});
