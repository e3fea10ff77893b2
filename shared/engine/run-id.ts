/**
 * Run ids: the name of a training (or imported-weights) run in every event, request and run folder
 * (`<model>.runs/<runId>/`). Pure TypeScript, so the renderer (which picks the id of a run it starts,
 * to match its events before the answer arrives), the host and the CLI make them the same way.
 */
import { z } from 'zod';

/** Letters, digits, `.`, `_`, `-`: safe as a folder name on every OS and in a URL. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9._-]+$/;
export const RunIdSchema = z.string().min(1).max(128).regex(RUN_ID_PATTERN, 'a run id is letters, digits, ".", "_" or "-"');

const dir = z.string().min(1).max(4096);

/**
 * A run as the engine is asked about it: held by the engine by id, or loaded from its folder when
 * the engine no longer holds it (after a restart). Places on disk, never the renderer's paths.
 */
export const RunRefSchema = z.strictObject({
  runId: RunIdSchema,
  /** The run folder (`<model>.runs/<runId>/`). */
  runDir: dir.optional(),
  /** The document's folder: relative dataset paths resolve against it. */
  baseDir: dir.optional(),
});
export type RunRef = z.infer<typeof RunRefSchema>;

/** `trained`: a training run; `imported`: weights from a file (File › Import model, Load weights); `compressed`: a compressed copy of a run. */
export type RunKind = 'trained' | 'imported' | 'compressed';

const PREFIX: Record<RunKind, string> = { trained: 'run', imported: 'imported', compressed: 'compressed' };

/** `run-20260101T120000-a1b2c3`: sortable by time, unique by 24 random bits. */
export function newRunId(kind: RunKind = 'trained', now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(3));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${PREFIX[kind]}-${stamp}-${hex}`;
}
