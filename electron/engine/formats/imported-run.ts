/**
 * Imported weights as a run: a model file's weights (File › Import model) or a weights file loaded
 * into the open document (File › Load weights) become an "Imported weights" run of the document —
 * registered in this engine (evaluate, predict, saliency, export find it by run id) and saved as a
 * run folder (`model.json` + `weights.bin` + `run.json`, docs/engine.md) in the folder the caller
 * names: `<model>.runs/<runId>/` for a saved document, a staging folder for an unsaved one (main
 * copies it beside the model when the document is saved), so an engine restart loses nothing.
 *
 * Weights files are matched to the document's layers here (readWeightsFor): a TF.js `model.json` and
 * a Keras 2 `.h5` by layer name, a Keras 3 `.weights.h5` by the layout Keras 3 itself reads (class +
 * position, `layers/dense_1/vars/0`); all compare every shape. Layers without a match keep their initial
 * weights and are listed; nothing matching at all is an error.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import h5wasm from 'h5wasm/node';
import { trainingDefaults, type LoomDocument } from '../../../shared/document';
import type { EngineResponse } from '../../../shared/engine/api';
import { layerOfWeight } from '../../../shared/formats/keras/read-topology';
import { kerasWeightsLayout } from '../../../shared/formats/keras/weights-layout';
import type { HostTensor, NodeWeights } from '../../../shared/formats/tensor';
import { backendInfo, initBackend } from '../backend';
import { compileModel, layerNameOf, type CompiledModel } from '../compile';
import type { LossSpec } from '../losses';
import { saveRun } from '../persist';
import { registerRun, type TrainedRun } from '../runs';
import { tf } from '../tfjs';
import { resolveLossSpec } from '../train';
import type { RunRecord } from '../types';
import { readKeras2 } from './keras/keras2-h5';
import { datasetAt, withArchiveWeights } from './keras/reader';
import { fileKind } from './sniff';
import { readTfjsWeightFiles } from './tfjs/reader';
import { nodeWeights } from './weights';

/** Where an imported run's weights came from (kept in run.json as `imported`). */
export interface ImportedFrom {
  /** The file's name (`model.json`, `my.weights.h5`). */
  source: string;
  format: 'tfjs' | 'keras';
}

