/**
 * The implementation of every request in the contract, shared by the desktop app (ipcMain) and web
 * mode (WebSocket). Transport-specific pieces come in as dependencies: where files live and how the
 * person picks them (`files`), settings, the engine supervisor, and how events are pushed.
 * No Electron import here.
 */
import { cp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { serializeDocument } from '../../shared/document/save';
import { CURRENT_VERSION, FORMAT, type DatasetConfig, type LoomDocument } from '../../shared/document/schema';
import type { BackendInfo, Evaluation } from '../../shared/engine/events';
import type { EventName, EventOf, Template } from '../../shared/ipc/contract';
import { IpcError, type Handlers } from '../../shared/ipc/rpc';
import type { EngineSupervisor } from './engine-supervisor';
import type { FileAccess } from './files';
import { relocateDocumentText, relocateRunRecord, type PathChange } from './relocate';
import { RecoveryStore } from './recovery-store';
import type { SettingsStore } from './settings';
import { StagingArea } from './staging';

export type Emit = <E extends EventName>(name: E, payload: EventOf<E>) => void;

export interface ShellDeps {
  mode: 'electron' | 'web';
  version: string;
  files: FileAccess;
  settings: SettingsStore;
  engine: EngineSupervisor;
  templatesDir: string;
  projectDir?: string;
  /** The renderer's unsaved-changes state (desktop: used by the close prompt). */
  onDirty?: (dirty: boolean, name?: string) => void;
  /** The renderer's answer to `app.beforeClose`. */
  onCloseReady?: (requestId: string, close: boolean) => void;
  /** Files to open once the renderer is ready (desktop: from the command line / the OS). */
  takeOpenFiles?: () => string[];
  /** Files successfully opened or saved (desktop: OS recent documents). */
  onRecent?: (path: string) => void;
  /** Where runs of unsaved documents wait (the app and web server remove it when they shut down). */
  staging?: StagingArea;
}

/** Put `evaluation` into a run folder's run.json (atomic: temp file + rename; the rest of the record unchanged). */
async function recordEvaluation(runDir: string, evaluation: unknown): Promise<void> {
  const file = join(runDir, 'run.json');
  const rec = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(`${file}.tmp`, JSON.stringify({ ...rec, evaluation }, null, 1));
  await rename(`${file}.tmp`, file);
}

export function newRunId(): string {
  return `run-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
}

export const BLANK_DOCUMENT: LoomDocument = { format: FORMAT, version: CURRENT_VERSION, name: 'untitled', nodes: [], edges: [] };

/** `assets/templates/*.loom` as { id, name, description, text }, sorted by name. Broken files are skipped. */
export async function loadTemplates(dir: string): Promise<Template[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith('.loom')).sort();
  } catch {
    return [];
  }
  const out: Template[] = [];
  for (const f of names) {
    const text = await readFile(join(dir, f), 'utf8');
    try {
      const json = JSON.parse(text) as { name?: unknown; description?: unknown };
      const id = f.replace(/\.loom$/, '');
      out.push({ id, name: typeof json.name === 'string' ? json.name : id, description: typeof json.description === 'string' ? json.description : '', text });
    } catch {
      /* not JSON: not a template */
    }
  }
  return out;
}

