/**
 * What File › Import model does, apart from drawing: `file.importModel`, then the model opens as a
 * new untitled document (unsaved, laid out, fitted in view), its weights an "Imported weights" run.
 */
import { layerCount } from '../ui/format';
import { formatLoadError, parseDocument } from '../../shared/document';
import { getApi } from '../platform/api';
import { errorOutcome, type ErrorOutcome } from '../platform/errors';
import { clearRecovery } from '../services/recovery';
import { confirmDiscard } from '../shell/commands';
import { emptyDocument, useEditor } from '../store';
import { layoutGraph } from '../store/layout';
import { addImportedRun } from './imported';

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
  | ErrorOutcome;

/** Model files the importer reads (`.h5`: a Keras 2 whole model; a weights-only file is refused with advice). */
export const IMPORTABLE = /(\.json|\.keras|\.h5)$/i;

/**
 * Import `path` (or, without one, ask: the desktop's file dialog) and open the model as a new
 * untitled document: unsaved (dirty), laid out, fitted in view. Unsaved changes are asked about
 * first. `name`: the model's name when the file's own is known better here (a browser upload).
 */
export async function importModel(path?: string, name?: string): Promise<ImportOutcome> {
  if (!(await confirmDiscard())) return { kind: 'canceled' };
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
  const named = name ? { ...parsed.doc, name } : parsed.doc;
  const doc = named.nodes.some((n) => !named.layout?.[n.id]) ? { ...named, layout: layoutGraph(named) } : named;
  s.loadDocument(doc, null);
  // Not saved anywhere yet: dirty, so closing asks and Save asks for a name.
  useEditor.setState({ savedDoc: emptyDocument() });
  s.requestFit();
  clearRecovery();
  s.notify(`Imported ${name ?? r.name.replace(/\.loom$/i, '')} (${layerCount(parsed.doc.nodes.length)}, not saved yet)`);
  const label = r.run ? addImportedRun(r.run, useEditor.getState().doc) : undefined;
  return {
    kind: 'opened', name: name ?? r.name, layers: parsed.doc.nodes.length, warnings: [...r.warnings, ...parsed.warnings], weightsFound: !!r.weightsFound,
    ...(r.run && label ? { run: { runId: r.run.runId, label, source: r.run.source } } : {}),
    ...(r.weightsNote ? { weightsNote: r.weightsNote } : {}),
    placeholders: r.placeholders ?? [],
  };
}
