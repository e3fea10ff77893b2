/**
 * The editor's view of the app platform (files, templates, settings, menu commands). It calls the
 * shell's typed api (`renderer/platform/api.ts`) and degrades gracefully when there is none (unit
 * tests, a page opened without the server): templates then come from the bundled copies.
 * Tests install a fake with `setPlatform`.
 */
import type { PathChange, RecoveryCopy } from '../../shared/ipc/contract';
import { getApi, isDesktop, type Settings } from '../platform/api';

export interface FileRef {
  path: string | null;
  name: string;
  /** Save As into another folder: the dataset paths rewritten so they still name the same files. */
  rewritten?: PathChange[];
}
export interface OpenedFile extends FileRef {
  text: string;
}
export interface TemplateInfo {
  id: string;
  name: string;
  description: string;
  text: string;
}
export type MenuCommandListener = (command: string, arg?: string) => void;

export interface Platform {
  /** True in the desktop app: native Open/Save dialogs exist. */
  desktop: boolean;
  /** Open a path, or (no path) ask the person: null when canceled. */
  open(path?: string): Promise<OpenedFile | null>;
  save(path: string, text: string): Promise<FileRef | null>;
  /** Ask where (or write to `path` when given). `fromPath`: the document's current file (its relative dataset paths are rewritten for the new folder). */
  saveAs(text: string, suggestedName: string, path?: string, fromPath?: string | null): Promise<FileRef | null>;
  recent(): Promise<FileRef[]>;
  /** The `.loom` files of the project folder (web mode) */
  list(): Promise<FileRef[]>;
  templates(): Promise<TemplateInfo[]>;
  /** A UI preference; `fresh` asks the app again instead of using the answer read at start. */
  getSetting(key: string, fresh?: boolean): Promise<string | number | boolean | null | undefined>;
  setSetting(key: string, value: string | number | boolean | null): Promise<void>;
  /** The app's crash-recovery copy (a file beside its settings), or null. */
  readRecoveryCopy(): Promise<RecoveryCopy | null>;
  /** Replace the app's recovery copy (null removes it). Best effort: never throws. */
  writeRecoveryCopy(copy: RecoveryCopy | null): Promise<void>;
  setTheme(theme: 'light' | 'dark'): Promise<void>;
  getTheme(): Promise<'light' | 'dark' | 'system' | undefined>;
  getSnapToGrid(): Promise<boolean | undefined>;
  setSnapToGrid(on: boolean): Promise<void>;
  setDirty(dirty: boolean, name: string): void;
  /** Call once after subscribing to events: files to open now (command line, OS "open with"). */
  ready(): Promise<string[]>;
  onMenuCommand(listener: MenuCommandListener): () => void;
  onBeforeClose(listener: (requestId: string) => void): () => void;
  closeReady(requestId: string, close: boolean): void;
}

/** Templates shipped inside the renderer bundle (used when the api cannot list them). */
const bundled = import.meta.glob('../../assets/templates/*.loom', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export function bundledTemplates(): TemplateInfo[] {
  return Object.entries(bundled).map(([file, text]) => {
    const id = file.replace(/^.*\//, '').replace(/\.loom$/, '');
    let name = id, description = '';
    try {
      const j = JSON.parse(text) as { name?: string; description?: string };
      name = j.name ?? id;
      description = j.description ?? '';
    } catch {
      /* listed anyway; opening reports the problem */
    }
    return { id, name, description, text };
  }).sort((a, b) => a.id.localeCompare(b.id));
}

/** Answers that only fill lists: give up after a few seconds (no server) and use the fallback. */
const quiet = <T>(p: Promise<T>, fallback: T, ms = 4000): Promise<T> =>
  new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => { clearTimeout(timer); resolve(v); },
      () => { clearTimeout(timer); resolve(fallback); },
    );
  });

export function createApiPlatform(): Platform {
  const api = () => getApi();
  // One settings read at start-up, shared by every preference (fewer round trips, one answer).
  let settings: Promise<Settings | null> | null = null;
  const read = (fresh = false) => (fresh || !settings ? (settings = quiet(api().settings.get(), null)) : settings);
  return {
    get desktop() {
      return isDesktop();
    },
    async open(path) {
      const r = await api().file.open(path ? { path } : {});
      return r.canceled ? null : { path: r.path, name: r.name, text: r.text };
    },
    async save(path, text) {
      const r = await api().file.save({ path, text });
      return r.canceled ? null : { path: r.path, name: r.name };
    },
    async saveAs(text, suggestedName, path, fromPath) {
      const r = await api().file.saveAs({ text, suggestedName, ...(path ? { path } : {}), ...(fromPath ? { fromPath } : {}) });
      return r.canceled ? null : { path: r.path, name: r.name, ...(r.rewritten?.length ? { rewritten: r.rewritten } : {}) };
    },
    recent: () => quiet(api().file.recent().then((r) => r.files), []),
    list: () => quiet(api().file.list({}).then((r) => r.files), []),
    async templates() {
      const r = await quiet(api().file.listTemplates().then((x) => x.templates), [], 3000);
      return r.length ? r : bundledTemplates();
    },
    getSetting: (key, fresh) => read(fresh).then((s) => s?.ui[key]),
    async setSetting(key, value) {
      await quiet(api().settings.set({ ui: { [key]: value } }), null);
    },
    readRecoveryCopy: () => quiet(api().recovery.read().then((r) => r.recovery), null),
    async writeRecoveryCopy(recovery) {
      await quiet(api().recovery.write({ recovery }), null);
    },
    getTheme: () => read().then((s) => s?.theme),
    getSnapToGrid: () => read().then((s) => s?.snapToGrid),
    async setSnapToGrid(snapToGrid) {
      await quiet(api().settings.set({ snapToGrid }), null);
    },
    async setTheme(theme) {
      await quiet(api().settings.set({ theme }), null);
    },
    setDirty(dirty, name) {
      void quiet(api().app.setDirty({ dirty, name: name.slice(0, 200) }), null);
    },
    ready: () => quiet(api().app.ready().then((r) => r.openFiles), [] as string[]),
    onMenuCommand(listener) {
      try {
        return api().onMenuCommand((e) => listener(e.command, e.arg));
      } catch {
        return () => {};
      }
    },
    onBeforeClose(listener) {
      try {
        return api().onBeforeClose((e) => listener(e.requestId));
      } catch {
        return () => {};
      }
    },
    closeReady(requestId, close) {
      void quiet(api().app.closeReady({ requestId, close }), null);
    },
  };
}

let current: Platform | null = null;

export function platform(): Platform {
  if (!current) current = createApiPlatform();
  return current;
}

/** Tests: install a fake platform (null: back to the real one). */
export function setPlatform(p: Platform | null): void {
  current = p;
}
