/**
 * The crash-recovery copy of the open document (`recovery.read/write`): one JSON file beside the
 * settings (Electron: `<userData>/recovery.json`; web mode: `<project>/.layerloom/recovery.json`).
 * Written atomically and one write at a time, so a crash mid-write leaves the previous copy; a
 * damaged file reads as "no copy" (and is left for a person to inspect).
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RecoverySchema, type RecoveryCopy } from '../../shared/ipc/contract';
import { writeFileAtomic } from '../node/atomic';

export class RecoveryStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string, private readonly log: (msg: string) => void = () => undefined) {}

  async read(): Promise<RecoveryCopy | null> {
    await this.queue;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return null;
    }
    const r = RecoverySchema.safeParse((() => { try { return JSON.parse(text); } catch { return null; } })());
    if (!r.success) this.log(`recovery: ${this.file} is not a recovery copy; ignored`);
    return r.success ? r.data : null;
  }

  async write(copy: RecoveryCopy | null): Promise<void> {
    const job = this.queue.then(async () => {
      if (!copy) return rm(this.file, { force: true });
      await mkdir(dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify(copy));
    });
    this.queue = job.catch(() => undefined);
    await job;
  }
}
