/** Plain-data types of the engine's public API (JSON-serialisable requests and responses). */
import type { DatasetConfig, LoomDocument, TrainingConfig } from '../../shared/document';
import { LOSSES, OPTIMIZERS } from '../../shared/document';
import type { EngineParsedRequest } from '../../shared/engine/api';
import type { BackendInfo } from '../../shared/engine/events';
import type { PreparedData } from './data/types';
import type { TokenizerJson } from '../../shared/text/tokenizer';

export type { BackendInfo, DatasetConfig, LoomDocument, TrainingConfig, PreparedData };
export type LossName = (typeof LOSSES)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * A training run's request: the `engine.train` operation's (shared/engine/api.ts), plus data already
 * loaded by in-process callers and tests (skips loading `doc.dataset`; never sent between processes).
 */
export type TrainRequest = EngineParsedRequest<'engine.train'> & { data?: PreparedData };

/** A prediction for some inputs. */
export interface Prediction {
  /** Model outputs per sample (probabilities for classifiers), flat per sample. */
  outputs: number[][];
  /** Output shape per sample. */
  outputShape: number[];
  /** Classification: the predicted class id and name per sample. */
  predicted?: number[];
  classes?: string[];
}

/** What a saved run folder holds, besides the weights (run.json). */
export interface RunRecord {
  format: 'layerloom.run';
  version: 1;
  runId: string;
  createdAt: string;
  /** The model document as it was trained (architecture snapshot). */
  doc: LoomDocument;
  training: TrainingConfig;
  seed: number;
  dataset?: DatasetConfig;
  datasetName?: string;
  task?: 'classification' | 'regression' | 'language';
  classes?: string[];
  /** Text data: the tokenizer learned from the training text (the target side's for pairs), used by generate and the exports. */
  tokenizer?: TokenizerJson;
  /** Sentence pairs: the source side's tokenizer. */
  sourceTokenizer?: TokenizerJson;
  /** The data's normalisation, applied by predict to new inputs. */
  normalization?: { mode: string; offset: number[]; scale: number[]; groups: number };
  /** What the model's input features are (exports carry it, so they need not re-read the data): the data's kind and, for tables, feature names and one-hot categories. */
  encoding?: { kind: 'image' | 'tabular' | 'sequence' | 'tokens'; featureNames?: string[]; categories?: Record<string, string[]> };
  /** How targets fed the loss and whether outputs are logits (see losses.ts). */
  lossSpec: { loss: LossName; mode: 'onehot' | 'binary' | 'values' | 'tokens'; fromLogits: boolean; classes?: number };
  backend: BackendInfo;
  /** Per-epoch logs (the curves). */
  history: Record<string, number>[];
  /** Final logs (best epoch's with early stopping). */
  logs: Record<string, number>;
  reason: 'completed' | 'stopped' | 'earlyStopped';
  epochsCompleted: number;
  elapsedSec: number;
  /** Weights imported from a file (electron/engine/formats/imported-run.ts), not trained here. */
  imported?: { source: string; format: 'tfjs' | 'keras' };
}
