/**
 * What the Export dialog does, apart from drawing: which formats can take the document, which run's
 * weights to use, calling `export.run`. The app is reached only through `getApi()`.
 */
import type { LoomDocument } from '../../shared/document';
import { EXPORT_FORMATS, type ExportFormat, type ExportFormatId, type Quantization } from '../../shared/formats/registry';
import { ExportError, makePlan, type Unsupported } from '../../shared/formats/plan';
import { getApi } from '../platform/api';
import { errorOutcome, type ErrorOutcome } from '../platform/errors';
import type { RunView } from '../store/runs';
import { useExported } from './exported';

/** Why the document cannot be exported at all (errors in the model, no output), or null. */
export function planProblem(doc: LoomDocument): string | null {
  if (!doc.nodes.length) return 'The model is empty: add layers first.';
  try {
    makePlan(doc);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The layers `format` cannot express (never throws: a failure is one entry). */
export function unsupportedOf(format: ExportFormat, doc: LoomDocument): Unsupported[] {
  try {
    return format.unsupported(doc);
  } catch (e) {
    return [{ nodeId: '', type: '', reason: (e as Error).message }];
  }
}

export function previewOf(format: ExportFormat, doc: LoomDocument): { files: { name: string; text: string }[]; error?: string } {
  try {
    return { files: format.preview(doc) };
  } catch (e) {
    return { files: [], error: e instanceof ExportError ? e.message : `The preview failed: ${(e as Error).message}` };
  }
}

export const formatById = (id: ExportFormatId) => EXPORT_FORMATS.find((f) => f.id === id)!;

const FINISHED = new Set(['completed', 'stopped', 'earlyStopped']);
const architecture = (d: Pick<LoomDocument, 'nodes' | 'edges'>) => JSON.stringify([d.nodes, d.edges]);

/**
 * Runs whose trained weights fit this document: finished, same layers and edges, newest first.
 * Weights come from the run folder beside the document's file, the staging folder (imported weights
 * of an unsaved document), or the engine, which holds this session's runs (so an unsaved document's
 * trained run exports its trained weights; after an engine restart the export says to train again).
 */
export function weightRuns(runs: readonly RunView[], doc: LoomDocument): RunView[] {
  const arch = architecture(doc);
  return runs
    .filter((r) => FINISHED.has(r.status) && architecture(r.doc) === arch)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface ExportOptions {
  format: ExportFormatId;
  runId?: string;
  quantize?: Quantization;
  includeData?: boolean;
}

export type ExportOutcome =
  | { kind: 'canceled' }
  | { kind: 'done'; outDir: string; files: string[]; weights: 'trained' | 'initial'; notes: string[] }
  | ErrorOutcome;

export async function runExport(doc: LoomDocument, filePath: string | null, o: ExportOptions): Promise<ExportOutcome> {
  try {
    const r = await getApi().export.run({
      format: o.format, doc,
      ...(filePath ? { docPath: filePath } : {}),
      ...(o.runId ? { runId: o.runId } : {}),
      ...(o.quantize && o.quantize !== 'none' ? { quantize: o.quantize } : {}),
      ...(o.includeData !== undefined ? { includeData: o.includeData } : {}),
    });
    if (r.canceled) return { kind: 'canceled' };
    useExported.getState().add(r.files);
    return { kind: 'done', outDir: r.outDir, files: r.files, weights: r.weights ?? (o.runId ? 'trained' : 'initial'), notes: r.notes ?? [] };
  } catch (e) {
    return errorOutcome(e);
  }
}

/** A written file's path for people: relative to the output folder when inside it. */
export function shortPath(file: string, dir: string): string {
  const d = dir.replace(/[\\/]+$/, '');
  return file.startsWith(`${d}/`) || file.startsWith(`${d}\\`) ? file.slice(d.length + 1) : file;
}
