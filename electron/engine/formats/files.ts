import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../node/atomic';

/** Write a file atomically (temp + fsync + rename), creating folders; returns the path. */
export async function writeOut(dir: string, name: string, data: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, data);
  return path;
}
