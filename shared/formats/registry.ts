/**
 * The export formats, listed once: the Export dialog, the CLI (`layerloom export --format`) and the
 * menu read this table. Pure data + pure generators working on one export plan; the files
 * themselves are written by the engine (electron/engine/formats: each format's writer, registered
 * by the same ids), which needs Node (weights, HDF5, zip).
 */
import type { LoomDocument } from '../document/schema';
import { generateKeras } from './keras/model-py';
import { generateKerasTrain } from './keras/train-py';
import { onnxUnsupported } from './onnx/model';
import { ExportError, makePlan, type ExportPlan, type Unsupported } from './plan';
import { PREPROCESSING_FILE, type InputEntries } from './preprocessing/table';
import { generatePytorch } from './pytorch/model-py';
import { generatePytorchTrain } from './pytorch/train-py';
import { generateTfjsTopology } from './tfjs/topology';

export const EXPORT_FORMAT_IDS = ['tfjs', 'keras', 'pytorch', 'onnx'] as const;
export type ExportFormatId = (typeof EXPORT_FORMAT_IDS)[number];
export type Quantization = 'none' | 'float16' | 'uint8';

export interface ExportFile {
  name: string;
  /** One line for people. */
  what: string;
}

export interface ExportFormat {
  id: ExportFormatId;
  label: string;
  /** One or two sentences for the dialog. */
  description: string;
  /** Files written into the output folder (data.npz only when the document names a dataset). */
  files: readonly ExportFile[];
  /** Weight quantization choices (TF.js only). */
  quantization: readonly Quantization[];
  /** What was verified for this format and what was not (shown in the dialog and README). */
  verified: string;
  /** Whether the export writes data.npz for its train.py (when the document names a dataset). */
  trainsWithData: boolean;
  /** Where each stage of the preprocessing contract (preprocessing/table.ts) enters this format: its README says so. */
  entries: InputEntries;
  /** Layers this format cannot express in a planned model (empty = exportable). */
  unsupportedIn(plan: ExportPlan): Unsupported[];
  /** The generated source files of a planned model (empty for binary-only formats). */
  sources(plan: ExportPlan): GeneratedFile[];
  /** Layers this format cannot express, for the dialog to list before exporting (a model with errors: one entry saying so). */
  unsupported(doc: LoomDocument): Unsupported[];
  /** The generated source files, for a code preview without exporting. */
  preview(doc: LoomDocument): GeneratedFile[];
}

/** Written beside every format's files when the model has a dataset (preprocessing/table.ts). */
const PREPROCESSING: ExportFile = { name: PREPROCESSING_FILE, what: 'raw row → features → model input → outputs: columns, categories, normalisation, output activation and classes (when the model has a dataset; the same in every format)' };

const PYTHON_ENTRIES: InputEntries = {
  rows: '`predict_rows(load_model(), rows)` in model.py, or `python model.py FILE` with a CSV of rows or a JSON list of rows / samples (one JSON line `{"outputs", "label"}` each); an unknown category or a non-number raises an error naming the row and column.',
  features: '`predict_features(load_model(), x)` (`encode_rows(rows)` gives them).',
  model: '`load_model()` itself (`normalize(features)` gives it); train.py trains on it.',
};

export interface GeneratedFile {
  name: string;
  text: string;
}

type FormatDef = Omit<ExportFormat, 'unsupported' | 'preview'>;

/** A problem of the whole model (it has errors) as an entry of the unsupported list. */
const asUnsupported = (e: unknown): Unsupported[] => {
  if (e instanceof ExportError) return e.unsupported.length ? e.unsupported : [{ nodeId: '', type: '', reason: e.message }];
  throw e;
};

/** Layers a generator refuses (it throws ExportError listing them). */
const refusedBy = (generate: (plan: ExportPlan) => unknown) => (plan: ExportPlan): Unsupported[] => {
  try {
    generate(plan);
    return [];
  } catch (e) {
    return asUnsupported(e);
  }
};

function format(def: FormatDef): ExportFormat {
  return {
    ...def,
    unsupported: (doc) => {
      try {
        return def.unsupportedIn(makePlan(doc));
      } catch (e) {
        return asUnsupported(e);
      }
    },
    preview: (doc) => def.sources(makePlan(doc)),
  };
}

