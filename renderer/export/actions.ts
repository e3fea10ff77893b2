/**
 * What the Export and Import dialogs do, apart from drawing: which formats can take the document,
 * which run's weights to use, calling `export.run` / `file.importModel`, and opening an imported
 * model as a new untitled document. The app is reached only through `getApi()`.
 */
import { formatLoadError, parseDocument, type LoomDocument } from '../../shared/document';
import { EXPORT_FORMATS, type ExportFormat, type ExportFormatId, type Quantization } from '../../shared/formats/registry';
import { ExportError, makePlan, type Unsupported } from '../../shared/formats/plan';
import { getApi, IpcError } from '../platform/api';
import { confirmDiscard } from '../editor/commands';
import { clearRecovery } from '../services/recovery';
import { emptyDocument, useEditor } from '../store';
import { layoutGraph } from '../store/layout';
import type { RunView } from '../store/runs';
import { addImportedRun } from './imported';
import { useExportUi } from './state';

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
  | { kind: 'error'; message: string; issues: string[] };

export function errorOutcome(e: unknown): { kind: 'error'; message: string; issues: string[] } {
  const issues = e instanceof IpcError && e.issues ? e.issues : [];
  const message = (e as Error)?.message ?? String(e);
  // The importer's message repeats its list after the first line; the list is shown on its own.
  return { kind: 'error', message: issues.length ? message.split('\n')[0]! : message, issues };
}

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
    useExportUi.getState().addExported(r.files);
    return { kind: 'done', outDir: r.outDir, files: r.files, weights: r.weights ?? (o.runId ? 'trained' : 'initial'), notes: r.notes ?? [] };
  } catch (e) {
    return errorOutcome(e);
  }
}

export type ImportOutcome =
  | { kind: 'canceled' }
  | {
      kind: 'opened'; name: string; layers: number; warnings: string[]; weightsFound: boolean;
      /** The file's weights became this run ("Imported weights"). */
      run?: { runId: string; label: string; source: string };
      /** Why weights that came with the file did not become a run. */
      weightsNote?: string;
      /** Layers imported as red placeholders, to replace. */
      placeholders: { layer: string; className: string; reason: string }[];
    }
  | { kind: 'error'; message: string; issues: string[] };

/** Model files the importer reads (`.h5`: a Keras 2 whole model; a weights-only file is refused with advice). */
export const IMPORTABLE = /(\.json|\.keras|\.h5)$/i;

/**
 * Import `path` (or, without one, ask: the desktop's file dialog) and open the model as a new
 * untitled document: unsaved (dirty), laid out, fitted in view. Unsaved changes are asked about first.
 */
export async function importModel(path?: string): Promise<ImportOutcome> {
  if (!confirmDiscard()) return { kind: 'canceled' };
  let r;
  try {
    r = await getApi().file.importModel(path ? { path } : {});
  } catch (e) {
    return errorOutcome(e);
  }
  if (r.canceled) return { kind: 'canceled' };
  const parsed = parseDocument(r.text);
  if (!parsed.ok) return { kind: 'error', message: `The imported model is not a valid document: ${parsed.errors.slice(0, 3).map(formatLoadError).join('; ')}`, issues: [] };
  const s = useEditor.getState();
  const doc = parsed.doc.nodes.some((n) => !parsed.doc.layout?.[n.id]) ? { ...parsed.doc, layout: layoutGraph(parsed.doc) } : parsed.doc;
  s.loadDocument(doc, null);
  // Not saved anywhere yet: dirty, so closing asks and Save asks for a name.
  useEditor.setState({ savedDoc: emptyDocument() });
  s.requestFit();
  clearRecovery();
  s.notify(`Imported ${r.name.replace(/\.loom$/i, '')} (${parsed.doc.nodes.length} layers, not saved yet)`);
  const label = r.run ? addImportedRun(r.run, useEditor.getState().doc) : undefined;
  return {
    kind: 'opened', name: r.name, layers: parsed.doc.nodes.length, warnings: [...r.warnings, ...parsed.warnings], weightsFound: !!r.weightsFound,
    ...(r.run && label ? { run: { runId: r.run.runId, label, source: r.run.source } } : {}),
    ...(r.weightsNote ? { weightsNote: r.weightsNote } : {}),
    placeholders: r.placeholders ?? [],
  };
}

/** A written file's path for people: relative to the output folder when inside it. */
export function shortPath(file: string, dir: string): string {
  const d = dir.replace(/[\\/]+$/, '');
  return file.startsWith(`${d}/`) || file.startsWith(`${d}\\`) ? file.slice(d.length + 1) : file;
}
