/** Where the bundled datasets live (assets/datasets), from source, tests, the CLI or a packaged app. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/** Override the folder (e.g. the packaged app's resources). */
export function setDatasetsDir(dir: string): void {
  cached = dir;
}

/** The assets/datasets folder. LAYERLOOM_DATASETS_DIR overrides it. */
export function datasetsDir(): string {
  if (cached) return cached;
  const env = process.env.LAYERLOOM_DATASETS_DIR;
  const candidates: string[] = [];
  if (env) candidates.push(env);
  try {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 6; i++) {
      candidates.push(join(dir, 'assets', 'datasets'));
      dir = dirname(dir);
    }
  } catch {
    // not an ES module (bundled CJS): fall through
  }
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) candidates.push(join(resources, 'assets', 'datasets'));
  candidates.push(resolve('assets', 'datasets'));
  const found = candidates.find((c) => existsSync(join(c, 'LICENSES.md')));
  cached = found ?? candidates[0]!;
  return cached;
}
