/**
 * Explain's speed on the wasm backend (issue targets on the 2-core build machine): Integrated
 * Gradients (50 steps) and Grad-CAM on the MNIST CNN template (< 0.5 s each), Kernel SHAP on 50
 * superpixels (a 5×10 grid) with 1,000 coalitions (< 3 s), tabular Kernel SHAP on auto-mpg
 * (9 features, exact: 512 coalitions × 100 background rows, < 2 s). The models are trained briefly
 * first (the timing does not depend on how well). Prints the median wall and CPU seconds over
 * --reps runs after one warm-up, and the forward passes. Not part of npm test.
 *
 *   npx tsx bench/explain.ts [--reps 5]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDocumentOrThrow, trainingDefaults, type LoomDocument } from '../shared/document';
import type { ExplainRequest } from '../shared/explain';
import { initBackend } from '../electron/engine/backend';
import { explain } from '../electron/engine/explain';
import { getRun } from '../electron/engine/runs';
import { startTraining } from '../electron/engine/train';

const repsArg = process.argv.indexOf('--reps');
const REPS = repsArg >= 0 ? Number(process.argv[repsArg + 1]) : 5;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function train(runId: string, doc: LoomDocument, dataset: NonNullable<LoomDocument['dataset']>, epochs: number): Promise<void> {
  const h = startTraining({ runId, doc, dataset, backend: 'wasm', overrides: { epochs, seed: 1, threads: 1 } }, () => {});
  const last = await h.done;
  if (last.type !== 'end') throw new Error(`training ${runId} failed: ${JSON.stringify(last)}`);
}

async function measure(name: string, target: number, req: ExplainRequest): Promise<void> {
  await explain(req); // warm-up: kernels, XNNPACK packing, the data
  const wall: number[] = [];
  const cpu: number[] = [];
  let passes = 0;
  for (let i = 0; i < REPS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await explain(req);
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    passes = r.forwardPasses;
  }
  const w = median(wall);
  console.log(`${name.padEnd(44)} ${w.toFixed(3).padStart(7)} s wall  ${median(cpu).toFixed(3).padStart(7)} s CPU  ${String(passes).padStart(7)} forward passes  target < ${target} s ${w < target ? 'ok' : 'MISSED'}`);
}

const backend = await initBackend('wasm');
console.log(`backend ${backend.name}, ${REPS} runs each (median)`);
const templates = join(import.meta.dirname, '../assets/templates');
const cnn = loadDocumentOrThrow(readFileSync(join(templates, 'mnist-cnn.loom'), 'utf8'), 'mnist-cnn.loom');
await train('cnn', cnn, { source: 'builtin', name: 'digits', limit: 512 }, 1);
const digit = { kind: 'sample' as const, index: getRun('cnn').split!.test[0]! };
await measure('IG, 50 steps, MNIST CNN', 0.5, { runId: 'cnn', input: digit, spec: { method: 'ig', steps: 50 } });
await measure('Grad-CAM, MNIST CNN', 0.5, { runId: 'cnn', input: digit, spec: { method: 'gradcam' } });
await measure('Kernel SHAP, 50 superpixels, 1,000 coalitions', 3, {
  runId: 'cnn', input: digit, spec: { method: 'shap', coalitions: 1000, segmentation: { kind: 'grid', rows: 5, cols: 10 } },
});

const mpg: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'auto-mpg',
  nodes: [{ id: 'in', type: 'Input', params: { shape: [9] } }, { id: 'h', type: 'Dense', params: { units: 32, activation: 'relu' } }, { id: 'mpg', type: 'Dense', params: { units: 1 } }],
  edges: [{ from: 'in', to: 'h' }, { from: 'h', to: 'mpg' }],
  training: trainingDefaults({ optimizer: 'adam', learningRate: 0.01, loss: 'meanSquaredError', metrics: ['mae'], batchSize: 32 }),
};
await train('mpg', mpg, { source: 'builtin', name: 'auto-mpg' }, 5);
await measure('Kernel SHAP, auto-mpg, 9 features, 100 rows', 2, { runId: 'mpg', input: { kind: 'sample', index: getRun('mpg').split!.test[0]! }, spec: { method: 'shap', background: 100 } });
