/**
 * Training runs: a custom loop (not model.fit) over the data layer's batches, so that every run is
 * stoppable, pausable and resumable between batches, seedable, early-stoppable, stops on a NaN/Inf
 * or diverging loss naming the batch (divergence.ts), and streams plain-number events (batch events
 * at most every ~100 ms, every epoch always) that validate against shared/engine/events.ts.
 *
 *   const h = startTraining({ runId, doc, baseDir }, (e) => send(e));
 *   h.pause(); h.resume(); h.stop();
 *   const last = await h.done;            // the `end` or `error` event
 *
 * A run in steps: resolve the settings → check the memory it needs (memory.ts) → compile → load and check the data (and the memory at its batch size) → start the replica
 * threads → `start` event → optimizer and batch step → the epochs (train-loop.ts) → save, register
 * and `end` → free what the run no longer needs. A finished run (not one that failed) stays in
 * memory under its runId (runs.ts) for evaluate/predict.
 */
import type { EndEvent, ErrorEvent, TrainEvent, BackendInfo } from '../../shared/engine/events';
import { trainingDefaults, type TrainingConfig } from '../../shared/document';
import { initBackend } from './backend';
import { compileModel, type CompiledModel } from './compile';
import { batchCount } from './data/batch';
import { checkSampleShape } from './data/shape';
import type { PreparedData } from './data/types';
import { makeRunOptimizer } from './optim/fused';
import { shareSavedTensorsOnWasm } from './optim/overhead';
import { ReplicaPool, REPLICA_BASE_BYTES, replicaBudget, resolveThreads } from './threads';
import { estimateTrainingMemory, formatMemory } from '../../shared/analysis';
import { mulberry32, randomSeed } from './random';
import { registerRun } from './runs';
import { checkModelMemory, checkTrainingMemory, memoryLimit } from './memory';
import { describeError, RunError } from './run-error';
import { checkTargetsForLoss, outputActivation, resolveLossSpec } from './targets';
import { EarlyStopping, makeBatchStep, now, RunClock, runEpochs, type Control, type LoopOutcome, type MetricSet, type RunContext } from './train-loop';
import type { LossSpec } from './losses';
import { disposeModel } from './tfjs';
import type { RunRecord, TrainRequest } from './types';
import type { Reweighing, ReweighingOption } from '../../shared/fairness';

export { RunError } from './run-error';
export { argmaxAccuracy, checkTargetsForLoss, resolveLossSpec, targetTensor } from './targets';
export { BATCH_EVENT_INTERVAL_MS } from './train-loop';

export interface TrainHandle {
  runId: string;
  stop(): void;
  pause(): void;
  resume(): void;
  /** Resolves with the run's last event (`end` or `error`); never rejects. */
  done: Promise<EndEvent | ErrorEvent>;
}

/** Start a run; events go to `emit` in order. */
export function startTraining(req: TrainRequest, emit: (e: TrainEvent) => void): TrainHandle {
  let stopRequested = false;
  let paused = false;
  let wake: (() => void) | null = null;
  const control: Control = {
    get stop() { return stopRequested; },
    async waitIfPaused(onPause, onResume) {
      if (!paused || stopRequested) return 0;
      const t = now();
      onPause();
      while (paused && !stopRequested) await new Promise<void>((r) => { wake = r; });
      if (!stopRequested) onResume();
      return now() - t;
    },
  };
  const done = runTraining(req, emit, control).catch((e) => {
    const ev: ErrorEvent = { type: 'error', runId: req.runId, ...describeError(e) };
    emit(ev);
    return ev;
  });
  const poke = () => { const w = wake; wake = null; w?.(); };
  return {
    runId: req.runId,
    stop: () => { stopRequested = true; poke(); },
    pause: () => { paused = true; },
    resume: () => { paused = false; poke(); },
    done,
  };
}

/** What a run holds until it ends: freed in `dispose` unless the trained model is kept (registered). */
class RunResources {
  compiled: CompiledModel | null = null;
  optimizer: { dispose(): void } | null = null;
  pool: ReplicaPool | null = null;
  early: EarlyStopping | null = null;
  keepModel = false;
  async dispose(): Promise<void> {
    await this.pool?.dispose();
    this.optimizer?.dispose();
    this.early?.dispose();
    if (!this.keepModel && this.compiled) disposeModel(this.compiled.model);
  }
}

