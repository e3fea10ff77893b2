/**
 * Open a TF.js `model.json` (with its weight files when present) or a Keras JSON topology as a
 * Layerloom document: reads the files, decodes the weights, and hands over to shared/import.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { tf } from '../tfjs';
import { importTopology, type ImportResult } from '../../../shared/import';
import type { HostTensor } from '../../../shared/export/tensor';

export async function importModelFile(path: string): Promise<ImportResult> {
  let json: Record<string, any>;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    return { ok: false, message: `${path}: not a readable JSON file (${(e as Error).message})`, problems: [] };
  }
  let weights: [string, HostTensor][] | undefined;
  const warnings: string[] = [];
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig | undefined;
  if (Array.isArray(manifest)) {
    const dir = dirname(path);
    const files = manifest.flatMap((g) => g.paths.map((p) => join(dir, p)));
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length) {
      warnings.push(`weights not loaded: ${missing.map((m) => basename(m)).join(', ')} not found next to ${basename(path)}`);
    } else {
      weights = [];
      const bufs = await Promise.all(files.map((f) => readFile(f)));
      const all = Buffer.concat(bufs);
      const specs = manifest.flatMap((g) => g.weights);
      const named = tf.io.decodeWeights(all.buffer.slice(all.byteOffset, all.byteOffset + all.length), specs);
      for (const s of specs) {
        const t = named[s.name]!;
        weights!.push([s.name, { shape: [...t.shape], data: new Float32Array(t.dataSync()) }]);
        t.dispose();
      }
    }
  }
  const name = basename(path).replace(/\.json$/i, '') === 'model' ? basename(dirname(path)) : basename(path).replace(/\.json$/i, '');
  const r = importTopology(json, { weights, name: json.modelTopology?.config?.name ?? name });
  return r.ok ? { ...r, warnings: [...warnings, ...r.warnings] } : r;
}
