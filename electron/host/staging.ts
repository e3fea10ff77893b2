/**
 * The staging folder for runs of documents not saved yet (imported weights): one temporary folder per
 * app or web server, `<tmp>/layerloom-imported-XXXXXX/`, made on first use and marked with the
 * owner's pid. The app and the web server remove it when they shut down; a start removes the ones
 * left by a process that is gone (a crash, a kill), never those of another running instance.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STAGING_PREFIX = 'layerloom-imported-';
const OWNER_FILE = '.owner';
/** A folder without an owner mark (made before marks existed, or mid-creation) is stale after this. */
const UNMARKED_STALE_MS = 24 * 3600_000;

export class StagingArea {
  private root: Promise<string> | null = null;
  private made: string | null = null;

  constructor(private readonly parent: string = tmpdir()) {}

  /** The staging folder (made on the first call). */
  dir(): Promise<string> {
    return (this.root ??= (async () => {
      const d = await mkdtemp(join(this.parent, STAGING_PREFIX));
      await writeFile(join(d, OWNER_FILE), String(process.pid));
      this.made = d;
      return d;
    })());
  }

  /** Removes the folder with whatever is still staged in it (runs of documents never saved). */
  async dispose(): Promise<void> {
    const pending = this.root;
    this.root = null;
    const d = pending ? await pending.catch(() => null) : null;
    this.made = null;
    if (d) await rm(d, { recursive: true, force: true });
  }

  /** The same, synchronously, for exit paths that cannot wait (Electron's will-quit). */
  disposeSync(): void {
    if (this.made) rmSync(this.made, { recursive: true, force: true });
    this.made = null;
    this.root = null;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** Removes staging folders whose owner process is gone; returns their paths. Never throws. */
export async function sweepStaleStaging(parent: string = tmpdir(), alive: (pid: number) => boolean = pidAlive): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(parent)).filter((n) => n.startsWith(STAGING_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const d = join(parent, name);
    try {
      const pid = Number((await readFile(join(d, OWNER_FILE), 'utf8').catch(() => '')).trim());
      const stale = Number.isInteger(pid) && pid > 0
        ? pid !== process.pid && !alive(pid)
        : Date.now() - (await stat(d)).mtimeMs > UNMARKED_STALE_MS;
      if (!stale) continue;
      await rm(d, { recursive: true, force: true });
      removed.push(d);
    } catch {
      /* another process's folder, or gone already: leave it */
    }
  }
  return removed;
}
