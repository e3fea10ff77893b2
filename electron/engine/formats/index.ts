/**
 * The engine's export API (plain data in, files out): one call for every format in
 * shared/formats/registry, each written by its writer in WRITERS (one folder per format here,
 * mirroring shared/formats). Weights come from a training run folder (model.json + weights.bin,
 * the TF.js format runs are saved in) or, without one, are the model's seeded initial weights.
 *
 *   const r = await exportModel({ doc, format: 'pytorch', outDir: '/tmp/out', weightsDir: runDir });
 *   r.files  // absolute paths written
 */
import { dirname, join } from 'node:path';
import type { LoomDocument } from '../../../shared/document';
import { trainingDefaults } from '../../../shared/document';
import { getExportFormat, type ExportFormat, type ExportFormatId, type Quantization } from '../../../shared/formats/registry';
import { describeInput, PREPROCESSING_FILE, type Preprocessing } from '../../../shared/formats/preprocessing/table';
import { ExportError, makePlan, type ExportPlan } from '../../../shared/formats/plan';
import type { NodeWeights } from '../../../shared/formats/tensor';
import { compileModel, type CompiledModel } from '../compile';
import { writeTrainingData } from './data';
import { writeOut } from './files';
import { writeKeras } from './keras/writer';
import { writeOnnx } from './onnx/writer';
import { writePytorch } from './pytorch/writer';
import { writeTfjs } from './tfjs/writer';
import { preprocessingFor } from './preprocessing';
import { loadWeightsFromDir, nodeWeights } from './weights';

export { importModelFile, saveImportedWeights } from './import';
export { ExportError };

export interface ExportRequest {
  doc: LoomDocument;
  format: ExportFormatId;
  /** Output folder; default `<document folder>/export/<format>` (needs docPath). */
  outDir?: string;
  /** The document's file (IPC `docPath`): default baseDir and outDir. */
  docPath?: string | null;
  /** A training run folder holding model.json + weights.bin; without it the initial weights are exported. */
  weightsDir?: string;
  /** The document's folder (resolves relative dataset paths). */
  baseDir?: string;
  /** TF.js only. */
  quantize?: Quantization;
  /** Write data.npz for train.py (Keras/PyTorch; default true when the document names a dataset). */
  includeData?: boolean;
}

export interface ExportResult {
  /** Matches the IPC ExportResult (`export.run`). */
  canceled: false;
  format: ExportFormatId;
  outDir: string;
  files: string[];
  weights: 'trained' | 'initial';
  notes: string[];
}

/** What a format's writer gets: the planned document, the engine's model with the exported weights loaded, those weights by node, and the preprocessing table (null without a dataset). */
export interface WriteContext {
  plan: ExportPlan;
  preprocessing: Preprocessing | null;
  compiled: CompiledModel;
  weights: NodeWeights;
  outDir: string;
  quantize: Quantization;
}

/** Each format's writer: its files into `outDir`, returning their paths. */
export const WRITERS: { readonly [F in ExportFormatId]: (c: WriteContext) => Promise<string[]> } = {
  tfjs: (c) => writeTfjs(c.compiled, c.outDir, c.quantize),
  keras: (c) => writeKeras(c.plan, c.weights, c.outDir),
  pytorch: (c) => writePytorch(c.plan, c.weights, c.outDir),
  onnx: (c) => writeOnnx(c.plan, c.weights, c.outDir, c.preprocessing),
};

export async function exportModel(request: ExportRequest): Promise<ExportResult> {
  const format = getExportFormat(request.format);
  const docDir = request.docPath ? dirname(request.docPath) : undefined;
  const outDir = request.outDir ?? (docDir ? join(docDir, 'export', request.format) : undefined);
  if (!outDir) throw new ExportError('No output folder: give outDir (or the document\'s path)');
  const req = { ...request, outDir, baseDir: request.baseDir ?? docDir };
  // Planned once: the unsupported check, the generators and the weights conversion share it.
  const plan = makePlan(req.doc);
  const unsupported = format.unsupportedIn(plan);
  if (unsupported.length) {
    throw new ExportError(`${format.label} cannot export ${unsupported.length} layer(s):\n${unsupported.map((u) => `  ${u.nodeId} (${u.type}): ${u.reason}`).join('\n')}`, unsupported);
  }
  if (req.quantize && req.quantize !== 'none' && !format.quantization.includes(req.quantize)) {
    throw new ExportError(`${format.label} has no ${req.quantize} quantization (only TensorFlow.js does)`);
  }
  const notes: string[] = [];
  const compiled = compileModel(req.doc, { seed: trainingDefaults(req.doc.training).seed ?? 0 });
  try {
    if (req.weightsDir) await loadWeightsFromDir(compiled, req.weightsDir);
    else notes.push('No trained weights given (--weights RUNDIR): the exported weights are the untrained initial weights.');
    const pre = await preprocessingFor(req.doc, plan, compiled, req);
    notes.push(...pre.notes);
    const files = await WRITERS[format.id]({ plan, preprocessing: pre.table, compiled, weights: nodeWeights(compiled), outDir: req.outDir, quantize: req.quantize ?? 'none' });
    if (pre.table) files.push(await writeOut(req.outDir, PREPROCESSING_FILE, `${JSON.stringify(pre.table, null, 2)}\n`));
    if (format.trainsWithData && (req.includeData ?? true) && req.doc.dataset) {
      try {
        const data = await writeTrainingData(req.doc, req.outDir, req.baseDir);
        if (data) files.push(data);
      } catch (e) {
        notes.push(`data.npz not written (train.py needs --data): ${(e as Error).message}`);
      }
    }
    files.push(await writeOut(req.outDir, 'README.md', readme(req, format, pre.table, notes)));
    return { canceled: false, format: req.format, outDir: req.outDir, files, weights: req.weightsDir ? 'trained' : 'initial', notes };
  } finally {
    compiled.model.dispose();
  }
}

function readme(req: ExportRequest & { outDir: string }, format: ExportFormat, pre: Preprocessing | null, notes: string[]): string {
  const files = pre ? format.files : format.files.filter((f) => f.name !== PREPROCESSING_FILE);
  const input = pre
    ? describeInput(pre, format.entries)
    : req.doc.dataset
      ? `## Input\n\n**No ${PREPROCESSING_FILE}** (see the notes below): the model takes the *normalised* input it was trained on; raw rows or pixels give wrong predictions without any error.\n`
      : `## Input\n\nThe model has no dataset in Layerloom, so nothing is applied to its input: it takes its input tensor as you give it.\n`;
  return `# ${req.doc.name} — ${format.label} export

Exported by Layerloom${req.weightsDir ? ` with the trained weights of ${req.weightsDir}` : ' (initial, untrained weights)'}.
Inputs and outputs are channels-last, as in Layerloom and Keras.

${files.map((f) => `- \`${f.name}\`: ${f.what}`).join('\n')}

${input}
What Layerloom's tests verify for this format: ${format.verified}
${notes.length ? `\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}

/** Default output folder for a document file and a format: `<model>-<format>` next to it. */
export function defaultOutDir(docPath: string, format: ExportFormatId): string {
  return `${dirname(docPath)}/${docPath.replace(/^.*[\\/]/, '').replace(/\.loom$/, '')}-${format}`;
}
