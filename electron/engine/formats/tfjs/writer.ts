/**
 * TensorFlow.js export: `model.json` + `weights.bin` exactly as `tf.loadLayersModel` reads them
 * (the engine's own model saved through an in-memory IOHandler), optional weight quantization
 * (float16, or uint8 affine min/scale — decoded by tfjs-core's loader), and a small `predict.js`.
 */
import { tf } from '../../tfjs';
import type { CompiledModel } from '../../compile';
import { JS_PREPROCESSING } from '../../../../shared/formats/preprocessing/javascript';
import { PREPROCESSING_FILE } from '../../../../shared/formats/preprocessing/table';
import { writeOut } from '../files';

export type Quantization = 'none' | 'float16' | 'uint8';

export interface TfjsArtifacts {
  modelJson: Record<string, unknown>;
  weightsBin: Uint8Array;
}

/** Serialize a model to TF.js artifacts (no files). */
export async function tfjsArtifacts(model: CompiledModel['model'], quantize: Quantization = 'none'): Promise<TfjsArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save({
    save: async (a: tf.io.ModelArtifacts) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  const a = saved! as tf.io.ModelArtifacts;
  const specs = a.weightSpecs ?? [];
  const raw = a.weightData instanceof ArrayBuffer ? new Uint8Array(a.weightData) : new Uint8Array(tf.io.concatenateArrayBuffers(a.weightData as ArrayBuffer[]));
  const { specs: outSpecs, data } = quantize === 'none' ? { specs, data: raw } : quantizeWeights(specs, raw, quantize);
  const modelJson = {
    format: 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: 'Layerloom',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: outSpecs }],
  };
  return { modelJson, weightsBin: data };
}

/** IEEE half from a float32 (round to nearest even). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let h = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (exp << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  exp = 0;
  return sign | h;
}

function quantizeWeights(specs: tf.io.WeightsManifestEntry[], raw: Uint8Array, q: 'float16' | 'uint8') {
  const out: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const bytes = raw.slice(offset, offset + n * 4);
    offset += n * 4;
    if (s.dtype !== 'float32') {
      out.push(s);
      parts.push(bytes);
      continue;
    }
    const v = new Float32Array(bytes.buffer);
    if (q === 'float16') {
      const h = new Uint16Array(n);
      for (let i = 0; i < n; i++) h[i] = toHalf(v[i]!);
      out.push({ ...s, quantization: { dtype: 'float16' } });
      parts.push(new Uint8Array(h.buffer));
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (const x of v) {
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (!Number.isFinite(min)) min = max = 0;
      const scale = max > min ? (max - min) / 255 : 1;
      const u = new Uint8Array(n);
      for (let i = 0; i < n; i++) u[i] = Math.round((v[i]! - min) / scale);
      out.push({ ...s, quantization: { dtype: 'uint8', min, scale } });
      parts.push(u);
    }
  }
  const data = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    data.set(p, o);
    o += p.length;
  }
  return { specs: out, data };
}

const CUSTOM = ['MultiHeadAttention', 'TransformerEncoder', 'TransformerDecoder', 'PositionalEmbedding', 'Conv1DTranspose'];

export function predictJs(compiled: Pick<CompiledModel, 'inputShapes' | 'inputDtypes' | 'outputIds'>, customLayers: string[]): string {
  const custom = customLayers.length
    ? `\n// This model uses Layerloom's custom layers (${customLayers.join(', ')}): register their classes\n` +
      `// (tf.serialization.registerClass) before loading, or the loader reports an unknown layer.\n`
    : '';
  return `// Run the exported model in Node: npm install @tensorflow/tfjs, then
//   node predict.js rows.csv     raw rows (a CSV as written, or a JSON list of rows) -> one JSON line
//                                {outputs, label} per row, as Layerloom's Try it (needs ${PREPROCESSING_FILE})
//   node predict.js input.json   without ${PREPROCESSING_FILE}: one sample of the model input (nested
//                                arrays of shape ${JSON.stringify(compiled.inputShapes)}, batch excluded)
//   node predict.js              a random sample of the model input; prints the output(s)
// From code: const { loadModel, predictRows, predictFeatures } = require('./predict.js');
// model.predict itself takes the model input: normalised features (see ${PREPROCESSING_FILE}).${custom}
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

const INPUT_SHAPES = ${JSON.stringify(compiled.inputShapes)};
const INPUT_DTYPES = ${JSON.stringify(compiled.inputDtypes)};

// Reads model.json + weights.bin from this folder (plain @tensorflow/tfjs has no file:// loader in Node).
const fileHandler = {
  async load() {
    const json = JSON.parse(fs.readFileSync(path.join(__dirname, 'model.json'), 'utf8'));
    const specs = json.weightsManifest.flatMap((g) => g.weights);
    const data = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(__dirname, p)))));
    return { modelTopology: json.modelTopology, weightSpecs: specs, weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.length) };
  },
};

function loadModel() {
  return tf.loadLayersModel(fileHandler);
}

${JS_PREPROCESSING}
async function main() {
  const model = await loadModel();
  const pre = loadPreprocessing();
  const file = process.argv[2];
  if (pre && file) {
    for (const p of await predictRows(model, readRows(file), pre)) console.log(JSON.stringify(p));
    return;
  }
  const given = file ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
  const xs = INPUT_SHAPES.map((shape, i) => {
    const sample = given ? (INPUT_SHAPES.length === 1 ? given : given[i]) : null;
    const x = sample ? tf.tensor([sample], undefined, INPUT_DTYPES[i]) : tf.randomUniform([1, ...shape]);
    return INPUT_DTYPES[i] === 'int32' && !sample ? tf.zeros([1, ...shape], 'int32') : x;
  });
  const ys = model.predict(xs.length === 1 ? xs[0] : xs);
  for (const y of Array.isArray(ys) ? ys : [ys]) console.log(JSON.stringify(await y.array()));
}

module.exports = { loadModel, loadPreprocessing, encodeRows, normalize, finish, label, predictFeatures, predictRows, readRows, parseCsv };

if (require.main === module) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
`;
}

export async function writeTfjs(compiled: CompiledModel, outDir: string, quantize: Quantization = 'none'): Promise<string[]> {
  const { modelJson, weightsBin } = await tfjsArtifacts(compiled.model, quantize);
  const custom = [...new Set(compiled.model.layers.map((l) => l.getClassName()).filter((c) => CUSTOM.includes(c)))];
  return [
    await writeOut(outDir, 'model.json', JSON.stringify(modelJson)),
    await writeOut(outDir, 'weights.bin', weightsBin),
    await writeOut(outDir, 'predict.js', predictJs(compiled, custom)),
  ];
}
