/**
 * The preprocessing table of an export (shared/formats/preprocessing/table.ts): what the run that
 * gave the weights recorded (run.json: normalisation, loss spec, classes, input encoding), and what
 * it did not record read from the data the way training reads it. One table per export, written as
 * preprocessing.json and used by the ONNX writer; a model without a dataset has none.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DatasetSchema, trainingDefaults, type LoomDocument } from '../../../shared/document';
import type { ExportPlan } from '../../../shared/formats/plan';
import { inputNode } from '../../../shared/formats/plan';
import { inputColumns, outputActivation, PreprocessingSchema, type Preprocessing } from '../../../shared/formats/preprocessing/table';
import { readRunRecord, runFile } from '../../node/run-folder';
import type { CompiledModel } from '../compile';
import { prepareData } from '../data';
import { outputActivation as layerActivation, resolveLossSpec } from '../targets';
import type { LossName } from '../types';

/** The parts of run.json the table needs (older records and imported runs may lack some). */
const RecordSchema = z.looseObject({
  dataset: DatasetSchema.optional(),
  datasetName: z.string().optional(),
  task: z.enum(['classification', 'regression']).optional(),
  classes: z.array(z.string()).optional(),
  normalization: PreprocessingSchema.shape.normalization.optional(),
  lossSpec: z.object({ loss: z.string(), mode: z.enum(['onehot', 'binary', 'values']), fromLogits: z.boolean() }).optional(),
  encoding: z.object({
    kind: PreprocessingSchema.shape.kind,
    featureNames: z.array(z.string()).optional(),
    categories: z.record(z.string(), z.array(z.string())).optional(),
  }).optional(),
});
type RecordPart = z.output<typeof RecordSchema>;

const TOKENS_NOTE = 'No preprocessing.json: this model takes token ids; its tokenizer is in the run\'s run.json.';

export interface PreprocessingResult {
  table: Preprocessing | null;
  /** Why there is no table, or what the user should know about it (the export's notes). */
  notes: string[];
}

async function recordOf(weightsDir: string | undefined): Promise<RecordPart | null> {
  if (!weightsDir || !existsSync(runFile(weightsDir, 'record'))) return null;
  const parsed = RecordSchema.safeParse(await readRunRecord(weightsDir).catch(() => null));
  return parsed.success ? parsed.data : null;
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** What the data says that the record does not: read only when the record is incomplete. */
async function fromData(doc: LoomDocument, record: RecordPart | null, plan: ExportPlan, compiled: CompiledModel, baseDir?: string) {
  const cfg = record?.dataset ?? doc.dataset!;
  const inputShape = inputNode(plan, plan.inputs[0]!).outShape;
  const { dataset: ds, normalization } = await prepareData(cfg, trainingDefaults(doc.training), { baseDir, inputShape: [...inputShape] });
  const out = plan.outputs[0]!;
  const spec = record?.lossSpec ?? resolveLossSpec(trainingDefaults(doc.training).loss as LossName, ds, compiled.outputShapes[0]!, out, layerActivation(doc, compiled, out));
  return {
    datasetName: ds.name, task: ds.task, classes: ds.classes, normalization, lossSpec: spec,
    encoding: { kind: ds.kind, featureNames: ds.featureNames, categories: ds.categories },
  };
}

/**
 * The table for exporting `doc` with the weights of `weightsDir` (a run folder; absent: initial
 * weights, the table from the data as a run of the document would read it). Single-input,
 * single-output models with a dataset only.
 */
export async function preprocessingFor(doc: LoomDocument, plan: ExportPlan, compiled: CompiledModel, opts: { weightsDir?: string; baseDir?: string }): Promise<PreprocessingResult> {
  if (!doc.dataset) return { table: null, notes: [] };
  if (doc.dataset.source === 'text' || doc.dataset.source === 'pairs') return { table: null, notes: [TOKENS_NOTE] };
  if (plan.inputs.length !== 1 || plan.outputs.length !== 1) {
    return { table: null, notes: [`No preprocessing.json: it describes one input and one output, and this model has ${plan.inputs.length} and ${plan.outputs.length}; feed each input normalised as Layerloom's data is.`] };
  }
  const record = await recordOf(opts.weightsDir);
  let r: Required<Pick<RecordPart, 'normalization' | 'lossSpec' | 'encoding'>> & RecordPart;
  if (record?.normalization && record.lossSpec && record.encoding) r = { ...record, normalization: record.normalization, lossSpec: record.lossSpec, encoding: record.encoding };
  else {
    try {
      const d = await fromData(doc, record, plan, compiled, opts.baseDir);
      const mode = d.lossSpec.mode, task = d.task;
      if (mode === 'tokens' || task === 'language') return { table: null, notes: [TOKENS_NOTE] };
      r = { ...d, task, ...record, normalization: record?.normalization ?? d.normalization, lossSpec: { ...d.lossSpec, mode }, encoding: record?.encoding ?? d.encoding };
    } catch (e) {
      return { table: null, notes: [`No preprocessing.json: Layerloom could not read the data this model was trained on (${(e as Error).message}). The model takes normalised input; raw rows give wrong predictions.`] };
    }
  }
  const input = inputNode(plan, plan.inputs[0]!);
  const shape = [...input.outShape];
  const names = r.encoding.featureNames;
  const columns = r.encoding.kind === 'tabular' && names ? inputColumns(names, r.encoding.categories) : null;
  const size = product(shape);
  const problem = columns && names!.length !== size
    ? `the data gives ${names!.length} features and the Input "${input.id}" takes ${size}`
    : size % r.normalization.groups !== 0 ? `the normalisation has ${r.normalization.groups} groups for ${size} input values` : null;
  if (problem) return { table: null, notes: [`No preprocessing.json: ${problem}.`] };
  const task = r.task ?? 'regression';
  const table: Preprocessing = {
    format: 'layerloom.preprocessing', version: 1,
    dataset: r.datasetName ?? doc.dataset.source,
    kind: r.encoding.kind,
    input: { name: input.id, shape, dtype: input.p.dtype },
    columns,
    features: columns ? names! : null,
    normalization: { mode: r.normalization.mode, offset: r.normalization.offset, scale: r.normalization.scale, groups: r.normalization.groups },
    output: {
      name: plan.outputs[0]!, task,
      activation: outputActivation(r.lossSpec),
      classes: task === 'classification' && r.lossSpec.mode !== 'values' && r.classes ? r.classes : null,
    },
  };
  return { table: PreprocessingSchema.parse(table), notes: [] };
}
