/**
 * A PyTorch run's working folder, made by the app before Python starts: model.py (the exporter's),
 * runner.py, the initial weights (the engine's seeded initialisation, as a PyTorch state dict) and
 * the run's training and validation samples, split with the run's seed by the engine's own data code.
 * The checks are the engine's (train.ts), so a run that the engine refuses is refused here too,
 * with the same message.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingDefaults, type TrainingConfig } from '../../../../shared/document';
import { generatePytorch, makePlan, pytorchStateDict, type ExportPlan } from '../../../../shared/formats';
import { RUNNER_FILES, generateRunner, type RunnerConfig } from '../../../../shared/runtime/pytorch-runner';
import { encodeSafetensors } from '../../../../shared/runtime/safetensors';
import { stateDictInverse, type StateDictInverse } from '../../../../shared/runtime/weight-map';
import { compileModel, type CompiledModel } from '../../compile';
import { hasAugmentation } from '../../data/batch';
import { prepareRunData } from '../../train';
import { checkSampleShape } from '../../data/shape';
import type { Dataset, PreparedData } from '../../data/types';
import { npyArray } from '../../formats/pytorch/torch-save';
import { nodeWeights } from '../../formats/weights';
import { randomSeed } from '../../random';
import { checkTargetsForLoss, outputActivation, resolveLossSpec } from '../../targets';
import { RunError } from '../../run-error';
import type { TrainRequest } from '../../types';

export interface PreparedRun {
  dir: string;
  cfg: TrainingConfig;
  seed: number;
  compiled: CompiledModel;
  plan: ExportPlan;
  inverse: StateDictInverse;
  prepared: PreparedData;
  spec: RunnerConfig['loss'];
  config: RunnerConfig;
}

/** The samples at `indices`, raw (as the dataset stores them: uint8 images stay uint8). */
function gatherRaw(ds: Dataset, indices: Int32Array): { x: Uint8Array; y: Uint8Array } {
  const xs = ds.sampleSize;
  const ys = ds.targetSize;
  const X = ds.x instanceof Uint8Array ? new Uint8Array(indices.length * xs) : ds.x instanceof Int32Array ? new Int32Array(indices.length * xs) : new Float32Array(indices.length * xs);
  const Y = ds.y instanceof Int32Array ? new Int32Array(indices.length * ys) : new Float32Array(indices.length * ys);
  indices.forEach((i, k) => {
    X.set(ds.x.subarray(i * xs, (i + 1) * xs), k * xs);
    Y.set(ds.y.subarray(i * ys, (i + 1) * ys), k * ys);
  });
  const yShape = ds.task === 'classification' ? [indices.length] : [indices.length, ...ds.targetShape];
  return { x: npyArray(X, [indices.length, ...ds.sampleShape]), y: npyArray(Y, yShape) };
}

/** The engine's pre-training checks (train.ts), on the compiled model and the loaded data. */
function checkRun(req: TrainRequest, compiled: CompiledModel, prepared: PreparedData, cfg: TrainingConfig): RunnerConfig['loss'] {
  if (compiled.inputIds.length !== 1 || compiled.outputIds.length !== 1) {
    throw new RunError('model', `Training needs a model with exactly one connected Input and one output; this one has ${compiled.inputIds.length} input(s) (${compiled.inputIds.join(', ')}) and ${compiled.outputIds.length} output(s) (${compiled.outputIds.join(', ')})`,
      { nodeId: compiled.outputIds[1] ?? compiled.inputIds[1] });
  }
  if (compiled.model.trainableWeights.length === 0) {
    throw new RunError('model', 'The model has nothing to learn (no trainable parameters): add a layer with weights, such as Dense, before the output');
  }
  const [inputId, outId] = [compiled.inputIds[0]!, compiled.outputIds[0]!];
  const { dataset: ds, split } = prepared;
  const shapeProblem = checkSampleShape(ds, compiled.inputShapes[0]!, inputId);
  if (shapeProblem) throw new RunError('data', shapeProblem, { nodeId: inputId });
  if (split.train.length === 0) throw new RunError('data', `The ${ds.name} data has no training samples`);
  const spec = resolveLossSpec(cfg.loss, ds, compiled.outputShapes[0]!, outId, outputActivation(req.doc, compiled, outId));
  if (spec.mode === 'tokens') {
    throw new RunError('data', `The PyTorch runtime does not train on text data yet (${ds.name}: the sequence loss and tokenizers are the app's): train with This app`);
  }
  const targetProblem = checkTargetsForLoss(spec, ds);
  if (targetProblem) throw new RunError('data', targetProblem, { nodeId: outId });
  if (compiled.inputDtypes[0] === 'int32' && ds.dtype !== 'int32') {
    throw new RunError('data', `The Input "${inputId}" takes int32 token ids but the ${ds.name} data holds floating-point values: set the Input's dtype to float32`, { nodeId: inputId });
  }
  if (hasAugmentation(prepared.augmentation)) {
    throw new RunError('data', `The PyTorch runtime does not apply data augmentation (set for ${ds.name} in the Data panel): turn augmentation off for this run, or train with This app`);
  }
  return { ...spec, mode: spec.mode };
}

