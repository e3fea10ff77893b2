import { readFile } from 'node:fs/promises';
import { formatLoadError, parseDocument, type LoomDocument } from '../../shared/document';
import { hasRunRecord, hasRunWeights } from '../node/run-folder';

/** Output sinks, injectable so tests can run commands in-process. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  isTTY: boolean;
  /** Call `listener` on the next Ctrl-C (instead of the process dying) until the returned function is called. */
  onInterrupt?(listener: () => void): () => void;
}

export const processIO: CliIO = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  isTTY: Boolean(process.stdout.isTTY),
  onInterrupt: (listener) => {
    process.once('SIGINT', listener);
    return () => void process.off('SIGINT', listener);
  },
};

/** Read and validate a `.loom` file; on failure prints every problem (naming the field) and returns null. */
export async function readModel(file: string, io: CliIO): Promise<LoomDocument | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a .loom file' : (e as Error).message}`);
    return null;
  }
  const r = parseDocument(text);
  if (!r.ok) {
    io.err(`${file}: invalid model file`);
    for (const e of r.errors) io.err(`  ${formatLoadError(e)}`);
    return null;
  }
  for (const w of r.warnings) io.err(`${file}: warning: ${w}`);
  return r.doc;
}

/**
 * Whether `runDir` is a trained run's folder (its record and weights); when not, says so for
 * `command` and returns false.
 */
export function checkRunFolder(command: string, runDir: string, io: CliIO): boolean {
  if (hasRunRecord(runDir) && hasRunWeights(runDir)) return true;
  io.err(`layerloom ${command}: ${runDir} is not a run folder (no run.json, model.json or weights.bin): pass the folder of layerloom train --out`);
  return false;
}
