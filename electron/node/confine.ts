/**
 * Confinement to one folder (web mode's project folder). Every path the server reads or writes, and
 * every file the engine lists inside a data folder, goes through here: the path is resolved with
 * symlinks followed (realpath; for a path still to be created, its nearest existing ancestor's) and
 * must stay inside the folder, so a link inside the project that points out of it is refused.
 *
 *   const abs = await confine(root, 'models/a.loom');                  // absolute, real, inside
 *   confineSync(root, '/elsewhere/x.png', { mustExist: true });         // throws OutsideFolderError
 *
 * Web mode's engine process is started with CONFINE_ENV naming the project folder; its data loaders
 * call `confineToProcessFolder` on each file they list (a no-op in the desktop app and the CLI).
 */
import { realpathSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** The environment variable that confines an engine process's data reads to a folder. */
export const CONFINE_ENV = 'LAYERLOOM_CONFINE_TO';

export class OutsideFolderError extends Error {
  constructor(readonly path: string, readonly how: 'is' | 'leads') {
    super(`"${path.length > 300 ? `${path.slice(0, 300)}…` : path}" ${how} outside the project folder`);
    this.name = 'OutsideFolderError';
  }
}

export class MissingPathError extends Error {
  constructor(readonly path: string) {
    super(`"${path.length > 300 ? `${path.slice(0, 300)}…` : path}" does not exist in the project folder`);
    this.name = 'MissingPathError';
  }
}

/** Whether the absolute path `abs` is `root` or inside it (lexically). */
export function isInside(root: string, abs: string): boolean {
  const rel = relative(root, abs);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export interface ConfineOptions {
  /** Refuse a path that does not exist (MissingPathError); otherwise its nearest existing ancestor decides. */
  mustExist?: boolean;
}

/**
 * `p` (absolute, or relative to `root`) as a real absolute path inside `root`. `root` must be a real
 * path itself (`realpath` it once). Throws OutsideFolderError or MissingPathError.
 */
export async function confine(root: string, p: string, opts: ConfineOptions = {}): Promise<string> {
  const abs = lexical(root, p);
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    if (opts.mustExist) throw new MissingPathError(p);
    let existing = dirname(abs);
    for (;;) {
      try {
        real = join(await realpath(existing), relative(existing, abs));
        break;
      } catch {
        existing = up(existing, p);
      }
    }
  }
  return checked(root, real, p);
}

/** The synchronous form of `confine` (the engine's data loaders are synchronous). */
export function confineSync(root: string, p: string, opts: ConfineOptions = {}): string {
  const abs = lexical(root, p);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    if (opts.mustExist) throw new MissingPathError(p);
    let existing = dirname(abs);
    for (;;) {
      try {
        real = join(realpathSync(existing), relative(existing, abs));
        break;
      } catch {
        existing = up(existing, p);
      }
    }
  }
  return checked(root, real, p);
}

function lexical(root: string, p: string): string {
  if (p.includes('\0')) throw new OutsideFolderError(p.replaceAll('\0', '\\0'), 'is');
  const abs = resolve(root, p);
  if (!isInside(root, abs)) throw new OutsideFolderError(p, 'is');
  return abs;
}

function up(dir: string, p: string): string {
  const parent = dirname(dir);
  if (parent === dir) throw new MissingPathError(p);
  return parent;
}

function checked(root: string, real: string, p: string): string {
  if (!isInside(root, real)) throw new OutsideFolderError(p, 'leads');
  return real;
}

/**
 * The first symlink under `dir` (searched `depth` folders deep) that leads outside `root`, as a path
 * relative to `dir`; null when there is none. For folders something is about to write into.
 */
export async function findEscapingLink(root: string, dir: string, depth = 4): Promise<string | null> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) {
      try {
        await confine(root, p);
      } catch (err) {
        if (err instanceof OutsideFolderError) return e.name;
      }
    } else if (e.isDirectory() && depth > 0) {
      const inner = await findEscapingLink(root, p, depth - 1);
      if (inner) return `${e.name}/${inner}`;
    }
  }
  return null;
}

let processRoot: string | null | undefined;

/** The folder this process is confined to (CONFINE_ENV, resolved once), or null when it is not. */
export function processConfinement(): string | null {
  if (processRoot === undefined) {
    const dir = process.env[CONFINE_ENV];
    processRoot = dir ? realpathSync(dir) : null;
  }
  return processRoot;
}

/** An existing file the process is about to read, checked against its confinement. Returns `p`. */
export function confineToProcessFolder(p: string): string {
  const root = processConfinement();
  if (root) confineSync(root, p, { mustExist: true });
  return p;
}

/** The environment that confines an engine process to `dir`. */
export function confinementEnv(dir: string): Record<string, string> {
  return { [CONFINE_ENV]: dir };
}
