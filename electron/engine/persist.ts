/**
 * Trained runs on disk: one folder per run (see docs/engine.md), by default `<model>.runs/<runId>/`
 * beside the document:
 *
 *   model.json    TF.js "layers-model" artifacts (topology + weightsManifest → weights.bin); the
 *                 custom layers (MultiHeadAttention, ...) are registered under their class names.
 *   weights.bin   every weight, float32 little-endian, in the manifest's order (names `<layer>/<weight>`).
 *   run.json      the RunRecord: document snapshot, hyper-parameters, seed, data normalisation,
 *                 classes, curves (history), final logs, backend.
 *
 * Every file is written to a temporary name and renamed into place (atomic on one file system).
 * Loading needs no tfjs-node: the weights are decoded with tf.io.decodeWeights.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { DocumentSchema } from '../../shared/document';
import { compileModel } from './compile';
import type { LossSpec } from './losses';
import { registerRun, type TrainedRun } from './runs';
import { tf } from './tfjs';
import type { RunRecord } from './types';

export const RUN_FILES = { model: 'model.json', weights: 'weights.bin', record: 'run.json' } as const;

/** Where runs of a document live by default: `<dir>/<name>.runs/`. */
export function runsDirFor(documentPath: string): string {
  return join(dirname(documentPath), `${basename(documentPath, extname(documentPath))}.runs`);
}

async function atomicWrite(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

function joinBuffers(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const out = new Uint8Array(data.reduce((a, b) => a + b.byteLength, 0));
  let o = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out;
}

/** Write a trained run into `dir` (created if needed). Returns the folder. */
export async function saveRun(run: TrainedRun, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  let artifacts: tf.io.ModelArtifacts | null = null;
  await run.compiled.model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  const modelJson = {
    format: 'layers-model',
    generatedBy: `Layerloom (TensorFlow.js ${tf.version_core})`,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [RUN_FILES.weights], weights: a.weightSpecs }],
  };
  await atomicWrite(join(dir, RUN_FILES.weights), joinBuffers(a.weightData as ArrayBuffer | ArrayBuffer[]));
  await atomicWrite(join(dir, RUN_FILES.model), JSON.stringify(modelJson));
  await atomicWrite(join(dir, RUN_FILES.record), JSON.stringify(run.record, null, 1));
  return dir;
}

/**
 * Load a run folder: rebuilds the model from the document snapshot, sets its trained weights and
 * registers the run (for evaluate/predict). Returns the record.
 */
export async function loadRun(dir: string, runId?: string): Promise<RunRecord> {
  const record = JSON.parse(await readFile(join(dir, RUN_FILES.record), 'utf8')) as RunRecord;
  if (record?.format !== 'layerloom.run') throw new Error(`${join(dir, RUN_FILES.record)} is not a Layerloom run record`);
  // The file is data from disk: validate the document snapshot like any opened document.
  const snapshot = DocumentSchema.safeParse(record.doc);
  if (!snapshot.success) throw new Error(`${join(dir, RUN_FILES.record)} holds an invalid model snapshot: ${snapshot.error.issues[0]?.message ?? 'unknown problem'}`);
  record.doc = snapshot.data;
  const modelJson = JSON.parse(await readFile(join(dir, RUN_FILES.model), 'utf8'));
  const specs = (modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[]).flatMap((g) => g.weights);
  const bin = await readFile(join(dir, RUN_FILES.weights));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const compiled = compileModel(record.doc, { seed: record.seed });
  const named = tf.io.decodeWeights(buffer as ArrayBuffer, specs);
  try {
    compiled.model.loadWeights(named, true);
  } catch (e) {
    compiled.model.dispose();
    throw new Error(`The weights in ${dir} do not fit the model snapshot: ${(e as Error).message}`);
  } finally {
    tf.dispose(Object.values(named));
  }
  const id = runId ?? record.runId;
  registerRun({
    runId: id, compiled, spec: record.lossSpec as LossSpec, record: { ...record, runId: id },
    normalization: record.normalization as TrainedRun['normalization'],
  });
  return record;
}

/** A saved run's record, read without loading its weights (run history lists). */
export interface SavedRun {
  runDir: string;
  record: RunRecord;
}

/**
 * Every run folder under `runsDir` (e.g. `runsDirFor(docPath)`), newest first. Folders without a
 * readable run.json are skipped; a missing `runsDir` gives an empty list.
 */
export async function listSavedRuns(runsDir: string): Promise<SavedRun[]> {
  let names: string[];
  try {
    names = (await readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const out: SavedRun[] = [];
  for (const name of names) {
    const runDir = join(runsDir, name);
    try {
      const record = JSON.parse(await readFile(join(runDir, RUN_FILES.record), 'utf8')) as RunRecord;
      if (record?.format === 'layerloom.run') out.push({ runDir, record });
    } catch {
      // not a run folder (or one being written): skip
    }
  }
  return out.sort((a, b) => b.record.createdAt.localeCompare(a.record.createdAt));
}