export interface ImportedRunResult {
  record: RunRecord & { imported: ImportedFrom };
  /** Things a person should know (the dataset could not be read for normalisation, ...). */
  warnings: string[];
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** The output node's activation as the document says (classification heads: softmax/sigmoid). */
function outputActivation(doc: LoomDocument, outId: string): string {
  const a = doc.nodes.find((n) => n.id === outId)?.params?.activation;
  return typeof a === 'string' ? a : 'linear';
}

/**
 * Build, register and save an imported-weights run of `doc`. `weights` may cover only some layers
 * (the others keep the document's seeded initial weights). When the document names a dataset, the
 * run normalises inputs and names classes exactly as a training run of that dataset would.
 */
export async function createImportedRun(opts: {
  runId: string;
  doc: LoomDocument;
  weights: NodeWeights;
  from: ImportedFrom;
  /** The run folder to write (required: an imported run is never held in memory only). */
  outDir: string;
  baseDir?: string;
}): Promise<ImportedRunResult> {
  const { runId, doc, weights, from } = opts;
  const cfg = trainingDefaults(doc.training);
  const seed = cfg.seed ?? 0;
  const backend = backendInfo() ?? (await initBackend());
  const compiled = compileModel(doc, { seed });
  const warnings: string[] = [];
  let keep = false;
  try {
    setNodeWeights(compiled, weights);
    const spec: LossSpec = { loss: cfg.loss, mode: 'values', fromLogits: false };
    const record: RunRecord & { imported: ImportedFrom } = {
      format: 'layerloom.run', version: 1, runId, createdAt: new Date().toISOString(), doc,
      training: cfg, seed, lossSpec: { ...spec }, backend,
      history: [], logs: {}, reason: 'completed', epochsCompleted: 0, elapsedSec: 0, imported: from,
    };
    const run: TrainedRun = { runId, compiled, spec, record };
    if (doc.dataset) {
      try {
        await attachDataset(run, doc.dataset, opts.baseDir);
      } catch (e) {
        warnings.push(`The model's dataset could not be used for the imported run (${(e as Error).message}): it predicts on raw inputs and cannot be evaluated until the dataset fits.`);
      }
    }
    await saveRun(run, opts.outDir);
    registerRun(run);
    keep = true;
    return { record, warnings };
  } finally {
    if (!keep) compiled.model.dispose();
  }
}

/**
 * Give an imported run the dataset `dataset` (as a training run of it would have: seeded split,
 * normalisation of the training split, classes, how outputs read): Evaluate can then use it.
 * `outDir`: its run folder, rewritten so a reload keeps the dataset.
 */
export async function attachDataset(run: TrainedRun, dataset: NonNullable<LoomDocument['dataset']>, baseDir?: string, outDir?: string): Promise<void> {
  const { compiled, record } = run;
  if (compiled.inputIds.length !== 1 || compiled.outputIds.length !== 1) throw new Error('a dataset feeds models with exactly one input and one output');
  const cfg = record.training;
  const { prepareData } = await import('../data');
  const p = await prepareData(dataset, { validationSplit: cfg.validationSplit, seed: record.seed, shuffle: cfg.shuffle }, { baseDir, inputShape: compiled.inputShapes[0] });
  const ds = p.dataset;
  const outId = compiled.outputIds[0]!;
  const spec = resolveLossSpec(cfg.loss, ds, compiled.outputShapes[0]!, outId, outputActivation(record.doc, outId));
  Object.assign(run, { spec, normalization: p.normalization, dataset: ds, split: p.split });
  Object.assign(record, {
    doc: { ...record.doc, dataset }, dataset, datasetName: ds.name, task: ds.task, normalization: p.normalization, lossSpec: { ...spec },
    ...(ds.classes && ds.task === 'classification' ? { classes: ds.classes } : {}),
  });
  if (outDir) await saveRun(run, outDir);
}

function setNodeWeights(compiled: CompiledModel, weights: NodeWeights): void {
  for (const [id, ws] of Object.entries(weights)) {
    if (!ws.length) continue;
    const name = compiled.layerNames[id];
    if (!name) throw new Error(`the weights name a layer "${id}" that the model does not have`);
    const ts = ws.map((t) => tf.tensor(t.data, t.shape));
    try {
      compiled.model.getLayer(name).setWeights(ts);
    } finally {
      tf.dispose(ts);
    }
  }
}

// ── Weights files matched to a document ──────────────────────────────────────────────────────

/** One layer of the document that got no weights from the file, and why (naming both shapes). */
export interface WeightProblem {
  layer: string;
  reason: string;
}

export interface WeightsMatch {
  format: ImportedFrom['format'];
  /** Weights of the matched layers (by node id, TF.js order). */
  weights: NodeWeights;
  matched: string[];
  problems: WeightProblem[];
  /** Weights in the file that no layer took. */
  unused: string[];
}

/** The document's weighted layers and their weight shapes (seeded initial values, unused). */
function expectedWeights(doc: LoomDocument): { shapes: NodeWeights; names: Record<string, string> } {
  const compiled = compileModel(doc);
  try {
    const shapes = Object.fromEntries(Object.entries(nodeWeights(compiled)).filter(([, ws]) => ws.length > 0));
    return { shapes, names: { ...compiled.layerNames } };
  } finally {
    compiled.model.dispose();
  }
}

function matchTfjs(shapes: NodeWeights, names: Record<string, string>, file: [string, HostTensor][], source: string): WeightsMatch {
  const byLayer = new Map<string, HostTensor[]>();
  const weightNames = new Map<string, string[]>();
  const layerNames = new Set(Object.keys(shapes).flatMap((id) => [names[id], id, layerNameOf(id)].filter((n): n is string => !!n)));
  for (const [name, t] of file) {
    const layer = layerOfWeight(name, layerNames) ?? name.split('/')[0]!;
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), t]);
    weightNames.set(layer, [...(weightNames.get(layer) ?? []), name]);
  }
  const used = new Set<string>();
  const out: WeightsMatch = { format: 'tfjs', weights: {}, matched: [], problems: [], unused: [] };
  for (const [id, want] of Object.entries(shapes)) {
    const layer = [names[id], id, layerNameOf(id)].find((n) => n && byLayer.has(n));
    if (!layer) {
      out.problems.push({ layer: id, reason: `no layer named "${names[id] ?? id}" in ${source}; expects ${want.map((t) => shapeText(t.shape)).join(' + ')}` });
      continue;
    }
    used.add(layer);
    const got = byLayer.get(layer)!;
    const bad = got.length !== want.length || got.some((t, i) => shapeText(t.shape) !== shapeText(want[i]!.shape));
    if (bad) {
      out.problems.push({ layer: id, reason: `shape mismatch: ${source} has ${got.map((t) => shapeText(t.shape)).join(' + ')}, the model expects ${want.map((t) => shapeText(t.shape)).join(' + ')}` });
      continue;
    }
    out.weights[id] = got;
    out.matched.push(id);
  }
  out.unused = [...byLayer.keys()].filter((l) => !used.has(l)).flatMap((l) => weightNames.get(l)!);
  return out;
}

