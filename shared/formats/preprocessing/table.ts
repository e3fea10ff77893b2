/**
 * The preprocessing table every export of a model trained on data carries (`preprocessing.json`,
 * identical in every format): how a raw row becomes the model's input, and how the model's output
 * becomes what Layerloom's Try it shows. Three stages, named the same in every export:
 *
 *   row      (a CSV row as written: column → text; or a raw sample: image pixels 0..255, token ids)
 *     → encode     numbers as they are, each categorical column one-hot in `columns[].categories` order
 *   features (what Try it's form takes)
 *     → normalize  (x - offset[g]) * scale[g], g = element index % groups, as the training data was
 *   model input (what model.py's forward, Keras' model and TF.js' model.json take; train.py trains on it)
 *     → model → finish: softmax / sigmoid when the model outputs logits (`output.activation`)
 *   outputs  (probabilities or values) and, for classifiers, the label.
 *
 * model.onnx holds normalize and finish in its graph: it takes features and gives outputs.
 */
import { z } from 'zod';

export const PREPROCESSING_FILE = 'preprocessing.json';

const NumericColumnSchema = z.strictObject({ name: z.string(), kind: z.literal('numeric') });
const CategoricalColumnSchema = z.strictObject({ name: z.string(), kind: z.literal('categorical'), categories: z.array(z.string()).min(1) });
const ColumnSchema = z.discriminatedUnion('kind', [NumericColumnSchema, CategoricalColumnSchema]);

export const PreprocessingSchema = z.strictObject({
  format: z.literal('layerloom.preprocessing'),
  version: z.literal(1),
  /** The data the model was trained on (its name, for people). */
  dataset: z.string(),
  kind: z.enum(['tabular', 'image', 'sequence', 'tokens']),
  /** The model's Input node: its name (ONNX input name), one sample's shape (channels-last) and dtype. */
  input: z.strictObject({ name: z.string(), shape: z.array(z.number().int().positive()), dtype: z.enum(['float32', 'int32']) }),
  /** Table data: the row's columns in feature order (null: each row is one raw sample of `input.shape`). */
  columns: z.array(ColumnSchema).nullable(),
  /** The name of each feature (a categorical column gives one per category, `column=category`). */
  features: z.array(z.string()).nullable(),
  /** Applied to features: (x - offset[g]) * scale[g] with g = element index % groups (offset/scale of length 1 apply to every element). */
  normalization: z.strictObject({
    mode: z.enum(['none', 'scale', 'standardize']),
    offset: z.array(z.number()).min(1),
    scale: z.array(z.number()).min(1),
    groups: z.number().int().positive(),
  }),
  output: z.strictObject({
    name: z.string(),
    task: z.enum(['classification', 'regression']),
    /** Applied to the model's output over its last axis (the model outputs logits when not `none`). */
    activation: z.enum(['softmax', 'sigmoid', 'none']),
    /** Class names, index = class id; the label is classes[output > 0.5] for one output, else classes[argmax]. Null for values. */
    classes: z.array(z.string()).nullable(),
  }),
});

export type Preprocessing = z.output<typeof PreprocessingSchema>;
export type InputColumn = NonNullable<Preprocessing['columns']>[number];
export type OutputActivation = Preprocessing['output']['activation'];

/**
 * The columns behind a table's feature names: a categorical column `c` with categories [a, b]
 * gives the consecutive features `c=a`, `c=b` (as the CSV importer names them); any other feature
 * is a numeric column of that name.
 */
export function inputColumns(featureNames: readonly string[], categories: Readonly<Record<string, readonly string[]>> = {}): InputColumn[] {
  const out: InputColumn[] = [];
  for (let i = 0; i < featureNames.length;) {
    const block = Object.entries(categories).find(([c, cats]) => cats.every((v, k) => featureNames[i + k] === `${c}=${v}`));
    if (block) {
      out.push({ name: block[0], kind: 'categorical', categories: [...block[1]] });
      i += block[1].length;
    } else {
      out.push({ name: featureNames[i]!, kind: 'numeric' });
      i++;
    }
  }
  return out;
}

/** How the engine turns a model's output into what predict shows (see electron/engine/losses.ts `toOutputs`). */
export function outputActivation(spec: { loss: string; mode: string; fromLogits: boolean }): OutputActivation {
  if (!spec.fromLogits) return 'none';
  return spec.mode === 'binary' || spec.loss === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
}

/** The stage a format gives to each of raw rows, features and the model input (sentences for its README). */
export interface InputEntries {
  rows: string;
  features: string;
  model: string;
}

const q = (v: string) => JSON.stringify(v);

/** Row → features, in words. */
function featuresText(p: Preprocessing): string {
  const shape = `[${p.input.shape.join(', ')}]`;
  if (p.columns) {
    const cols = p.columns.map((c) => (c.kind === 'numeric' ? `\`${c.name}\` (a number, as written)` : `\`${c.name}\` (one-hot: ${c.categories.map(q).join(', ')})`));
    return `the row's columns in this order: ${cols.join(', ')} — ${p.input.shape[0]} values. A categorical column becomes one 0/1 value per category, in the listed order; a category the model was not trained on is an error.`;
  }
  if (p.kind === 'image') return `the image's pixels, 0–255, channels-last ${shape} (${p.input.shape[2] === 1 ? 'grayscale: 0.299 R + 0.587 G + 0.114 B' : 'RGB'}), resized to ${p.input.shape[0]}×${p.input.shape[1]} beforehand.`;
  if (p.kind === 'tokens') return `token ids ${shape}, as the data gives them (the tokenizer is not exported).`;
  return `the sample as in the data, ${shape}.`;
}

/** Features → model input, in words. */
function normalizationText(n: Preprocessing['normalization'], shape: readonly number[]): string {
  if (n.mode === 'none') return 'none: the model input is the features.';
  const per = n.groups === 1 ? 'every value' : shape.length > 1 ? 'each channel (last axis)' : 'each feature';
  return `\`${n.mode}\`, (x - offset) * scale for ${per}, the values in \`normalization\` (from the training split).`;
}

/** Model output → outputs, in words. */
function outputText(o: Preprocessing['output']): string {
  const act = o.activation === 'none' ? '' : ` The model's last layer gives logits: ${o.activation} is applied to them.`;
  if (!o.classes) return `values (${o.task}).${act}`;
  return `probabilities of the classes ${o.classes.map(q).join(', ')}; the label is the most probable class${o.classes.length === 2 ? ' (a single output is the probability of the second class: that class when above 0.5)' : ''}.${act}`;
}

/** The README section saying what an export takes: the three stages, and where each enters this format. */
export function describeInput(p: Preprocessing, entry: InputEntries): string {
  return `## Input: what this model takes

Trained on ${p.dataset}. \`${PREPROCESSING_FILE}\` (the same file in every Layerloom export format)
holds the preprocessing Layerloom applied in training and applies in Try it:

1. Raw ${p.columns ? 'row' : 'sample'} → **features**: ${featuresText(p)}
2. Features → **model input** (normalisation): ${normalizationText(p.normalization, p.input.shape)}
3. Model output → **outputs**: ${outputText(p.output)}

In this export:
- **Raw ${p.columns ? 'rows (CSV rows as written, or dicts column → value)' : 'samples'}**: ${entry.rows}
- **Features**: ${entry.features}
- **Model input**: ${entry.model}

Raw values fed where the model input is expected give wrong predictions without any error.
`;
}
