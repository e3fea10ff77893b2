/**
 * Trained runs on disk: the engine writes and loads run folders (layout and file names:
 * electron/node/run-folder.ts, docs/engine.md). Every file is written atomically (temp file, fsync,
 * rename), run.json last, so a folder with a record is complete. Loading needs no tfjs-node: the
 * weights are decoded with tf.io.decodeWeights.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { CompressionRecordSchema } from '../../shared/compress/schema';
import { DocumentSchema } from '../../shared/document';
import { simulateInt8 } from './compress/quantize';
import { compileModel } from './compile';
import type { LossSpec } from './losses';
import { registerRun, type TrainedRun } from './runs';
import { tf, tfl } from './tfjs';
import type { RunRecord } from './types';
import { RUN_FILES, readRunRecord, runFile, writeRunFile } from '../node/run-folder';

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

/** The model's artifacts (topology, weight specs and data), as TF.js saves them. */
async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  const saved: { artifacts?: tf.io.ModelArtifacts } = {};
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved.artifacts = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (!saved.artifacts) throw new Error('TensorFlow.js saved no model artifacts');
  return saved.artifacts;
}

/** Write a trained run into its run folder (created if needed). Returns the folder. */
export async function saveRun(run: TrainedRun, runDir: string): Promise<string> {
  await mkdir(runDir, { recursive: true });
  const a = await artifactsOf(run.compiled.model);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `Layerloom (TensorFlow.js ${tf.version_core})`,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [RUN_FILES.weights], weights: a.weightSpecs }],
  };
  await writeRunFile(runDir, 'weights', joinBuffers(a.weightData ?? []));
  await writeRunFile(runDir, 'model', JSON.stringify(modelJson));
  await writeRunFile(runDir, 'record', run.record);
  return runDir;
}

/**
 * Load a run folder: rebuilds the model from the document snapshot, sets its trained weights and
 * registers the run (for evaluate/predict). Returns the record.
 */
export async function loadRun(runDir: string, runId?: string): Promise<RunRecord> {
  const recordFile = runFile(runDir, 'record');
  const record = (await readRunRecord(runDir)) as RunRecord;
  if (record?.format !== 'layerloom.run') throw new Error(`${recordFile} is not a Layerloom run record`);
  // The file is data from disk: validate the document snapshot like any opened document.
  const snapshot = DocumentSchema.safeParse(record.doc);
  if (!snapshot.success) throw new Error(`${recordFile} holds an invalid model snapshot: ${snapshot.error.issues[0]?.message ?? 'unknown problem'}`);
  record.doc = snapshot.data;
  const modelJson = JSON.parse(await readFile(runFile(runDir, 'model'), 'utf8'));
  const specs = (modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[]).flatMap((g) => g.weights);
  const bin = await readFile(runFile(runDir, 'weights'));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const compiled = compileModel(record.doc, { seed: record.seed });
  const named = tf.io.decodeWeights(buffer as ArrayBuffer, specs);
  try {
    compiled.model.loadWeights(named, true);
  } catch (e) {
    compiled.model.dispose();
    throw new Error(`The weights in ${runDir} do not fit the model snapshot: ${(e as Error).message}`);
  } finally {
    tf.dispose(Object.values(named));
  }
  const id = runId ?? record.runId;
  registerRun({
    runId: id, compiled, spec: record.lossSpec as LossSpec, record: { ...record, runId: id },
    normalization: record.normalization as TrainedRun['normalization'],
    ...int8Forward(record, compiled),
  });
  return record;
}

/** A run compressed to int8 computes through its recorded quantization points (docs/compress.md). */
function int8Forward(record: RunRecord, compiled: TrainedRun['compiled']): Pick<TrainedRun, 'forward'> {
  const compression = CompressionRecordSchema.safeParse(Reflect.get(record, 'compression'));
  const points = compression.success ? compression.data.activations : undefined;
  if (!points?.length) return {};
  const doc = record.doc;
  return { forward: (x) => simulateInt8(compiled, doc, points, [x])[0]! };
}
