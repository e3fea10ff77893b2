/**
 * What a model file is, read from its first bytes rather than its name: people save Keras 2 HDF5
 * files as `.keras`, TF.js shards without `.bin`, topologies as `.txt`.
 */
import { open } from 'node:fs/promises';

export type FileKind = 'hdf5' | 'zip' | 'text';

const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** HDF5 (the signature at 0 or after a user block of 512·2^k bytes), a zip archive, or anything else (read as text). */
export async function fileKind(path: string): Promise<FileKind> {
  const f = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const at = async (pos: number) => (await f.read(head, 0, 8, pos)).bytesRead === 8 && HDF5.every((b, i) => head[i] === b);
    if (await at(0)) return 'hdf5';
    if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip';
    const { size } = await f.stat();
    for (let pos = 512; pos + 8 <= size && pos <= 1 << 20; pos *= 2) if (await at(pos)) return 'hdf5';
    return 'text';
  } finally {
    await f.close();
  }
}
