/**
 * Open a model made elsewhere as a Layerloom document, with its weights when they are there:
 * - a TF.js `model.json` (weights from the weight files its manifest names, next to it);
 * - a Keras JSON topology (`model.to_json()`), with `<name>.weights.h5`, `model.weights.h5` or the
 *   folder's only `.weights.h5` next to it read in the Keras 3 layout;
 * - a Keras 3 `.keras` archive (config.json + model.weights.h5);
 * - a Keras 2 whole-model `.h5` (`model.save('m.h5')`: `model_config` + `model_weights`).
 * Reads the files and decodes weights here; the mapping itself is shared/import.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { confineToProcessFolder } from '../../node/confine';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import h5wasm from 'h5wasm/node';
import { tf } from '../tfjs';
import { importTopology, type ImportResult } from '../../../shared/import';
import { kerasWeightsLayout } from '../../../shared/export/keras';
import type { HostTensor, NodeWeights } from '../../../shared/export/tensor';
import type { LoomDocument } from '../../../shared/document';
import { compileModel } from '../compile';
import { readKeras2File } from './keras2-h5';
import { nodeWeights } from './weights';

/** Entries of a zip archive (stored or deflated), by name. */
export function readZip(buf: Uint8Array): Map<string, Uint8Array> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let eocd = buf.length - 22;
  while (eocd >= 0 && dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip archive');
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const method = dv.getUint16(p + 10, true);
    const size = dv.getUint32(p + 20, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(buf.subarray(p + 46, p + 46 + nameLen));
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    const raw = buf.subarray(start, start + size);
    out.set(name, method === 0 ? raw : new Uint8Array(inflateRawSync(raw)));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Weights of an imported document from a Keras 3 `.weights.h5` (by node id, TF.js order). */
export async function readKerasWeights(doc: LoomDocument, h5Path: string): Promise<NodeWeights> {
  const compiled = compileModel(doc);
  let shapes: NodeWeights;
  try {
    shapes = nodeWeights(compiled);
  } finally {
    compiled.model.dispose();
  }
  const owner = new Map<HostTensor, [string, number]>();
  for (const [id, ws] of Object.entries(shapes)) ws.forEach((t, i) => owner.set(t, [id, i]));
  const layout = kerasWeightsLayout(doc, shapes);
  await h5wasm.ready;
  const f = new h5wasm.File(h5Path, 'r');
  const out: NodeWeights = Object.fromEntries(Object.entries(shapes).map(([id, ws]) => [id, new Array<HostTensor>(ws.length)]));
  try {
    for (const [path, t] of layout.datasets) {
      const [id, i] = owner.get(t)!;
      if (out[id]![i]) continue; // MultiHeadAttention: the first of its two paths that exists wins
      const ds = f.get(path) as InstanceType<typeof h5wasm.Dataset> | null;
      if (!ds) continue;
      const shape = ds.shape ?? [];
      if (shape.join() !== t.shape.join()) throw new Error(`${path}: shape [${shape}] in the file, [${t.shape}] expected`);
      out[id]![i] = { shape: [...t.shape], data: Float32Array.from(ds.value as ArrayLike<number>) };
    }
  } finally {
    f.close();
  }
  const missing = Object.entries(out).flatMap(([id, ws]) => (ws.some((w) => !w) || ws.length !== shapes[id]!.length ? [id] : []));
  if (missing.length) throw new Error(`weights missing in ${basename(h5Path)} for: ${missing.join(', ')}`);
  return out;
}

async function withKerasWeights(r: ImportResult, h5Path: string | null, h5Label: string): Promise<ImportResult> {
  if (!r.ok || !h5Path) return r;
  // Keras 3 files place weights by class and position: with placeholders the layout is unknown.
  if (r.placeholders.length) return { ...r, weights: null, warnings: [...r.warnings, `the weights in ${h5Label} were not read: replace the unsupported layers, then load them with File › Load Weights…`] };
  try {
    return { ...r, weights: await readKerasWeights(r.doc, h5Path) };
  } catch (e) {
    return { ...r, weights: null, warnings: [...r.warnings, `weights not loaded from ${h5Label}: ${(e as Error).message}`] };
  }
}

export async function importModelFile(path: string): Promise<ImportResult> {
  if (path.toLowerCase().endsWith('.keras')) return importKerasArchive(path);
  if (/\.(h5|hdf5)$/i.test(path)) {
    // A Keras 2 whole-model file (`model.save('m.h5')`) has its topology; a weights file does not.
    let k2: Awaited<ReturnType<typeof readKeras2File>> = null;
    try {
      k2 = await readKeras2File(path);
    } catch (e) {
      return { ok: false, message: `${basename(path)}: not a readable HDF5 file (${(e as Error).message})`, problems: [] };
    }
    if (!k2?.modelConfig) {
      return { ok: false, message: `${basename(path)} holds weights only (no layers): open or build the model first, then use File › Load Weights… to load them into it`, problems: [] };
    }
    return importTopology(k2.modelConfig, { weights: k2.weights, name: basename(path).replace(/(\.weights)?\.(h5|hdf5)$/i, '') });
  }
  let json: Record<string, any>;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    return { ok: false, message: `${path}: not a readable JSON file (${(e as Error).message})`, problems: [] };
  }
  const dir = dirname(path);
  const stem = basename(path).replace(/\.json$/i, '');
  const name = json.modelTopology?.config?.name ?? json.config?.name ?? (stem === 'model' ? basename(dir) : stem);
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig | undefined;
  if (!Array.isArray(manifest)) {
    // A Keras topology: weights from a .weights.h5 beside it, when there is one.
    const r = importTopology(json, { name });
    // Else the folder's only .weights.h5 (a browser upload keeps the picked files in one folder).
    const only = (await readdir(dir).catch(() => [] as string[])).filter((f) => /\.weights\.h5$/i.test(f));
    const h5 = [join(dir, `${stem}.weights.h5`), join(dir, 'model.weights.h5')].find((p) => existsSync(p)) ?? (only.length === 1 ? join(dir, only[0]!) : null);
    return withKerasWeights(r, h5 && confineToProcessFolder(h5), h5 ? basename(h5) : '');
  }
  let weights: [string, HostTensor][] | undefined;
  const warnings: string[] = [];
  const files = manifest.flatMap((g) => g.paths.map((p) => join(dir, p)));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    warnings.push(`weights not loaded: ${missing.map((m) => basename(m)).join(', ')} not found next to ${basename(path)}`);
  } else {
    weights = [];
    const all = Buffer.concat(await Promise.all(files.map((f) => readFile(confineToProcessFolder(f)))));
    const specs = manifest.flatMap((g) => g.weights);
    const named = tf.io.decodeWeights(all.buffer.slice(all.byteOffset, all.byteOffset + all.length), specs);
    for (const s of specs) {
      const t = named[s.name]!;
      weights.push([s.name, { shape: [...t.shape], data: new Float32Array(t.dataSync()) }]);
      t.dispose();
    }
  }
  const r = importTopology(json, { weights, name });
  return r.ok ? { ...r, warnings: [...warnings, ...r.warnings] } : r;
}

