/**
 * The model-randomisation sanity check on the engine (Adebayo et al., 2018, cascading): starting at
 * the output, each layer with weights in turn gets random weights (those above it stay random) and
 * the explanation is recomputed. "Random" = every weight array re-drawn from a normal distribution
 * with the trained array's own mean and standard deviation (seeded), so scales stay plausible and
 * what was learned is gone; arrays that must stay positive (BatchNormalization variances) take the
 * absolute value. The trained weights are restored afterwards, whatever happens.
 */
import { gaussian, mulberry32 } from '../../../shared/random';
import type { TrainedRun } from '../runs';
import { tf, type tfl } from '../tfjs';

function randomLike(w: tfl.LayerVariable, value: tf.Tensor, rnd: () => number): tf.Tensor {
  const v = value.dataSync();
  let mean = 0;
  for (const a of v) mean += a;
  mean /= v.length || 1;
  let sq = 0;
  for (const a of v) sq += (a - mean) ** 2;
  const std = Math.sqrt(sq / (v.length || 1)) || 0.05;
  const positive = /variance/.test(w.originalName);
  const out = Float32Array.from(v, () => {
    const r = mean + std * gaussian(rnd);
    return positive ? Math.abs(r) : r;
  });
  return tf.tensor(out, value.shape);
}

/**
 * Run `step(layerName)` after randomising each layer with weights, from the output down; returns
 * the layer names in that order. The trained weights are back when it returns or throws.
 */
export async function cascadeRandomization(run: TrainedRun, seed: number, step: (layer: string) => Promise<void>): Promise<string[]> {
  const layers = run.compiled.model.layers.filter((l) => l.weights.length > 0).reverse();
  const saved = layers.map((l) => l.getWeights().map((w) => w.clone()));
  const rnd = mulberry32(seed);
  const names: string[] = [];
  try {
    for (const l of layers) {
      const fresh = l.weights.map((w, i) => randomLike(w, saved[layers.indexOf(l)]![i]!, rnd));
      l.setWeights(fresh);
      tf.dispose(fresh);
      names.push(l.name);
      await step(l.name);
    }
  } finally {
    layers.forEach((l, i) => l.setWeights(saved[i]!));
    saved.forEach((s) => tf.dispose(s));
  }
  return names;
}
