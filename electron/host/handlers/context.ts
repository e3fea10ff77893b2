/**
 * What every namespace's handlers share: the host's dependencies (files, settings, the engine, how
 * events are pushed), where a document's runs and data are, and the imported runs of documents not
 * saved yet. Transport-specific pieces come in as dependencies; no Electron import here.
 */
import { dirname, isAbsolute, join } from 'node:path';
import type { EngineClient, JobOptions } from '../../../shared/engine/api';
import type { DatasetConfig } from '../../../shared/document/schema';
import type { EventName, EventOf, Namespace, RequestName } from '../../../shared/ipc/contract';
import type { Handlers } from '../../../shared/ipc/rpc';
import { hasRunRecord, runDirOf, runsDirOf } from '../../node/run-folder';
import type { FileAccess } from '../files';
import type { RelocateOptions } from '../relocate';
import type { SettingsStore } from '../settings';
import { StagingArea } from '../staging';
import { StagedRuns } from './staged-runs';

export type Emit = <E extends EventName>(name: E, payload: EventOf<E>) => void;

export interface ShellDeps {
  mode: 'electron' | 'web';
  version: string;
  files: FileAccess;
  settings: SettingsStore;
  engine: EngineClient;
  /**
   * Pushes an event to the renderer(s) this host serves: the progress of the jobs they start
   * (`job.progress`, recognised by their `jobId`). Without it, jobs run without progress.
   */
  emit?: Emit;
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

/** The handlers of one contract namespace (`file` → `file.open`, `file.save`, ...). */
export type HandlersOf<NS extends Namespace> = { [N in RequestName as N extends `${NS}.${string}` ? N : never]: Handlers[N] };

/** Where the engine finds a document's data and one of its runs. */
export interface RunPlace {
  /** The document's folder: relative dataset paths resolve against it. */
  baseDir?: string;
  /** The run's folder: beside a saved document, or the staging folder of an imported run. */
  runDir?: string;
}

export class HostContext {
  readonly files: FileAccess;
  readonly engine: EngineClient;
  readonly staged: StagedRuns;
  /** Web mode: every path lives in the project folder, which moves as a whole: `../data/x.csv` is fine. */
  readonly relocateOpts: RelocateOptions;

  constructor(readonly deps: ShellDeps) {
    this.files = deps.files;
    this.engine = deps.engine;
    this.staged = new StagedRuns(deps.staging ?? new StagingArea());
    this.relocateOpts = { keepRelative: deps.mode === 'web' };
  }

  /** Keep `path` among the recent files (settings, and the OS's list on the desktop). */
  async remember(path: string | null): Promise<void> {
    if (!path) return;
    await this.deps.settings.addRecent(path);
    this.deps.onRecent?.(path);
  }

  /** Where the engine resolves the document's dataset paths, and the run folder of `runId`. */
  async locate(docPath: string | null | undefined, runId?: string, dataset?: DatasetConfig): Promise<RunPlace> {
    // Data files the engine will read must be reachable (web mode: inside the project folder).
    if (dataset) await this.files.checkDataset(dataset, docPath);
    // An imported run not (yet) beside the document is read from its staging folder.
    const stagedDir = runId ? this.staged.get(runId) : undefined;
    if (!docPath) {
      const base = this.files.defaultBaseDir();
      return { ...(base ? { baseDir: base } : {}), ...(stagedDir ? { runDir: stagedDir } : {}) };
    }
    const abs = await this.files.absolute(docPath);
    if (!runId) return { baseDir: dirname(abs) };
    const beside = await this.files.absolute(runDirOf(abs, runId));
    return { baseDir: dirname(abs), runDir: stagedDir && !hasRunRecord(beside) ? stagedDir : beside };
  }

  /**
   * The folder a document's relative dataset paths were resolved from: its file's folder, or for a
   * document never saved the default base (web mode: the project folder; the desktop has none, and
   * its Choose… stores absolute paths then). Undefined when unknown or out of reach.
   */
  async dataBaseOf(docPath: string | null | undefined): Promise<string | undefined> {
    try {
      if (docPath) return dirname(await this.files.absolute(docPath));
      const base = this.files.defaultBaseDir();
      return base ? await this.files.absolute(base) : undefined;
    } catch {
      return undefined;
    }
  }

  /** How a job the renderer named is followed: its progress becomes `job.progress` events. */
  follow(jobId: string | undefined): JobOptions | undefined {
    const emit = this.deps.emit;
    return jobId && emit ? { onProgress: (p) => emit('job.progress', p) } : undefined;
  }

  /** A data file the renderer names (relative to the document's folder), checked like a document path (web mode: inside the project). */
  async dataFile(path: string, docPath: string | null | undefined): Promise<string> {
    const base = await this.dataBaseOf(docPath);
    return this.files.absolute(isAbsolute(path) || !base ? path : join(base, path));
  }

  /** Where a new imported run of the document goes: beside it when saved, else a staging folder. */
  async importedRunDir(runId: string, docPath?: string | null): Promise<string> {
    if (docPath) return this.runFolder(docPath, runId);
    return this.staged.add(runId);
  }

  /** A document's `<model>.runs/` folder, checked like every path (web mode: a link out of the project is refused). */
  async runsFolder(docPath: string): Promise<string> {
    return this.files.absolute(runsDirOf(await this.files.absolute(docPath)));
  }

  /** One run's folder beside a document, checked like every path. */
  async runFolder(docPath: string, runId: string): Promise<string> {
    return this.files.absolute(runDirOf(await this.files.absolute(docPath), runId));
  }
}