export const EXPORT_FORMATS: readonly ExportFormat[] = [
  format({
    id: 'tfjs', label: 'TensorFlow.js',
    description: 'model.json + weights.bin for tf.loadLayersModel (browser or Node), optionally quantized, with a small predict.js.',
    files: [
      { name: 'model.json', what: 'topology and weights manifest (TF.js layers format)' },
      { name: 'weights.bin', what: 'the trained weights (float32, or float16/uint8 when quantized)' },
      { name: 'predict.js', what: 'node predict.js rows.csv: predicts raw rows as Try it (or, without preprocessing.json, one model input)' },
      PREPROCESSING,
    ],
    quantization: ['none', 'float16', 'uint8'],
    verified: 'tf.loadLayersModel reproduces the engine\'s outputs exactly (bit for bit); float16 within 1e-2 and uint8 within 0.1 (max abs, on the templates); predict.js on raw CSV rows gives Try it\'s predictions (within 1e-5).',
    trainsWithData: false,
    entries: {
      rows: '`node predict.js FILE` with a CSV of rows or a JSON list of rows / samples (one JSON line `{"outputs", "label"}` each), or `predictRows(await loadModel(), rows)` from `require(\'./predict.js\')`; an unknown category or a non-number throws an error naming the row and column.',
      features: '`predictFeatures(model, features)` in predict.js (`encodeRows(rows)` gives them).',
      model: '`model.predict` of the model in model.json (`normalize(features)` gives it).',
    },
    unsupportedIn: () => [],
    sources: (plan) => [{ name: 'model.json', text: JSON.stringify({ format: 'layers-model', modelTopology: generateTfjsTopology(plan) }, null, 2) }],
  }),
  format({
    id: 'keras', label: 'Keras 3 (Python)',
    description: 'model.py (functional API) with the trained weights in Keras 3\'s model.weights.h5, and a train.py using model.fit.',
    files: [
      { name: 'model.py', what: 'build_model() / load_model(): the model in the Keras functional API; predict_rows(model, rows) takes raw rows' },
      { name: 'model.weights.h5', what: 'the trained weights in the Keras 3 layout (model.load_weights)' },
      { name: 'train.py', what: 'trains with the document\'s optimizer, loss, batch size and epochs' },
      { name: 'data.npz', what: 'the training data, split and normalisation as Layerloom uses them' },
      PREPROCESSING,
    ],
    quantization: ['none'],
    verified: 'model.py and train.py are valid Python; model.py builds every layer with every setting of the app\'s layer and the same inputs and outputs (checked statically); model.weights.h5 has the Keras 3 layout with the exact weights (checked with h5py); predict_rows in model.py, around a stand-in for the Keras model, gives Try it\'s predictions on raw CSV rows. Not run in Keras/TensorFlow (not installed where Layerloom is tested).',
    trainsWithData: true,
    entries: PYTHON_ENTRIES,
    unsupportedIn: refusedBy(generateKeras),
    sources: (plan) => [{ name: 'model.py', text: generateKeras(plan).modelPy }, { name: 'train.py', text: generateKerasTrain(plan) }],
  }),
  format({
    id: 'pytorch', label: 'PyTorch',
    description: 'A readable model.py (nn.Module, channels-last inputs like Layerloom), weights.pt for torch.load, and a train.py that also runs under torchrun (DDP).',
    files: [
      { name: 'model.py', what: 'the nn.Module; load_model() loads weights.pt; predict_rows(model, rows) / python model.py rows.csv takes raw rows' },
      { name: 'weights.pt', what: 'the trained weights as a state dict (torch.load)' },
      { name: 'train.py', what: 'python train.py, or torchrun --nproc_per_node=N train.py' },
      { name: 'data.npz', what: 'the training data, split and normalisation as Layerloom uses them' },
      PREPROCESSING,
    ],
    quantization: ['none'],
    verified: 'model.py with weights.pt gives the engine\'s outputs within 1e-4 (every layer type and template); predict_rows on raw CSV rows and raw image pixels gives Try it\'s predictions (within 1e-5); train.py runs single-process and under torchrun --nproc_per_node=2 on CPU.',
    trainsWithData: true,
    entries: PYTHON_ENTRIES,
    unsupportedIn: refusedBy(generatePytorch),
    sources: (plan) => [{ name: 'model.py', text: generatePytorch(plan).modelPy }, { name: 'train.py', text: generatePytorchTrain(plan) }],
  }),
  format({
    id: 'onnx', label: 'ONNX',
    description: 'model.onnx (opset 17) with the trained weights, named inputs/outputs and a dynamic batch dimension, for onnxruntime and friends.',
    files: [
      { name: 'model.onnx', what: 'the graph and weights; inputs/outputs channels-last, named after their nodes; with a dataset it takes features (normalisation and output activation inside)' },
      PREPROCESSING,
    ],
    quantization: ['none'],
    verified: 'passes onnx.checker (full_check); onnxruntime (onnxruntime-web) gives the engine\'s outputs within 1e-4 at batch 1 and 7 for every layer type and template; with preprocessing.json, model.onnx on one-hot encoded raw CSV rows and on raw image pixels gives Try it\'s probabilities (within 1e-5).',
    trainsWithData: false,
    entries: {
      rows: 'encode them as step 1 says (the table is `columns` in preprocessing.json), then run model.onnx.',
      features: '**model.onnx takes them**: its input (float32, `[batch, ...input.shape]`) is the features, the normalisation (Sub, Mul after the input) and the output activation are inside the graph, and its output is the outputs as Layerloom shows them.',
      model: 'not exposed (the graph normalises its input itself).',
    },
    unsupportedIn: onnxUnsupported,
    sources: () => [],
  }),
];

export function isExportFormat(id: string): id is ExportFormatId {
  return (EXPORT_FORMAT_IDS as readonly string[]).includes(id);
}

export function getExportFormat(id: string): ExportFormat {
  const f = EXPORT_FORMATS.find((x) => x.id === id);
  if (!f) throw new ExportError(`Unknown export format "${id}" (known: ${EXPORT_FORMAT_IDS.join(', ')})`);
  return f;
}
