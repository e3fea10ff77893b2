/**
 * Imported-weights runs of documents not saved yet: run id → its run folder in the staging folder
 * (outside the project). They move beside the document once it is saved (runs.persistImported,
 * runs.persist).
 */
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StagingArea } from '../staging';

export class StagedRuns {
  private readonly runs = new Map<string, string>();

  constructor(private readonly area: StagingArea) {}

  /** The staging folder a new run would use (not yet registered). */
  async dirFor(runId: string): Promise<string> {
    return join(await this.area.dir(), runId);
  }

  /** Register `runId` as staged, in its staging folder (or `dir`); returns the folder. */
  async add(runId: string, dir?: string): Promise<string> {
    const d = dir ?? (await this.dirFor(runId));
    this.runs.set(runId, d);
    return d;
  }

  get(runId: string): string | undefined {
    return this.runs.get(runId);
  }

  forget(runId: string): void {
    this.runs.delete(runId);
  }

  /** Copy a staged run to `to`; the staged copy stays until `release` (a failure loses nothing). */
  async copyTo(runId: string, to: string): Promise<boolean> {
    const from = this.runs.get(runId);
    if (!from) return false;
    await cp(from, to, { recursive: true });
    return true;
  }

  /** Forget a staged run and remove its staging folder. */
  async release(runId: string): Promise<void> {
    const from = this.runs.get(runId);
    if (!from) return;
    this.runs.delete(runId);
    await rm(from, { recursive: true, force: true });
  }
}