async function runTraining(req: TrainRequest, emit: (e: TrainEvent) => void, control: Control): Promise<EndEvent> {
  const t0 = now();
  const backend = await initBackend(req.backend);
  if (backend.name === 'wasm') shareSavedTensorsOnWasm(); // no copies of saved tensors (optim/overhead.ts)
  const cfg = trainingDefaults({ ...(req.doc.training ?? {}), ...(req.overrides ?? {}) });
  const seed = cfg.seed ?? randomSeed();
  // Dropout masks draw from Math.random: a per-run stream, swapped in only around each (synchronous) step.
  const dropoutRng = mulberry32(seed ^ 0x5eed);
  const res = new RunResources();
  try {
    const limit = memoryLimit(backend.name);
    checkModelMemory(req.doc, cfg, limit); // before the weights are allocated
    const compiled = (res.compiled = compileForTraining(req, seed));
    const { data, spec, metrics } = await loadRunData(req, cfg, seed, compiled);
    const sampleWeight = cfg.reweighing ? await reweighingWeights(req, cfg.reweighing, data) : null;
    const batchSize = Math.min(cfg.batchSize, data.split.train.length);
    const memoryWarning = checkTrainingMemory(compiled.analysis, cfg, batchSize, limit);
    const mainBytes = estimateTrainingMemory(compiled.analysis, { batchSize, optimizer: cfg.optimizer, momentum: cfg.momentum }).total;
    const ctx: RunContext = {
      runId: req.runId, cfg, seed, model: compiled.model, inputShape: compiled.inputShapes[0]!, inputDtype: compiled.inputDtypes[0]!,
      outShape: compiled.outputShapes[0]!, data, spec, metrics, batchSize, batches: batchCount(data.split.train.length, batchSize), emit, control, sampleWeight,
    };
    const threads = await startReplicas(ctx, backend, compiled, req, replicaBudget(limit.bytes, mainBytes));
    res.pool = threads.pool;
    emitStart(ctx, threads.backend, compiled.totalParams, [...(memoryWarning ? [memoryWarning] : []), ...(data.dataset.notices ?? [])]);
    const optimizer = makeRunOptimizer(cfg); // fused on wasm (optim/fused.ts), stock elsewhere
    res.optimizer = optimizer;
    const step = makeBatchStep(ctx, optimizer, res.pool, dropoutRng);
    res.early = cfg.earlyStopping ? new EarlyStopping(cfg.earlyStopping) : null;
    const clock = new RunClock(t0, cfg.epochs * data.split.train.length);
    const outcome = await runEpochs(ctx, step, clock, res.early);
    const end = await finishRun(req, ctx, compiled, threads.backend, outcome, res.early, clock.activeSec());
    res.keepModel = true;
    emit(end);
    return end;
  } finally {
    await res.dispose();
  }
}

/** Compile the document for training: one connected Input, one output, something to learn. */
function compileForTraining(req: TrainRequest, seed: number): CompiledModel {
  const compiled = compileModel(req.doc, { seed });
  const { inputIds, outputIds } = compiled;
  // Several Inputs only for data that has as many (a translator's source and decoder input): checked with the data.
  if (inputIds.length === 0 || outputIds.length !== 1) {
    throw new RunError('model', `Training needs a model with exactly one connected Input and one output; this one has ${inputIds.length} input(s) (${inputIds.join(', ')}) and ${outputIds.length} output(s) (${outputIds.join(', ')})`,
      { nodeId: outputIds[1] ?? inputIds[1] });
  }
  if (compiled.model.trainableWeights.length === 0) {
    throw new RunError('model', 'The model has nothing to learn (no trainable parameters): add a layer with weights, such as Dense, before the output');
  }
  return compiled;
}

/**
 * The run's data (given, or loaded from the request's or document's dataset), split and normalised.
 * The PyTorch runtime prepares its data with it too, so both runtimes see the same samples.
 */
export async function prepareRunData(req: TrainRequest, cfg: TrainingConfig, seed: number, inputShapes: number[][]): Promise<PreparedData> {
  if (req.data) return req.data;
  const dsCfg = req.dataset ?? req.doc.dataset;
  if (!dsCfg) {
    throw new RunError('data', 'The model has no dataset: choose one (a built-in, a CSV, an image folder or .npy arrays) in the Data panel, or pass --data');
  }
  const data = await import('./data');
  return data.prepareData(dsCfg, { validationSplit: cfg.validationSplit, seed, shuffle: cfg.shuffle }, { baseDir: req.baseDir, inputShape: inputShapes[0], inputShapes });
}

