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

/** What the export's files take, in words (its README): `entry` says how rows are predicted in this format. */
export function describeInput(p: Preprocessing, entry: { rows: string; features: string; model: string }): string {
  const shape = `[batch, ${p.input.shape.join(', ')}]`;
  const features = p.columns
    ? `a row's ${p.columns.length} column${p.columns.length === 1 ? '' : 's'} encoded in \`${PREPROCESSING_FILE}\`'s order — ${p.columns.map((c) => (c.kind === 'numeric' ? `\`${c.name}\` (number as written)` : `\`${c.name}\` (one-hot: ${c.categories.map((v) => JSON.stringify(v)).join(', ')})`)).join(', ')} — ${p.input.shape[0]} values`
    : p.kind === 'image'
      ? `pixels 0–255, channels-last ${shape} (${p.input.shape[2] === 1 ? 'grayscale' : 'RGB'}), resized to ${p.input.shape[0]}×${p.input.shape[1]} beforehand`
      : p.kind === 'tokens'
        ? `token ids ${shape} as the data gives them (the tokenizer is not exported)`
        : `samples ${shape} as in the data`;
  const norm = p.normalization.mode === 'none' ? 'none' : `${p.normalization.mode}, (x - offset) * scale per ${p.normalization.groups === 1 ? 'value' : p.normalization.groups === p.input.shape[p.input.shape.length - 1] && p.input.shape.length > 1 ? 'channel' : 'feature'}`;
  const out = p.output.classes
    ? `probabilities of ${p.output.classes.length} classes (${p.output.classes.map((c) => JSON.stringify(c)).join(', ')})${p.output.activation === 'none' ? '' : ` — the model's last layer gives logits, ${p.output.activation} is applied after it`}`
    : `values${p.output.activation === 'none' ? '' : ` (${p.output.activation} applied after the model)`}`;
  return `## Input: what this model takes

Trained on ${p.dataset}. \`${PREPROCESSING_FILE}\` holds the preprocessing (the same file in every
Layerloom export format; docs/export.md in Layerloom): the input columns and categories, the
normalisation (${norm}), and what is applied to the output.

- **Raw rows** (${p.columns ? 'CSV rows as written, or dicts column → value' : 'raw samples'}): ${entry.rows}
- **Features** — ${features}: ${entry.features}
- **Model input** — the features normalised: ${entry.model}
- **Outputs**: ${out}; the label is the class with the largest probability${p.output.classes && p.output.classes.length === 2 ? ' (one sigmoid output: the second class when above 0.5)' : ''}.

Feeding raw values where the model input is expected gives wrong predictions without any error.
`;
}
