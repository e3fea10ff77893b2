/**
 * Weights out of (and into) the engine's TF.js model, as host tensors keyed by node id in
 * `layer.getWeights()` order — the form every exporter in shared/formats converts from.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tf, tfl } from '../tfjs';
import type { CompiledModel } from '../compile';
import type { NodeWeights } from '../../../shared/formats/tensor';
import { mulberry32 } from '../../../shared/random';

/** Every node's weights (TF.js layouts), read from the model. */
export function nodeWeights(compiled: Pick<CompiledModel, 'model' | 'layerNames'>): NodeWeights {
  const out: NodeWeights = {};
  const present = new Set(compiled.model.layers.map((l) => l.name));
  for (const [id, name] of Object.entries(compiled.layerNames)) {
    if (!present.has(name)) continue; // e.g. an Input wired to nothing
    const layer = compiled.model.getLayer(name);
    out[id] = layer.getWeights().map((t) => ({ shape: [...t.shape], data: new Float32Array(t.dataSync()) }));
  }
  return out;
}

/**
 * Load trained weights saved in TF.js format (`model.json` + `weights.bin`, as a training run
 * writes them) into a freshly compiled model of the same document. Matching is by weight name
 * (`<layer>/<weight>`); every weight of the model must be present.
 */
export async function loadWeightsFromDir(compiled: Pick<CompiledModel, 'model'>, dir: string): Promise<void> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(new Uint8Array(await readFile(join(dir, p))));
  }
  const total = buffers.reduce((a, b) => a + b.length, 0);
  const all = new Uint8Array(total);
  let o = 0;
  for (const b of buffers) {
    all.set(b, o);
    o += b.length;
  }
  const named = tf.io.decodeWeights(all.buffer, specs);
  try {
    compiled.model.loadWeights(named, true);
  } finally {
    tf.dispose(Object.values(named));
  }
}

/** Fill every weight with seeded random values (tests: zero biases and unit statistics hide mapping bugs). */
export function randomizeWeights(model: tfl.LayersModel, seed = 1): void {
  const rnd = mulberry32(seed);
  for (const layer of model.layers) {
    const ws = layer.weights;
    if (!ws.length) continue;
    const values = ws.map((w) => {
      const shape = w.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      const positive = /variance/.test(w.originalName);
      for (let i = 0; i < n; i++) data[i] = positive ? 0.5 + rnd() : (rnd() - 0.5) * 0.8;
      return tf.tensor(data, shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}
