/**
 * Per-user settings: one JSON file (Electron: `<userData>/settings.json`; web mode:
 * `<project>/.layerloom/settings.json`), validated with the contract's schema on every read and
 * written atomically. A damaged file is set aside (`settings.json.bad`) and defaults are used.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SettingsPatchSchema, SettingsSchema, type Settings } from '../../shared/ipc/contract';
import { writeFileAtomic } from '../node/atomic';
import type { z } from 'zod';

export class SettingsStore {
  private current: Settings = SettingsSchema.parse({});
  private loading: Promise<Settings> | null = null;
  /** Serialises writes so two quick changes never interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string, private readonly log: (msg: string) => void = () => undefined) {}

  /** Reads the file once; concurrent callers share the same read (none sees defaults too early). */
  async load(): Promise<Settings> {
    this.loading ??= this.read();
    await this.loading;
    return this.current;
  }

  private async read(): Promise<Settings> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return this.current; // first run
    }
    try {
      this.current = SettingsSchema.parse(JSON.parse(text));
    } catch (e) {
      this.log(`settings: ${this.file} is damaged (${(e as Error).message.slice(0, 200)}); using defaults and keeping it as ${this.file}.bad`);
      await rename(this.file, `${this.file}.bad`).catch(() => undefined);
    }
    return this.current;
  }

  async get(): Promise<Settings> {
    return this.load();
  }

  async set(patch: z.input<typeof SettingsPatchSchema>): Promise<Settings> {
    await this.load();
    const clean = SettingsPatchSchema.parse(patch);
    const next = SettingsSchema.parse({ ...this.current, ...clean, ...(clean.ui ? { ui: { ...this.current.ui, ...clean.ui } } : {}) });
    this.current = next;
    const write = this.queue.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify(this.current, null, 2) + '\n');
    });
    this.queue = write.catch(() => undefined);
    await write;
    return next;
  }

  /** Put `path` first in the recent files (at most 10). */
  async addRecent(path: string): Promise<Settings> {
    const s = await this.load();
    return this.set({ recentFiles: [path, ...s.recentFiles.filter((p) => p !== path)].slice(0, 10) });
  }
}