/** Load the data and check it fits the model: sample shape, training samples, loss and targets, dtype. */
async function loadRunData(req: TrainRequest, cfg: TrainingConfig, seed: number, compiled: CompiledModel): Promise<{ data: PreparedData; spec: LossSpec; metrics: MetricSet }> {
  const inputId = compiled.inputIds[0]!;
  const outId = compiled.outputIds[0]!;
  const data = await prepareRunData(req, cfg, seed, compiled.inputShapes);
  const { dataset: ds, split } = data;
  checkInputCount(compiled, ds);
  const shapeProblem = checkSampleShape(ds, compiled.inputShapes[0]!, inputId);
  if (shapeProblem) throw new RunError('data', shapeProblem, { nodeId: inputId });
  if (split.train.length === 0) throw new RunError('data', `The ${ds.name} data has no training samples`);
  const spec = resolveLossSpec(cfg.loss, ds, compiled.outputShapes[0]!, outId, outputActivation(req.doc, compiled, outId));
  const targetProblem = checkTargetsForLoss(spec, ds);
  if (targetProblem) throw new RunError('data', targetProblem, { nodeId: outId });
  const isClassification = (ds.task === 'classification' && spec.mode !== 'values') || spec.mode === 'tokens';
  const metrics = { acc: cfg.metrics.includes('accuracy') && isClassification, mae: cfg.metrics.includes('mae') && spec.mode !== 'tokens', ppl: spec.mode === 'tokens' };
  if (compiled.inputDtypes[0] === 'int32' && ds.dtype !== 'int32') {
    throw new RunError('data', `The Input "${inputId}" takes int32 token ids but the ${ds.name} data holds floating-point values: set the Input's dtype to float32`, { nodeId: inputId });
  }
  return { data, spec, metrics };
}

/** One model Input per data input: `x`, then the data's extra inputs (a translator: source, decoder input). */
function checkInputCount(compiled: CompiledModel, ds: PreparedData['dataset']): void {
  const want = 1 + (ds.extraInputs?.length ?? 0);
  const { inputIds } = compiled;
  if (inputIds.length === want) {
    ds.extraInputs?.forEach((e, i) => {
      const s = compiled.inputShapes[i + 1]!;
      if (s.length !== e.sampleShape.length || s.some((v, k) => v !== e.sampleShape[k])) {
        throw new RunError('data', `The Input "${inputIds[i + 1]}" has shape ${JSON.stringify(s)} but the ${ds.name} data's ${e.name} is ${JSON.stringify(e.sampleShape)}`, { nodeId: inputIds[i + 1] });
      }
    });
    return;
  }
  const names = ['the samples', ...(ds.extraInputs ?? []).map((e) => e.name)].join(', ');
  throw new RunError('model', want === 1
    ? `Training needs a model with exactly one connected Input and one output; this one has ${inputIds.length} input(s) (${inputIds.join(', ')})`
    : `The ${ds.name} data feeds ${want} Inputs (${names}, in that order) but the model has ${inputIds.length} (${inputIds.join(', ')})`,
  { nodeId: inputIds[want] ?? inputIds[0] });
}

/**
 * Reweighing's weight per dataset sample (0 outside the training split): from the (group, class)
 * cells of the training split, groups from the dataset's sensitive column(s) (fairness/index.ts).
 */
async function reweighingWeights(req: TrainRequest, option: ReweighingOption, data: PreparedData): Promise<Float32Array> {
  const dsCfg = req.dataset ?? req.doc.dataset;
  if (!dsCfg) throw new RunError('data', 'Reweighing needs the run\'s dataset settings to read the sensitive column(s)');
  const { reweighingForTraining } = await import('./fairness'); // with the data loader, loaded when needed
  let r: Reweighing;
  try {
    r = reweighingForTraining(option, dsCfg, data.dataset, data.split.train, req.baseDir);
  } catch (e) {
    throw new RunError('data', `Reweighing: ${(e as Error).message}`);
  }
  const w = new Float32Array(data.dataset.count);
  data.split.train.forEach((i, k) => { w[i] = r.weights[k]!; });
  return w;
}

/**
 * Data-parallel replicas when the setting and the model call for it (threads.ts); a pool that
 * cannot start leaves the run on one thread, saying why in the backend's reason. The reason also
 * states the memory each replica is estimated to hold.
 */
