/**
 * Open a model made elsewhere as a Layerloom document, with its weights when they are there:
 * - a TF.js `model.json` (weights from the weight files its manifest names, next to it);
 * - a Keras JSON topology (`model.to_json()`), with `<name>.weights.h5`, `model.weights.h5` or the
 *   folder's only `.weights.h5` next to it read in the Keras 3 layout;
 * - a Keras 3 `.keras` archive (config.json + model.weights.h5);
 * - a Keras 2 whole-model `.h5` (`model.save('m.h5')`: `model_config` + `model_weights`).
 * Picks the reader by the file's content, never its name (each format's reader sits in its folder); the mapping of layers
 * itself is shared/formats/keras/read-topology.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { confineToProcessFolder } from '../../node/confine';
import { tf } from '../tfjs';
import { importTopology, type ImportResult } from '../../../shared/formats/keras/read-topology';
import type { HostTensor, NodeWeights } from '../../../shared/formats/tensor';
import type { LoomDocument } from '../../../shared/document';
import { compileModel } from '../compile';
import { readKeras2File } from './keras/keras2-h5';
import { importKerasArchive, withKerasWeights } from './keras/reader';
import { fileKind } from './sniff';
import { decodeManifest, manifestFiles } from './tfjs/reader';

/** How to import: the concrete length of variable-length inputs (`[null, null]`, an Embedding without `input_length`). */
export interface ImportFileOptions {
  sequenceLength?: number;
}

export async function importModelFile(path: string, opts: ImportFileOptions = {}): Promise<ImportResult> {
  const topo = opts.sequenceLength ? { sequenceLength: opts.sequenceLength } : {};
  let kind: Awaited<ReturnType<typeof fileKind>>;
  try {
    kind = await fileKind(path);
  } catch (e) {
    return { ok: false, message: `${basename(path)}: cannot be read (${(e as Error).message})`, problems: [] };
  }
  if (kind === 'zip') return importKerasArchive(path, topo);
  if (kind === 'hdf5') {
    // A Keras 2 whole-model file (`model.save('m.h5')`, also when named .keras) has its topology; a weights file does not.
    let k2: Awaited<ReturnType<typeof readKeras2File>> = null;
    try {
      k2 = await readKeras2File(path);
    } catch (e) {
      return { ok: false, message: `${basename(path)}: not a readable HDF5 file (${(e as Error).message})`, problems: [] };
    }
    if (!k2?.modelConfig) {
      return { ok: false, message: `${basename(path)} holds weights only (no layers): open or build the model first, then use File › Load Weights… to load them into it`, problems: [] };
    }
    return importTopology(k2.modelConfig, { ...topo, weights: k2.weights, name: basename(path).replace(/(\.weights)?\.(h5|hdf5|keras)$/i, '') });
  }
  let json: { modelTopology?: { config?: { name?: unknown } }; config?: { name?: unknown }; weightsManifest?: tf.io.WeightsManifestConfig };
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    return { ok: false, message: `${path}: not a readable JSON file (${(e as Error).message})`, problems: [] };
  }
  const dir = dirname(path);
  const stem = basename(path).replace(/\.json$/i, '');
  const name = String(json.modelTopology?.config?.name ?? json.config?.name ?? (stem === 'model' ? basename(dir) : stem));
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) {
    // A Keras topology: weights from the HDF5 file beside it, when there is one.
    const r = importTopology(json, { ...topo, name });
    const h5 = await weightsBeside(dir, stem);
    if (!h5) return r;
    const safe = confineToProcessFolder(h5);
    // Keras 2 (`save_weights('w.h5')`) names its layers: matched by name, like TF.js weights.
    const k2 = r.ok ? await readKeras2File(safe).catch(() => null) : null;
    if (k2) {
      const w = importTopology(json, { ...topo, name, weights: k2.weights });
      return w.ok ? { ...w, warnings: [...w.warnings, `weights read from ${basename(h5)} (Keras 2 HDF5, by layer name)`] } : w;
    }
    return withKerasWeights(r, safe, basename(h5));
  }
  let weights: [string, HostTensor][] | undefined;
  const warnings: string[] = [];
  const { files, missing } = manifestFiles(manifest, dir);
  if (missing.length) {
    warnings.push(`weights not loaded: ${missing.map((m) => basename(m)).join(', ')} not found next to ${basename(path)}`);
  } else {
    weights = await decodeManifest(manifest, files);
  }
  const r = importTopology(json, { ...topo, weights, name });
  return r.ok ? { ...r, warnings: [...warnings, ...r.warnings] } : r;
}

/**
 * The weights file of a Keras JSON topology in `dir`: `<stem>.weights.h5`, `model.weights.h5`, the
 * folder's only `.weights.h5` (a browser upload keeps the picked files in one folder), else its only
 * other HDF5 file (`.h5`/`.hdf5`, any name: `save_weights('weights.h5')`), checked by content.
 */
async function weightsBeside(dir: string, stem: string): Promise<string | null> {
  const named = [join(dir, `${stem}.weights.h5`), join(dir, 'model.weights.h5')].find((p) => existsSync(p));
  if (named) return named;
  const files = await readdir(dir).catch(() => [] as string[]);
  const weightsH5 = files.filter((f) => /\.weights\.h5$/i.test(f));
  if (weightsH5.length) return weightsH5.length === 1 ? join(dir, weightsH5[0]!) : null;
  const hdf5: string[] = [];
  for (const f of files.filter((x) => /\.(h5|hdf5)$/i.test(x))) {
    if ((await fileKind(join(dir, f)).catch(() => null)) === 'hdf5') hdf5.push(join(dir, f));
  }
  return hdf5.length === 1 ? hdf5[0]! : null;
}

/**
 * Save imported weights as a weights folder (TF.js `model.json` + `weights.bin`, the format of run
 * folders): `exportModel({ weightsDir })` and the engine can use them. Returns the folder.
 */
export async function saveImportedWeights(doc: LoomDocument, weights: NodeWeights, dir: string): Promise<string> {
  const { writeTfjs } = await import('./tfjs/writer');
  const compiled = compileModel(doc);
  try {
    for (const [id, ws] of Object.entries(weights)) {
      if (!ws.length) continue;
      const ts = ws.map((t) => tf.tensor(t.data, t.shape));
      compiled.model.getLayer(compiled.layerNames[id]!).setWeights(ts);
      tf.dispose(ts);
    }
    const files = await writeTfjs(compiled, dir);
    await rm(files[2]!, { force: true }); // predict.js is for exports, not weight folders
    return dir;
  } finally {
    compiled.model.dispose();
  }
}