async function matchKeras(doc: LoomDocument, shapes: NodeWeights, names: Record<string, string>, h5Path: string, source: string): Promise<WeightsMatch> {
  const pathsOf = new Map<string, string[][]>(); // node id → per weight, candidate paths
  for (const slot of kerasWeightsLayout(doc).slots) {
    const want = shapes[slot.nodeId];
    if (!want) continue;
    const per = pathsOf.get(slot.nodeId) ?? want.map(() => [] as string[]);
    per[slot.index] = slot.paths;
    pathsOf.set(slot.nodeId, per);
  }
  await h5wasm.ready;
  let f: InstanceType<typeof h5wasm.File>;
  try {
    f = new h5wasm.File(h5Path, 'r');
  } catch (e) {
    throw new Error(`${source} is not a readable HDF5 file (${(e as Error).message})`);
  }
  const out: WeightsMatch = { format: 'keras', weights: {}, matched: [], problems: [], unused: [] };
  try {
    // Keras 2 files name their layers: matched by name, like TF.js weights.
    const k2 = readKeras2(f);
    if (k2) return { ...matchTfjs(shapes, names, k2.weights, source), format: 'keras' };
    const layers = f.get('layers') as InstanceType<typeof h5wasm.Group> | null;
    if (!layers || typeof (layers as { keys?: unknown }).keys !== 'function') {
      throw new Error(`${source} is not a Keras weights file (neither Keras 3's "layers" group nor Keras 2's "layer_names")`);
    }
    const usedGroups = new Set<string>();
    for (const [id, want] of Object.entries(shapes)) {
      const per = pathsOf.get(id) ?? [];
      const got: HostTensor[] = [];
      const found: string[] = [];
      const wrong: string[] = [];
      want.forEach((t, i) => {
        for (const p of per[i] ?? []) {
          const ds = datasetAt(f, p);
          if (!ds) continue;
          const shape = ds.shape ?? [];
          found.push(p);
          if (shapeText(shape) !== shapeText(t.shape)) wrong.push(`${p} is ${shapeText(shape)}, the model expects ${shapeText(t.shape)}`);
          else got[i] = { shape: [...t.shape], data: Float32Array.from(ds.value as ArrayLike<number>) };
          break;
        }
      });
      const group = (per[0]?.[0] ?? '').split('/').slice(0, 2).join('/');
      if (group) usedGroups.add(group.split('/')[1]!);
      if (found.length === 0) {
        out.problems.push({ layer: id, reason: `no weights at ${group || '(no path)'} in ${source} (Keras 3 files name layers by class and position); expects ${want.map((t) => shapeText(t.shape)).join(' + ')}` });
      } else if (wrong.length) {
        out.problems.push({ layer: id, reason: `shape mismatch: ${wrong.join('; ')}` });
      } else if (got.length !== want.length || got.some((g) => !g)) {
        out.problems.push({ layer: id, reason: `${source} has ${found.length} of its ${want.length} weights at ${group}` });
      } else {
        out.weights[id] = got;
        out.matched.push(id);
      }
    }
    for (const k of layers.keys()) {
      if (usedGroups.has(k)) continue;
      const vars = f.get(`layers/${k}/vars`) as InstanceType<typeof h5wasm.Group> | null;
      if (vars && typeof vars.keys === 'function' && vars.keys().length > 0) out.unused.push(`layers/${k}`);
    }
  } finally {
    f.close();
  }
  return out;
}

/**
 * Read a weights file for `doc`: a Keras 3 `.weights.h5` (or `.h5`) or a TF.js `model.json` with
 * its weight files beside it. Every weighted layer of the document is either matched (same layer,
 * same shapes) or listed in `problems`; throws when the file is unreadable or nothing matches.
 */
export async function readWeightsFor(doc: LoomDocument, path: string, label = basename(path)): Promise<WeightsMatch> {
  const { shapes, names } = expectedWeights(doc);
  if (Object.keys(shapes).length === 0) throw new Error('the model has no layers with weights to load');
  // By content, not by name: Keras 2 HDF5 files are often saved as `.keras`.
  const kind = await fileKind(path);
  let m: WeightsMatch;
  if (kind === 'hdf5') m = await matchKeras(doc, shapes, names, path, label);
  else if (kind === 'zip') m = await withArchiveWeights(path, label, (h5) => matchKeras(doc, shapes, names, h5, label));
  else if (/\.json$/i.test(path) || (await readFile(path, 'utf8').catch(() => '')).trimStart().startsWith('{')) m = matchTfjs(shapes, names, await readTfjsWeightFiles(path), label);
  else throw new Error(`${label}: weights are read from a Keras .weights.h5 / .h5 / .keras file or a TF.js model.json (with its .bin files)`);
  if (m.matched.length === 0) {
    const list = m.problems.map((p) => `  ${p.layer}: ${p.reason}`).join('\n');
    throw Object.assign(new Error(`No layer of the model matches the weights in ${label}:\n${list}`), { problems: m.problems });
  }
  return m;
}