async function startReplicas(ctx: RunContext, backend: BackendInfo, compiled: CompiledModel, req: TrainRequest, memoryBudget: number): Promise<{ pool: ReplicaPool | null; backend: BackendInfo }> {
  const model = ctx.model;
  const bnState = new Set(model.layers.filter((l) => l.getClassName() === 'BatchNormalization').flatMap((l) => l.nonTrainableWeights.map((w) => w.name)));
  const replicaBytes = (share: number) => REPLICA_BASE_BYTES + estimateTrainingMemory(compiled.analysis, { batchSize: share, optimizer: 'sgd' }).total;
  const choice = resolveThreads(ctx.cfg.threads, {
    backend: backend.name, batchSize: ctx.batchSize, flopsPerSample: compiled.analysis.flops,
    unsyncedState: model.nonTrainableWeights.filter((w) => !bnState.has(w.name)).length, replicaBytes, memoryBudget,
    sampleWeights: ctx.sampleWeight !== null,
  });
  let note = choice.why;
  let pool: ReplicaPool | null = null;
  const severalInputs = (ctx.data.dataset.extraInputs?.length ?? 0) > 0;
  if (choice.threads > 1 && severalInputs) note = 'a model with several Inputs trains on 1 thread';
  else if (choice.threads > 1) {
    const ds = ctx.data.dataset;
    const bnChannels = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.getWeights()[0]?.size ?? 0);
    try {
      pool = await ReplicaPool.start({
        doc: { nodes: req.doc.nodes, edges: req.doc.edges }, seed: ctx.seed, spec: ctx.spec, wantAcc: ctx.metrics.acc, wantMae: ctx.metrics.mae,
        inputShape: ctx.inputShape, inputDtype: ctx.inputDtype, outShape: ctx.outShape, dropoutSeed: ctx.seed ^ 0x7ead,
      }, {
        sizes: model.trainableWeights.map((w) => w.shape.reduce((a: number, b) => a * (b ?? 1), 1)), maxBatch: ctx.batchSize,
        sampleSize: ds.sampleSize, targetSize: ds.targetSize, xDtype: ds.dtype === 'int32' ? 'int32' : 'float32',
        yDtype: ds.y instanceof Int32Array ? 'int32' : 'float32', collective: Math.max(0, ...bnChannels.map((c) => 2 * c + 1)),
      }, choice.threads - 1);
    } catch (e) {
      note = `${choice.threads} threads chosen, training on 1: ${(e as Error).message}`;
    }
  }
  if (pool) {
    const each = formatMemory(replicaBytes(Math.ceil(ctx.batchSize / (pool.size + 1))));
    note = [note, `data-parallel over ${pool.size + 1} threads, about ${each} per replica thread`].filter(Boolean).join('; ');
  }
  const reason = [backend.reason, note].filter(Boolean).join('; ');
  return { pool, backend: { ...backend, ...(reason ? { reason } : {}), ...(pool ? { threads: pool.size + 1 } : {}) } };
}

function emitStart(ctx: RunContext, backend: BackendInfo, totalParams: number, warnings: string[]): void {
  const { dataset: ds, split } = ctx.data;
  ctx.emit({
    type: 'start', runId: ctx.runId, backend, totalParams, epochs: ctx.cfg.epochs, batchSize: ctx.batchSize,
    batchesPerEpoch: ctx.batches, seed: ctx.seed,
    data: {
      name: ds.name, train: split.train.length, validation: split.validation.length, test: split.test.length,
      inputShape: ds.sampleShape, ...(ds.classes && ds.task === 'classification' ? { classes: ds.classes } : {}),
    },
    ...(warnings.length ? { warnings } : {}),
  });
}

/** After the epochs: the best epoch's weights back (early stopping), the run record, saving, registering. */
async function finishRun(
  req: TrainRequest, ctx: RunContext, compiled: CompiledModel, backend: BackendInfo, outcome: LoopOutcome,
  early: EarlyStopping | null, elapsedSec: number,
): Promise<EndEvent> {
  const { runId, cfg, seed, spec, data: { dataset: ds, split, normalization } } = ctx;
  const { reason, epochsCompleted, history } = outcome;
  const restored = reason === 'earlyStopped' ? early?.restore(ctx.model, epochsCompleted) : null;
  const logs = restored ?? outcome.lastLogs;
  const record: RunRecord = {
    format: 'layerloom.run', version: 1, runId, createdAt: new Date().toISOString(), doc: req.doc,
    training: cfg, seed, dataset: req.dataset ?? req.doc.dataset, datasetName: ds.name, task: ds.task,
    ...(ds.classes && ds.task === 'classification' ? { classes: ds.classes } : {}),
    ...(ds.tokenizer ? { tokenizer: ds.tokenizer } : {}), ...(ds.sourceTokenizer ? { sourceTokenizer: ds.sourceTokenizer } : {}),
    normalization, lossSpec: { ...spec }, backend, history, logs, reason, epochsCompleted, elapsedSec,
    encoding: { kind: ds.kind, ...(ds.featureNames ? { featureNames: ds.featureNames } : {}), ...(ds.categories ? { categories: ds.categories } : {}) },
  };
  const run = { runId, compiled, spec, record, normalization, dataset: ds, split };
  let weightsPath: string | undefined;
  if (req.runDir) {
    const { saveRun } = await import('./persist');
    weightsPath = await saveRun(run, req.runDir);
  }
  registerRun(run);
  return { type: 'end', runId, reason, epochsCompleted, logs, elapsedSec, ...(weightsPath ? { weightsPath } : {}) };
}
