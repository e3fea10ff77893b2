/**
 * Keras files read back: a Keras 3 `.weights.h5` in the layout of shared/formats/keras
 * (weights-layout.ts, the same layout the writer fills), a `.keras` archive (config.json +
 * model.weights.h5), and the weights of an imported topology found beside it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import h5wasm from 'h5wasm/node';
import type { LoomDocument } from '../../../../shared/document';
import { kerasWeightsLayout } from '../../../../shared/formats/keras/weights-layout';
import { importTopology, type ImportOptions, type ImportResult } from '../../../../shared/formats/keras/read-topology';
import type { HostTensor, NodeWeights } from '../../../../shared/formats/tensor';
import { compileModel } from '../../compile';
import { nodeWeights } from '../weights';
import { readZip } from '../zip';

type Dataset = InstanceType<typeof h5wasm.Dataset>;

/** The dataset at `path` of an open file, or null. */
export function datasetAt(f: InstanceType<typeof h5wasm.File>, path: string): Dataset | null {
  const ds = f.get(path) as Dataset | null;
  return ds && 'shape' in ds ? ds : null;
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
  await h5wasm.ready;
  const f = new h5wasm.File(h5Path, 'r');
  const out: NodeWeights = Object.fromEntries(Object.entries(shapes).map(([id, ws]) => [id, new Array<HostTensor>(ws.length)]));
  try {
    for (const slot of kerasWeightsLayout(doc).slots) {
      const t = shapes[slot.nodeId]?.[slot.index];
      if (!t) continue;
      // MultiHeadAttention: the first of its paths that exists wins.
      const [path, ds] = slot.paths.map((p) => [p, datasetAt(f, p)] as const).find(([, d]) => d) ?? [];
      if (!path || !ds) continue;
      const shape = ds.shape ?? [];
      if (shape.join() !== t.shape.join()) throw new Error(`${path}: shape [${shape}] in the file, [${t.shape}] expected`);
      out[slot.nodeId]![slot.index] = { shape: [...t.shape], data: Float32Array.from(ds.value as ArrayLike<number>) };
    }
  } finally {
    f.close();
  }
  const missing = Object.entries(out).flatMap(([id, ws]) => (ws.some((w) => !w) || ws.length !== shapes[id]!.length ? [id] : []));
  if (missing.length) throw new Error(`weights missing in ${basename(h5Path)} for: ${missing.join(', ')}`);
  return out;
}

/** An imported topology with the weights of the `.weights.h5` beside it, when they can be read. */
export async function withKerasWeights(r: ImportResult, h5Path: string | null, h5Label: string): Promise<ImportResult> {
  if (!r.ok || !h5Path) return r;
  // Keras 3 files place weights by class and position: with placeholders the layout is unknown.
  if (r.placeholders.length) return { ...r, weights: null, warnings: [...r.warnings, `the weights in ${h5Label} were not read: replace the unsupported layers, then load them with File › Load Weights…`] };
  try {
    return { ...r, weights: await readKerasWeights(r.doc, h5Path) };
  } catch (e) {
    return { ...r, weights: null, warnings: [...r.warnings, `weights not loaded from ${h5Label}: ${(e as Error).message}`] };
  }
}

/** A Keras 3 `.keras` archive: its config.json as a document, with its model.weights.h5. */
export async function importKerasArchive(path: string, opts: Pick<ImportOptions, 'sequenceLength'> = {}): Promise<ImportResult> {
  let entries: Map<string, Uint8Array>;
  try {
    entries = readZip(new Uint8Array(await readFile(path)));
  } catch (e) {
    return { ok: false, message: `${path}: not a readable .keras archive (${(e as Error).message})`, problems: [] };
  }
  const config = entries.get('config.json');
  if (!config) return { ok: false, message: `${path}: the archive has no config.json`, problems: [] };
  const r = importTopology(JSON.parse(new TextDecoder().decode(config)), { ...opts, name: basename(path).replace(/\.keras$/i, '') });
  if (!r.ok || !entries.has('model.weights.h5')) return r;
  return withEntryFile(entries.get('model.weights.h5')!, (file) => withKerasWeights(r, file, 'model.weights.h5'));
}

/** `use` given the archive entry written to a temporary file (h5wasm reads files), removed afterwards. */
async function withEntryFile<T>(data: Uint8Array, use: (file: string) => Promise<T>): Promise<T> {
  const tmp = await mkdtemp(join(tmpdir(), 'layerloom-keras-'));
  try {
    const file = join(tmp, 'model.weights.h5');
    await writeFile(file, data);
    return await use(file);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** `use` given the model.weights.h5 of the `.keras` archive at `path`; throws naming the file when it has none. */
export async function withArchiveWeights<T>(path: string, label: string, use: (h5: string) => Promise<T>): Promise<T> {
  const h5 = readZip(new Uint8Array(await readFile(path))).get('model.weights.h5');
  if (!h5) throw new Error(`${label}: the archive holds no model.weights.h5`);
  return withEntryFile(h5, use);
}
