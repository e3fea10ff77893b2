/**
 * TF.js parity: the exported model.json + weights.bin load with tf.loadLayersModel and reproduce the
 * engine's outputs exactly, for every layer example and template. Quantized exports: every weight is
 * within its stated bound (float16: relative 2^-11; uint8: half a step, (max - min) / 510), and the
 * outputs stay within the documented tolerance (float16: 1e-2, uint8: 0.1 max abs on these models).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, tfl } from '../../tfjs';
import { tfjsArtifacts, writeTfjs, type Quantization } from './writer';
import { generateTfjsTopology } from '../../../../shared/formats/tfjs/topology';
import { nodeWeights } from '../weights';
import { allCases, prepare, templateCases, type Prepared } from '../test-cases';

export function dirHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      const bin = readFileSync(join(dir, 'weights.bin'));
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
      };
    },
  };
}

function run(model: tfl.LayersModel, p: Prepared): Float32Array[] {
  return tf.tidy(() => {
    const xs = p.inputs.map((x) => tf.tensor(x.dtype === 'int32' ? Int32Array.from(x.data) : x.data, x.shape, x.dtype));
    const ys = model.predict(xs.length === 1 ? xs[0]! : xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => new Float32Array(y.dataSync()));
  });
}

const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('TF.js export', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-tfjs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loadLayersModel reproduces the engine outputs exactly (every example and template)', async () => {
    const bad: string[] = [];
    for (const c of allCases()) {
      const p = prepare(c);
      const dir = join(root, c.name);
      await writeTfjs(p.compiled, dir);
      p.compiled.model.dispose();
      const loaded = await tfl.loadLayersModel(dirHandler(dir));
      const ys = run(loaded, p);
      loaded.dispose();
      ys.forEach((y, i) => {
        if (maxAbs(y, p.outputs[i]!.data) !== 0) bad.push(`${c.name}: ${maxAbs(y, p.outputs[i]!.data)}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it('the pure-TS model.json topology (shared/formats) loads the engine weights and computes the same outputs', async () => {
    const bad: string[] = [];
    for (const c of allCases()) {
      const p = prepare(c);
      const a = await tfjsArtifacts(p.compiled.model);
      p.compiled.model.dispose();
      const spec = (a.modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[])[0]!.weights;
      const data = a.weightsBin.buffer.slice(a.weightsBin.byteOffset, a.weightsBin.byteOffset + a.weightsBin.byteLength) as ArrayBuffer;
      try {
        const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: generateTfjsTopology(c.doc), weightSpecs: spec, weightData: data }));
        const ys = run(loaded, p);
        loaded.dispose();
        ys.forEach((y, i) => {
          if (maxAbs(y, p.outputs[i]!.data) !== 0) bad.push(`${c.name}: ${maxAbs(y, p.outputs[i]!.data)}`);
        });
      } catch (e) {
        bad.push(`${c.name}: ${(e as Error).message.slice(0, 200)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('predict.js runs in Node and prints the model output for a given input', async () => {
    const c = templateCases().find((x) => x.name === 'template-logistic-regression')!;
    const p = prepare(c, 1);
    const dir = join(root, 'predict');
    await writeTfjs(p.compiled, dir);
    p.compiled.model.dispose();
    // Users install @tensorflow/tfjs; here a stand-in package re-exports the same tfjs-core/-layers/-backend-cpu.
    const shim = join(root, 'shim', 'node_modules', '@tensorflow', 'tfjs');
    mkdirSync(shim, { recursive: true });
    writeFileSync(join(shim, 'index.js'), "require('@tensorflow/tfjs-backend-cpu');\nmodule.exports = { ...require('@tensorflow/tfjs-core'), ...require('@tensorflow/tfjs-layers') };\n");
    writeFileSync(join(dir, 'input.json'), JSON.stringify(Array.from(p.inputs[0]!.data)));
    const out = execFileSync(process.execPath, [join(dir, 'predict.js'), join(dir, 'input.json')], {
      encoding: 'utf8', env: { ...process.env, NODE_PATH: [join(root, 'shim', 'node_modules'), join(import.meta.dirname, '../../../../node_modules')].join(':') },
    });
    const y = JSON.parse(out.trim().split('\n').pop()!) as number[][];
    expect(y[0]![0]).toBeCloseTo(p.outputs[0]!.data[0]!, 6);
  });

  it.each([['float16', 1e-2], ['uint8', 0.1]] as [Quantization, number][])('%s quantization stays within its bounds', async (q, tol) => {
    for (const c of templateCases()) {
      const p = prepare(c);
      const dir = join(root, `${c.name}-${q}`);
      await writeTfjs(p.compiled, dir, q);
      const before = nodeWeights(p.compiled);
      p.compiled.model.dispose();
      const loaded = await tfl.loadLayersModel(dirHandler(dir));
      const after = nodeWeights({ model: loaded, layerNames: p.compiled.layerNames });
      for (const [id, ws] of Object.entries(before)) {
        ws.forEach((w, i) => {
          const got = after[id]![i]!.data;
          let min = Infinity;
          let max = -Infinity;
          w.data.forEach((v) => ((min = Math.min(min, v)), (max = Math.max(max, v))));
          w.data.forEach((v, j) => {
            const bound = q === 'float16' ? Math.abs(v) * 2 ** -11 + 6e-8 : (max - min) / 510 + 1e-6;
            if (!(Math.abs(got[j]! - v) <= bound)) throw new Error(`${c.name} ${id}[${i}][${j}]: ${v} → ${got[j]} (bound ${bound})`);
          });
        });
      }
      const ys = run(loaded, p);
      loaded.dispose();
      ys.forEach((y, i) => expect(maxAbs(y, p.outputs[i]!.data), `${c.name} (${q})`).toBeLessThan(tol));
    }
  });
});