function runnerConfig(req: TrainRequest, run: Pick<PreparedRun, 'cfg' | 'seed' | 'compiled' | 'prepared' | 'spec'>): RunnerConfig {
  const { cfg, seed, compiled, prepared: { dataset: ds, split, normalization }, spec } = run;
  const batchSize = Math.min(cfg.batchSize, split.train.length);
  const isClassification = ds.task === 'classification' && spec.mode !== 'values';
  return {
    runId: req.runId,
    training: {
      optimizer: cfg.optimizer, learningRate: cfg.learningRate, momentum: cfg.momentum, nesterov: cfg.nesterov,
      epochs: cfg.epochs, batchSize: cfg.batchSize, shuffle: cfg.shuffle, seed, earlyStopping: cfg.earlyStopping ?? null,
    },
    loss: { ...spec },
    metrics: { accuracy: cfg.metrics.includes('accuracy') && isClassification, mae: cfg.metrics.includes('mae') },
    input: { shape: compiled.inputShapes[0]!, dtype: compiled.inputDtypes[0] === 'int32' ? 'int32' : 'float32' },
    output: { shape: compiled.outputShapes[0]! },
    normalization: ds.dtype === 'int32' ? null : normalization,
    start: {
      totalParams: compiled.totalParams,
      batchesPerEpoch: Math.ceil(split.train.length / batchSize),
      data: {
        name: ds.name, train: split.train.length, validation: split.validation.length, test: split.test.length,
        inputShape: ds.sampleShape, ...(ds.classes && ds.task === 'classification' ? { classes: ds.classes } : {}),
      },
    },
  };
}

/**
 * Compile, load and check like the engine, then write the working folder (under `root`, default the
 * system's temporary folder). The compiled model stays with the run: its trained weights come back
 * into it. On failure nothing is left compiled.
 */
export async function prepareRun(req: Omit<TrainRequest, 'runtime'>, root = tmpdir()): Promise<PreparedRun> {
  const cfg = trainingDefaults({ ...(req.doc.training ?? {}), ...(req.overrides ?? {}) });
  const seed = cfg.seed ?? randomSeed();
  const compiled = compileModel(req.doc, { seed });
  try {
    const prepared = await prepareRunData(req, cfg, seed, compiled.inputShapes);
    const spec = checkRun(req, compiled, prepared, cfg);
    const plan = makePlan(req.doc);
    const weights = nodeWeights(compiled);
    const inverse = stateDictInverse(plan, weights);
    const config = runnerConfig(req, { cfg, seed, compiled, prepared, spec });
    const dir = await mkdtemp(join(root, 'layerloom-pytorch-'));
    const train = gatherRaw(prepared.dataset, prepared.split.train);
    const val = gatherRaw(prepared.dataset, prepared.split.validation);
    const state = pytorchStateDict(plan, weights).map(([name, tensor]) => ({ name, tensor }));
    const files: [string, string | Uint8Array][] = [
      [RUNNER_FILES.model, generatePytorch(req.doc).modelPy],
      [RUNNER_FILES.runner, generateRunner(config)],
      [RUNNER_FILES.init, encodeSafetensors(state, { runId: req.runId, epoch: '0' })],
      [RUNNER_FILES.trainX, train.x], [RUNNER_FILES.trainY, train.y], [RUNNER_FILES.valX, val.x], [RUNNER_FILES.valY, val.y],
    ];
    for (const [name, data] of files) await writeFile(join(dir, name), data);
    return { dir, cfg, seed, compiled, plan, inverse, prepared, spec, config };
  } catch (e) {
    compiled.model.dispose();
    throw e;
  }
}