export function createHandlers(deps: ShellDeps): Handlers {
  const { files, settings, engine } = deps;
  let templates: Promise<Template[]> | null = null;
  const getTemplates = () => (templates ??= loadTemplates(deps.templatesDir));
  // Beside the settings file; made on first use (tests that never touch recovery pass no settings).
  let recovery: RecoveryStore | null = null;
  const recoveryStore = () => (recovery ??= new RecoveryStore(join(dirname(settings.file), 'recovery.json')));

  const remember = async (path: string | null) => {
    if (!path) return;
    await settings.addRecent(path);
    deps.onRecent?.(path);
  };

  /**
   * Imported-weights runs of documents not saved yet: run id → its run folder in a staging folder
   * (outside the project). `runs.persistImported` copies one beside the document once it is saved.
   */
  const staged = new Map<string, string>();
  const staging = deps.staging ?? new StagingArea();
  const stagingDir = async (runId: string) => join(await staging.dir(), runId);
  const runsDirOf = (absDoc: string) => join(dirname(absDoc), `${basename(absDoc).replace(/\.loom$/i, '')}.runs`);
  /** A document's runs folder, or one run's folder, checked like every path (web mode: a link out of the project is refused). */
  const runDirOf = (absDoc: string, runId?: string) => files.absolute(runId ? join(runsDirOf(absDoc), runId) : runsDirOf(absDoc));

  /** Folder for the engine to resolve dataset paths against, and the run folder for weights. */
  const locate = async (docPath: string | null | undefined, runId?: string, dataset?: DatasetConfig): Promise<{ baseDir?: string; outDir?: string }> => {
    // Data files the engine will read must be reachable (web mode: inside the project folder).
    if (dataset) await files.checkDataset(dataset, docPath);
    // An imported run not (yet) beside the document is read from its staging folder.
    const stagedDir = runId ? staged.get(runId) : undefined;
    if (!docPath) {
      const base = files.defaultBaseDir();
      return { ...(base ? { baseDir: base } : {}), ...(stagedDir ? { outDir: stagedDir } : {}) };
    }
    const abs = await files.absolute(docPath);
    const outDir = runId ? await runDirOf(abs, runId) : undefined;
    return {
      baseDir: dirname(abs),
      ...(outDir ? { outDir: stagedDir && !existsSync(join(outDir, 'run.json')) ? stagedDir : outDir } : {}),
    };
  };

  /**
   * The folder a document's relative dataset paths were resolved from: its file's folder, or for a
   * document never saved the default base (web mode: the project folder; the desktop has none, and
   * its Choose… stores absolute paths then). Undefined when unknown or out of reach.
   */
  const dataBaseOf = async (docPath: string | null | undefined): Promise<string | undefined> => {
    try {
      if (docPath) return dirname(await files.absolute(docPath));
      const base = files.defaultBaseDir();
      return base ? await files.absolute(base) : undefined;
    } catch {
      return undefined;
    }
  };
  // Web mode: every path lives in the project folder, which moves as a whole: `../data/x.csv` is fine.
  const relocateOpts = { keepRelative: deps.mode === 'web' };

  /** Where a new imported run of the document goes: beside it when saved, else a staging folder. */
  const importedRunDir = async (runId: string, docPath?: string | null): Promise<string> => {
    if (docPath) return runDirOf(await files.absolute(docPath), runId);
    const dir = await stagingDir(runId);
    staged.set(runId, dir);
    return dir;
  };
  type WeightProblem = { layer: string; reason: string };
  const refuse = (message: string, problems: (WeightProblem & { className?: string })[] = []): never => {
    const list = problems.map((p) => `${p.layer}${p.className ? ` (${p.className})` : ''}: ${p.reason}`);
    throw new IpcError('failed', [message, ...list].join('\n'), list.length ? list : undefined);
  };

  return {
    'app.info': () => ({ mode: deps.mode, version: deps.version, platform: process.platform, ...(deps.projectDir ? { projectDir: deps.projectDir } : {}) }),
    'app.ready': () => ({ openFiles: deps.takeOpenFiles?.() ?? [] }),
    'app.setDirty': (req) => {
      deps.onDirty?.(req.dirty, req.name);
      return { ok: true };
    },
    'app.closeReady': (req) => {
      if (!deps.onCloseReady) return { ok: false };
      deps.onCloseReady(req.requestId, req.close);
      return { ok: true };
    },

    'file.new': async ({ template }) => {
      if (!template) return { path: null, name: 'untitled.loom', text: serializeDocument(BLANK_DOCUMENT) };
      const t = (await getTemplates()).find((x) => x.id === template);
      if (!t) throw new IpcError('not-found', `no template named "${template}"`);
      return { path: null, name: `${t.id}.loom`, text: t.text };
    },
    'file.open': async ({ path }) => {
      const r = await files.open(path);
      if (!r.canceled) await remember(r.path);
      return r;
    },
    'file.save': async ({ path, text }) => {
      const r = await files.save(path, text);
      if (!r.canceled) await remember(r.path);
      return r;
    },
    'file.saveAs': async ({ text, suggestedName, path, fromPath }) => {
      // Relative dataset paths are rewritten for the chosen file's folder (once it is chosen).
      const fromDir = await dataBaseOf(fromPath);
      let rewritten: PathChange[] = [];
      const prepare = fromDir
        ? (abs: string) => {
          const out = relocateDocumentText(text, fromDir, dirname(abs), relocateOpts);
          rewritten = out.changes;
          return out.text;
        }
        : undefined;
      const r = await files.saveAs(text, suggestedName, path, prepare);
      if (r.canceled) return r;
      await remember(r.path);
      return rewritten.length ? { ...r, rewritten } : r;
    },
    'file.recent': async () => {
      const s = await settings.get();
      const present = await Promise.all(s.recentFiles.map((p) => files.exists(p)));
      return { files: s.recentFiles.filter((_, i) => present[i]).map((p) => ({ path: p, name: basename(p) })) };
    },
    'file.list': ({ dir }) => files.list(dir),
    'file.listTemplates': async () => ({ templates: await getTemplates() }),
    'file.upload': (chunk) => files.upload(chunk),
    'file.importModel': async ({ path }) => {
      const abs = await files.importPath(path);
      if (!abs) return { canceled: true };
      // The file's weights become an "Imported weights" run of the new (unsaved) document, staged
      // until the document is saved (runs.persistImported).
      const runId = newRunId().replace(/^run-/, 'imported-');
      const runDir = await stagingDir(runId);
      const r = (await engine.call('importModel', { path: abs, runId, runDir, ...(files.defaultBaseDir() ? { baseDir: files.defaultBaseDir() } : {}) })) as
        | { ok: true; doc: LoomDocument; warnings?: string[]; weightsFound?: boolean; run?: { runId: string; createdAt: string; source: string }; weightsNote?: string; placeholders?: { layer: string; className: string; reason: string }[] }
        | { ok: false; message: string; problems?: { layer: string; className: string; reason: string }[] };
      if (!r.ok) return refuse(r.message, r.problems);
      if (r.run) staged.set(r.run.runId, runDir);
      const base = basename(abs).replace(/\.(json|keras|h5|hdf5)$/i, '');
      return {
        canceled: false,
        name: `${base === 'model' ? r.doc.name || 'imported' : base}.loom`,
        text: serializeDocument(r.doc),
        warnings: r.warnings ?? [],
        ...(r.weightsFound !== undefined ? { weightsFound: r.weightsFound } : {}),
        ...(r.run ? { run: r.run } : {}),
        ...(r.weightsNote ? { weightsNote: r.weightsNote } : {}),
        ...(r.placeholders?.length ? { placeholders: r.placeholders } : {}),
      };
    },
    'file.loadWeights': async ({ path, doc, docPath }) => {
      const abs = await files.importPath(path);
      if (!abs) return { canceled: true };
      const runId = newRunId().replace(/^run-/, 'imported-');
      const where = await locate(docPath);
      const runDir = await importedRunDir(runId, docPath);
      const r = (await engine.call('loadWeights', { path: abs, doc, runId, runDir, ...(where.baseDir ? { baseDir: where.baseDir } : {}) })) as
        | { ok: true; run: { runId: string; createdAt: string; source: string }; matched: string[]; problems: WeightProblem[]; unused: string[]; warnings?: string[] }
        | { ok: false; message: string; problems?: WeightProblem[] };
      if (!r.ok) {
        staged.delete(runId);
        return refuse(r.message, r.problems);
      }
      return { canceled: false, run: r.run, matched: r.matched, problems: r.problems, unused: r.unused, warnings: r.warnings ?? [] };
    },

    'settings.get': () => settings.get(),
    'settings.set': (patch) => settings.set(patch),

    'recovery.read': async () => ({ recovery: await recoveryStore().read() }),
    'recovery.write': async ({ recovery }) => {
      await recoveryStore().write(recovery);
      return { ok: true };
    },

    'engine.backend': async () => (await engine.call('initBackend', {})) as BackendInfo,
    'engine.train': async (req) => {
      const runId = req.runId ?? newRunId();
      return engine.train({
        runId,
        doc: req.doc,
        ...(await locate(req.docPath, runId, req.doc.dataset)),
        ...(req.overrides ? { overrides: req.overrides } : {}),
      });
    },
    'engine.stop': ({ runId }) => engine.control(runId, 'stop'),
    'engine.pause': ({ runId }) => engine.control(runId, 'pause'),
    'engine.resume': ({ runId }) => engine.control(runId, 'resume'),
    'engine.evaluate': async (req) => {
      const where = await locate(req.docPath, req.runId, req.doc.dataset);
      const evaluation = (await engine.call('evaluate', { runId: req.runId, doc: req.doc, baseDir: where.baseDir, runDir: where.outDir })) as Evaluation;
      // A run kept on disk keeps its latest evaluation too (a reopened model shows it again). Best
      // effort: a disk that refuses the write must not hide the evaluation just computed.
      if (where.outDir && existsSync(join(where.outDir, 'run.json'))) await recordEvaluation(where.outDir, evaluation).catch(() => undefined);
      return evaluation;
    },
    'engine.predict': async (req) => {
      const where = await locate(req.docPath, req.runId, req.doc.dataset);
      return (await engine.call('predict', { runId: req.runId, doc: req.doc, inputs: req.inputs, baseDir: where.baseDir, runDir: where.outDir })) as never;
    },
    'engine.confusionSamples': async (req) => {
      const where = await locate(req.docPath, req.runId, req.doc.dataset);
      const samples = await engine.call('confusionSamples', {
        runId: req.runId, doc: req.doc, trueClass: req.trueClass, predictedClass: req.predictedClass, limit: req.limit ?? 24, baseDir: where.baseDir, runDir: where.outDir,
      });
      return { samples: Array.isArray(samples) ? samples : [] } as never;
    },
    'engine.saliency': async (req) => {
      const where = await locate(req.docPath, req.runId);
      return (await engine.call('saliency', { runId: req.runId, doc: req.doc, input: req.input, baseDir: where.baseDir, runDir: where.outDir })) as never;
    },
    'data.augmentPreview': async (req) => {
      const where = await locate(req.docPath, undefined, req.dataset);
      return (await engine.call('augmentPreview', { dataset: req.dataset, baseDir: where.baseDir, index: req.index ?? 0, count: req.count ?? 8, seed: req.seed ?? 0 })) as never;
    },
    'data.files': async ({ docPath }) => {
      const base = docPath ? dirname(await files.absolute(docPath)) : files.defaultBaseDir();
      if (!base) return { dir: '', files: [] };
      const out: { path: string; kind: 'csv' | 'npy' | 'folder' }[] = [];
      const walk = async (rel: string, depth: number) => {
        let entries: import('node:fs').Dirent[];
        try {
          entries = await readdir(join(base, rel), { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
          if (out.length >= 500 || e.name.startsWith('.') || e.name === 'node_modules' || e.name.endsWith('.runs')) continue;
          const path = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) {
            out.push({ path, kind: 'folder' });
            if (depth < 2) await walk(path, depth + 1);
          } else if (e.isFile() && /\.(csv|tsv)$/i.test(e.name)) out.push({ path, kind: 'csv' });
          else if (e.isFile() && /\.npy$/i.test(e.name)) out.push({ path, kind: 'npy' });
        }
      };
      await walk('', 0);
      return { dir: base, files: out };
    },
    'data.pick': ({ kind, docPath }) => files.pickData(kind, docPath),
    'data.describeCsv': async (req) => {
      // Checked like a dataset path (web mode: inside the project folder).
      const where = await locate(req.docPath, undefined, { source: 'csv', path: req.path, target: '' });
      return (await engine.call('describeCsv', { path: req.path, baseDir: where.baseDir })) as never;
    },
    'runs.persistImported': async ({ runId, docPath }) => {
      const from = staged.get(runId);
      if (!from) throw new IpcError('not-found', `no imported run "${runId}" waiting to be saved`);
      const to = await runDirOf(await files.absolute(docPath), runId);
      await cp(from, to, { recursive: true });
      staged.delete(runId);
      await rm(from, { recursive: true, force: true });
      return { ok: true };
    },
    'runs.persist': async ({ runIds, docPath, fromPath, evaluations }) => {
      const toRuns = await runDirOf(await files.absolute(docPath));
      const fromRuns = fromPath ? await runDirOf(await files.absolute(fromPath)) : null;
      // The runs' dataset snapshots name files relative to where the document was (its previous
      // file's folder, or the default base before a first save): relocated like the document's.
      const fromDir = await dataBaseOf(fromPath);
      const saved: string[] = [];
      const failed: { runId: string; message: string }[] = [];
      const ids = [...runIds];
      // A Save As copy carries every run folder of the previous file (not only the session's runs).
      if (fromRuns && fromRuns !== toRuns) {
        const names = await readdir(fromRuns).catch(() => [] as string[]);
        for (const n of names) if (!ids.includes(n) && existsSync(join(fromRuns, n, 'run.json'))) ids.push(n);
      }
      for (const id of ids) {
        let to = join(toRuns, id);
        try {
          to = await files.absolute(to);
          if (!existsSync(join(to, 'run.json'))) {
            const stagedFrom = staged.get(id);
            const prev = fromRuns && fromRuns !== toRuns ? join(fromRuns, id) : null;
            if (stagedFrom) await cp(stagedFrom, to, { recursive: true });
            else if (prev && existsSync(join(prev, 'run.json'))) await cp(prev, to, { recursive: true });
            // A run of this session held by the engine (trained while the document had no path).
            else await engine.call('saveRun', { runId: id, dir: to });
            if (fromDir) await relocateRunRecord(to, fromDir, dirname(toRuns), relocateOpts);
          }
          const evaluation = evaluations?.[id];
          if (evaluation) await recordEvaluation(to, evaluation);
          // The staged copy stays until the copy is complete: a failure above loses nothing.
          if (staged.has(id)) {
            const from = staged.get(id)!;
            staged.delete(id);
            await rm(from, { recursive: true, force: true });
          }
          saved.push(id);
        } catch (e) {
          // No half-written folder left behind (run.json is written last; without it, remove).
          if (!existsSync(join(to, 'run.json'))) await rm(to, { recursive: true, force: true }).catch(() => undefined);
          failed.push({ runId: id, message: (e as Error)?.message ?? String(e) });
        }
      }
      return { saved, failed };
    },
    'runs.list': async ({ docPath }) => {
      if (!docPath) return { runs: [] };
      const dir = await runDirOf(await files.absolute(docPath));
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return { runs: [] };
      }
      const runs: { runId: string; createdAt?: string }[] = [];
      for (const n of names) {
        try {
          const rec = JSON.parse(await readFile(await files.absolute(join(dir, n, 'run.json')), 'utf8')) as { runId?: unknown; createdAt?: unknown };
          if (rec && typeof rec.runId === 'string') runs.push(rec as { runId: string; createdAt?: string });
        } catch {
          /* not a run folder (or still being written, or a link out of the project) */
        }
      }
      runs.sort((a, b) => String(b.createdAt ?? '').localeCompare(String(a.createdAt ?? '')));
      return { runs };
    },
    'data.preview': async (req) => {
      const where = await locate(req.docPath, undefined, req.dataset);
      return (await engine.call('preview', { dataset: req.dataset, baseDir: where.baseDir, limit: req.limit ?? 16, ...(req.training ? { training: req.training } : {}) })) as never;
    },
    'export.run': async (req) => {
      const outDir = req.outDir ? await files.checkOutDir(req.outDir) : await files.exportDir(req.format, req.docPath, req.doc.name);
      if (!outDir) return { canceled: true };
      const where = await locate(req.docPath, req.runId, req.doc.dataset);
      const r = (await engine.call('export', {
        format: req.format,
        doc: req.doc,
        outDir,
        ...(req.docPath ? { docPath: await files.absolute(req.docPath) } : {}),
        ...(where.baseDir ? { baseDir: where.baseDir } : {}),
        // Trained weights: the run folder beside the document (model.json + weights.bin) when it
        // exists, else the run still held by the engine process.
        ...(req.runId ? { runId: req.runId, ...(where.outDir ? { runDir: where.outDir } : {}) } : {}),
        ...(req.quantize ? { quantize: req.quantize } : {}),
        ...(req.includeData !== undefined ? { includeData: req.includeData } : {}),
      })) as { files?: string[]; weights?: 'trained' | 'initial'; notes?: string[] } | null;
      return {
        canceled: false,
        outDir,
        files: Array.isArray(r?.files) ? r.files : [],
        ...(r?.weights ? { weights: r.weights } : {}),
        ...(Array.isArray(r?.notes) ? { notes: r.notes } : {}),
      };
    },
  };
}
