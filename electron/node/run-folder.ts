/**
 * The one owner of run folders: where a document's runs live, what a run folder holds, and how its
 * record is read, listed and updated. Plain Node, so the engine (which writes and loads runs), the
 * host (which copies, lists and annotates them) and the CLI share it.
 *
 *   <dir>/<model>.loom
 *   <dir>/<model>.runs/<runId>/model.json       TF.js layers-model artifacts (topology + manifest)
 *                              weights.bin      every weight, float32 little-endian
 *                              run.json         the run record (written last: its presence marks a complete folder)
 *                              evaluation.json  the test evaluation (`layerloom train --out`)
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic';

export { newRunId, RunIdSchema, type RunKind } from '../../shared/engine/run-id';

export const RUN_FILES = { model: 'model.json', weights: 'weights.bin', record: 'run.json', evaluation: 'evaluation.json' } as const;
export type RunFile = keyof typeof RUN_FILES;

const RUNS_SUFFIX = '.runs';

/** Where the runs of a document live: `<dir>/<name>.runs/` (`<name>`: the file name without `.loom`). */
export function runsDirOf(documentPath: string): string {
  return join(dirname(documentPath), `${basename(documentPath).replace(/\.loom$/i, '')}${RUNS_SUFFIX}`);
}

/** The folder of one run of a document: `<dir>/<name>.runs/<runId>/`. */
export function runDirOf(documentPath: string, runId: string): string {
  return join(runsDirOf(documentPath), runId);
}

/** `.runs` folders hold runs, not data (the data panel's file list skips them). */
export const isRunsDirName = (name: string) => name.endsWith(RUNS_SUFFIX);

export function runFile(runDir: string, file: RunFile): string {
  return join(runDir, RUN_FILES[file]);
}

/** A complete run folder: its record is there (written last). */
export function hasRunRecord(runDir: string): boolean {
  return existsSync(runFile(runDir, 'record'));
}

/** The folder holds trained weights (an exporter can read them). */
export function hasRunWeights(runDir: string): boolean {
  return existsSync(runFile(runDir, 'weights'));
}

/** What every run record has, whatever wrote it; the rest passes through. */
export const RunRecordHeadSchema = z.looseObject({ runId: z.string(), createdAt: z.string().optional() });
export type RunRecordHead = z.infer<typeof RunRecordHeadSchema>;

/** The parsed run.json of a run folder (throws when it is missing or not JSON). */
export async function readRunRecord(runDir: string): Promise<unknown> {
  return JSON.parse(await readFile(runFile(runDir, 'record'), 'utf8'));
}

/** Write a run folder's file atomically (temp file, fsync, rename). JSON values are written with one-space indents. */
export async function writeRunFile(runDir: string, file: RunFile, data: string | Uint8Array | object): Promise<void> {
  const bytes = typeof data === 'string' || data instanceof Uint8Array ? data : JSON.stringify(data, null, 1);
  await writeFileAtomic(runFile(runDir, file), bytes);
}

/** Rewrite run.json through `change` (atomically; the rest of the record unchanged). Returns whether it changed. */
export async function updateRunRecord(runDir: string, change: (record: Record<string, unknown>) => Record<string, unknown>): Promise<boolean> {
  const rec = z.record(z.string(), z.unknown()).parse(await readRunRecord(runDir));
  const next = change(rec);
  if (next === rec) return false;
  await writeRunFile(runDir, 'record', next);
  return true;
}

/** The run ids (folder names) under `runsDir` whose folder is complete. */
export async function listRunIds(runsDir: string): Promise<string[]> {
  const names = await readdir(runsDir).catch(() => [] as string[]);
  return names.filter((n) => hasRunRecord(join(runsDir, n)));
}

/**
 * Every run under `runsDir` with a readable record, newest first. Folders without one (not a run,
 * or still being written) are skipped; a missing `runsDir` gives an empty list.
 */
export async function listRunRecords(
  runsDir: string,
  /** Checks each run folder before it is read (web mode: a link out of the project is refused, so skipped). */
  check: (runDir: string) => Promise<string> = async (d) => d,
): Promise<{ runDir: string; record: RunRecordHead }[]> {
  const names = await readdir(runsDir).catch(() => [] as string[]);
  const out: { runDir: string; record: RunRecordHead }[] = [];
  for (const name of names) {
    const runDir = join(runsDir, name);
    const record = RunRecordHeadSchema.safeParse(await check(runDir).then(readRunRecord).catch(() => null));
    if (record.success) out.push({ runDir, record: record.data });
  }
  return out.sort((a, b) => (b.record.createdAt ?? '').localeCompare(a.record.createdAt ?? ''));
}
