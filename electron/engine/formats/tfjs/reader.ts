/**
 * TF.js weights read back: a `model.json`'s weights manifest decoded from the weight files beside
 * it, by weight name (`<layer>/<weight>`) in manifest order.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { confineToProcessFolder } from '../../../node/confine';
import { basename, dirname, join } from 'node:path';
import type { HostTensor } from '../../../../shared/formats/tensor';
import { tf } from '../../tfjs';

/** The weight files a manifest names, resolved against `dir`, and those that are not there. */
export function manifestFiles(manifest: tf.io.WeightsManifestConfig, dir: string): { files: string[]; missing: string[] } {
  const files = manifest.flatMap((g) => g.paths.map((p) => join(dir, p)));
  return { files, missing: files.filter((f) => !existsSync(f)) };
}

/** Decode every weight of a manifest from its files (all present). */
export async function decodeManifest(manifest: tf.io.WeightsManifestConfig, files: string[]): Promise<[string, HostTensor][]> {
  // Web mode confines the engine to the project folder: a weight file linked from outside is refused.
  const all = Buffer.concat(await Promise.all(files.map((f) => readFile(confineToProcessFolder(f)))));
  const specs = manifest.flatMap((g) => g.weights);
  const named = tf.io.decodeWeights(all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer, specs);
  const out: [string, HostTensor][] = [];
  for (const s of specs) {
    const t = named[s.name]!;
    out.push([s.name, { shape: [...t.shape], data: new Float32Array(t.dataSync()) }]);
    t.dispose();
  }
  return out;
}

/** TF.js weights of a `model.json` (its manifest's files, beside it); throws naming what is missing. */
export async function readTfjsWeightFiles(path: string): Promise<[string, HostTensor][]> {
  const json = JSON.parse(await readFile(path, 'utf8')) as { weightsManifest?: tf.io.WeightsManifestConfig };
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error(`${basename(path)} has no weightsManifest: it is not a TF.js model.json with weights`);
  const { files, missing } = manifestFiles(manifest, dirname(path));
  if (missing.length) throw new Error(`${missing.map((m) => basename(m)).join(', ')} not found next to ${basename(path)}`);
  return decodeManifest(manifest, files);
}