async function importKerasArchive(path: string): Promise<ImportResult> {
  let entries: Map<string, Uint8Array>;
  try {
    entries = readZip(new Uint8Array(await readFile(path)));
  } catch (e) {
    return { ok: false, message: `${path}: not a readable .keras archive (${(e as Error).message})`, problems: [] };
  }
  const config = entries.get('config.json');
  if (!config) return { ok: false, message: `${path}: the archive has no config.json`, problems: [] };
  const r = importTopology(JSON.parse(new TextDecoder().decode(config)), { name: basename(path).replace(/\.keras$/i, '') });
  const h5 = entries.get('model.weights.h5');
  if (!r.ok || !h5) return r;
  const tmp = await mkdtemp(join(tmpdir(), 'layerloom-keras-'));
  try {
    const file = join(tmp, 'model.weights.h5');
    await writeFile(file, h5);
    return await withKerasWeights(r, file, 'model.weights.h5');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Save imported weights as a weights folder (TF.js `model.json` + `weights.bin`, the format of run
 * folders): `exportModel({ weightsDir })` and the engine can use them. Returns the folder.
 */
export async function saveImportedWeights(doc: LoomDocument, weights: NodeWeights, dir: string): Promise<string> {
  const { writeTfjs } = await import('./tfjs');
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
