/**
 * The training engine's event stream: what `layerloom train --json` prints (one object per line),
 * what the engine process sends to main, and what main forwards to the renderer. Plain numbers only,
 * never tensors. Epoch and batch numbers are 1-based (as shown to people).
 * Metric keys follow Keras: `loss`, `accuracy`, `mae`, and `val_` + those for validation.
 */
import { z } from 'zod';

export const BackendInfoSchema = z.object({
  /** `tensorflow` = @tensorflow/tfjs-node (native), then `wasm`, then `cpu` (pure JS). */
  name: z.enum(['tensorflow', 'wasm', 'cpu']),
  native: z.boolean(),
  /** Why a faster backend is not in use (shown to the user), e.g. "tfjs-node is not installed". */
  reason: z.string().optional(),
  /** Number of threads the backend computes on, when known. */
  threads: z.number().int().optional(),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

/** PyTorch as the backend of a run (docs/runtimes.md): where it computed and on how many processes. */
export const PytorchBackendSchema = z.object({
  name: z.literal('pytorch'),
  native: z.literal(true),
  /** The torch device of process 0: `cpu`, `cuda:0`, `mps`. */
  device: z.string().min(1).max(64),
  /** Processes per machine (torchrun --nproc_per_node); 1 without torchrun. */
  processes: z.number().int().min(1),
  /** `user@host` for a run over SSH; absent on this computer. */
  host: z.string().max(256).optional(),
  /** torch.__version__ on the machine that trained. */
  torch: z.string().max(64),
  /** What differs from a one-process run, when something does (e.g. BatchNormalization per share). */
  reason: z.string().optional(),
  threads: z.number().int().optional(),
});
export type PytorchBackend = z.infer<typeof PytorchBackendSchema>;

/** What a run trained on: the engine's own backends, or another runtime. */
export const RunBackendSchema = z.union([BackendInfoSchema, PytorchBackendSchema]);
export type RunBackend = z.infer<typeof RunBackendSchema>;

const logs = z.record(z.string(), z.number());
const runId = z.string().min(1).max(128);

export const StartEventSchema = z.object({
  type: z.literal('start'),
  runId,
  backend: RunBackendSchema,
  totalParams: z.number().int(),
  epochs: z.number().int(),
  batchSize: z.number().int(),
  batchesPerEpoch: z.number().int(),
  seed: z.number().int(),
  data: z.object({
    name: z.string(),
    train: z.number().int(),
    validation: z.number().int(),
    test: z.number().int(),
    inputShape: z.array(z.number().int()),
    /** Class names for classification data; absent for regression. */
    classes: z.array(z.string()).optional(),
  }),
  /** Things a person should know before the run gets far, e.g. that it needs most of the memory. */
  warnings: z.array(z.string()).optional(),
});

export const BatchEventSchema = z.object({
  type: z.literal('batch'),
  runId,
  epoch: z.number().int(),
  batch: z.number().int(),
  batches: z.number().int(),
  /** Training metrics of this batch (`loss`, `accuracy`, ...). */
  logs,
  samplesPerSec: z.number(),
  etaSec: z.number(),
  elapsedSec: z.number(),
});

export const EpochEventSchema = z.object({
  type: z.literal('epoch'),
  runId,
  epoch: z.number().int(),
  epochs: z.number().int(),
  /** Epoch means of training metrics plus `val_*` metrics. */
  logs,
  samplesPerSec: z.number(),
  etaSec: z.number(),
  elapsedSec: z.number(),
});

export const PauseEventSchema = z.object({ type: z.enum(['paused', 'resumed']), runId });

export const EndEventSchema = z.object({
  type: z.literal('end'),
  runId,
  reason: z.enum(['completed', 'stopped', 'earlyStopped']),
  epochsCompleted: z.number().int(),
  /** Last epoch's logs (or the restored best epoch's, with early stopping). */
  logs,
  elapsedSec: z.number(),
  /** Where the trained weights were written, when the run saved them. */
  weightsPath: z.string().optional(),
});

export const ErrorEventSchema = z.object({
  type: z.literal('error'),
  runId,
  /**
   * `nan`: loss became NaN/Inf; `diverged`: the loss rose far above its start (exploded or saturated,
   * see docs/engine.md); `model`/`data`: invalid input; `crash`/`oom`: engine process died.
   * Another runtime (docs/runtimes.md) adds `python` (no usable interpreter), `torch` (PyTorch or
   * NumPy missing or broken), `device` (the requested device is absent), `remote` (host unreachable
   * or key refused), `hostKey` (the host key is unknown or changed), `disk` (no space left).
   */
  code: z.enum(['nan', 'diverged', 'model', 'data', 'crash', 'oom', 'internal', 'python', 'torch', 'device', 'remote', 'hostKey', 'disk']),
  /** A sentence a person can act on ("Loss became NaN at epoch 1, batch 3: lower the learning rate"). */
  message: z.string(),
  nodeId: z.string().optional(),
  epoch: z.number().int().optional(),
  batch: z.number().int().optional(),
});

export const TrainEventSchema = z.discriminatedUnion('type', [
  StartEventSchema, BatchEventSchema, EpochEventSchema, PauseEventSchema, EndEventSchema, ErrorEventSchema,
]);
export type TrainEvent = z.infer<typeof TrainEventSchema>;
export type StartEvent = z.infer<typeof StartEventSchema>;
export type BatchEvent = z.infer<typeof BatchEventSchema>;
export type EpochEvent = z.infer<typeof EpochEventSchema>;
export type EndEvent = z.infer<typeof EndEventSchema>;
export type ErrorEvent = z.infer<typeof ErrorEventSchema>;

/** Test-split evaluation of a trained model. */
export const EvaluationSchema = z.object({
  runId,
  samples: z.number().int(),
  logs,
  classes: z.array(z.string()).optional(),
  /** confusion[true][predicted] counts (classification). */
  confusion: z.array(z.array(z.number().int())).optional(),
  perClass: z.array(z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number().int() })).optional(),
  /** Regression: predicted vs true values (capped sample for plotting). */
  regression: z.object({ predicted: z.array(z.number()), actual: z.array(z.number()) }).optional(),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;