/** The weighted layers of `doc` that `weights` does not fill completely (missing, count or shape), with why. */
export function incompleteWeights(doc: LoomDocument, weights: NodeWeights): WeightProblem[] {
  const { shapes } = expectedWeights(doc);
  const out: WeightProblem[] = [];
  for (const [id, want] of Object.entries(shapes)) {
    const got = weights[id] ?? [];
    const expects = want.map((t) => shapeText(t.shape)).join(' + ');
    if (got.length === 0) out.push({ layer: id, reason: `no weights in the file; expects ${expects}` });
    else if (got.length !== want.length || got.some((t, i) => shapeText(t.shape) !== shapeText(want[i]!.shape))) {
      out.push({ layer: id, reason: `the file has ${got.map((t) => shapeText(t.shape)).join(' + ')}, the layer expects ${expects}` });
    }
  }
  return out;
}

// ── What the engine process answers (worker.ts) ──────────────────────────────────────────────

/** The imported run, as the app reports it (plain data). */
export interface ImportedRunInfo {
  runId: string;
  createdAt: string;
  source: string;
}

const info = (r: ImportedRunResult): ImportedRunInfo => ({ runId: r.record.runId, createdAt: r.record.createdAt, source: r.record.imported.source });

/**
 * File › Import model: the document, and when the file brings weights and `runId`/`runDir` are
 * given, an "Imported weights" run of it. Weights that cannot become a run are explained in
 * `weightsNote` (the document still opens).
 */
export async function importModelWithRun(p: { path: string; runId?: string; runDir?: string; baseDir?: string; sequenceLength?: number }): Promise<EngineResponse<'file.importModel'>> {
  const { importModelFile } = await import('./import');
  const r = await importModelFile(p.path, p.sequenceLength ? { sequenceLength: p.sequenceLength } : {});
  if (!r.ok) return r;
  const base = { ok: true as const, doc: r.doc, warnings: r.warnings, weightsFound: !!r.weights, ...(r.placeholders.length ? { placeholders: r.placeholders } : {}) };
  if (!r.weights) return base;
  if (r.placeholders.length) {
    return { ...base, weightsNote: `The weights were not imported: replace the ${r.placeholders.length} unsupported layer${r.placeholders.length > 1 ? 's' : ''} first, then use File › Load Weights… with the same file.` };
  }
  if (!p.runId || !p.runDir) return { ...base, weightsNote: 'The weights were not imported (no place to keep them).' };
  // A run holds the file's weights for every layer, or is not made: initial weights in some layers
  // would predict something the file's model never did.
  const incomplete = incompleteWeights(r.doc, r.weights);
  if (incomplete.length) {
    const list = incomplete.map((w) => `${w.layer} (${w.reason})`).join('; ');
    return { ...base, weightsNote: `The weights were not imported: ${incomplete.length} layer${incomplete.length > 1 ? 's' : ''} did not get ${incomplete.length > 1 ? 'theirs' : 'its'} from ${basename(p.path)}: ${list}.` };
  }
  try {
    const tfjsJson = (await fileKind(p.path)) === 'text' && Array.isArray(JSON.parse(await readFile(p.path, 'utf8')).weightsManifest);
    const from: ImportedFrom = { source: basename(p.path), format: tfjsJson ? 'tfjs' : 'keras' };
    const run = await createImportedRun({ runId: p.runId, doc: r.doc, weights: r.weights, from, outDir: p.runDir, ...(p.baseDir ? { baseDir: p.baseDir } : {}) });
    return { ...base, warnings: [...r.warnings, ...run.warnings], run: info(run) };
  } catch (e) {
    return { ...base, weightsNote: `The weights could not be used: ${(e as Error).message}` };
  }
}

/** File › Load weights: a weights file matched to the open document, as an "Imported weights" run. */
export async function loadWeightsRun(p: { path: string; doc: LoomDocument; runId: string; runDir: string; baseDir?: string }): Promise<EngineResponse<'file.loadWeights'>> {
  let m: WeightsMatch;
  try {
    m = await readWeightsFor(p.doc, p.path);
  } catch (e) {
    const problems = (e as { problems?: WeightProblem[] }).problems ?? [];
    return { ok: false, message: (e as Error).message.split('\n')[0] ?? '', problems };
  }
  const run = await createImportedRun({ runId: p.runId, doc: p.doc, weights: m.weights, from: { source: basename(p.path), format: m.format }, outDir: p.runDir, ...(p.baseDir ? { baseDir: p.baseDir } : {}) });
  return { ok: true, run: info(run), matched: m.matched, problems: m.problems, unused: m.unused, warnings: run.warnings };
}
