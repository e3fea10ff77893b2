/**
 * Test fixture: a logistic regression on the synthetic biased hiring data (shared/fairness/synthetic.ts),
 * a CSV whose `group` column is kept aside (the features are score and zip). Used by the engine's
 * and the CLI's fairness tests.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoomDocument } from '../../../shared/document';
import { biasedHiring, biasedHiringCsv } from '../../../shared/fairness';
import { startTraining } from '../train';

/** Rows and seed of the fixture's CSV (tests recount groups from biasedHiring(HIRING_ROWS, HIRING_SEED)). */
export const HIRING_ROWS = 3000;
export const HIRING_SEED = 4;

export const HIRING_DOC: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'hiring',
  nodes: [{ id: 'in', type: 'Input', params: { shape: [2] } }, { id: 'p', type: 'Dense', params: { units: 1, activation: 'sigmoid' } }],
  edges: [{ from: 'in', to: 'p' }],
  training: {
    optimizer: 'adam', learningRate: 0.05, loss: 'binaryCrossentropy', metrics: ['accuracy'], batchSize: 64, epochs: 8,
    validationSplit: 0.25, shuffle: true, seed: 3,
  } as LoomDocument['training'],
  dataset: { source: 'csv', path: 'hiring.csv', target: 'hired', features: ['score', 'zip'], task: 'classification', testSplit: 0.25 },
};

/** Writes hiring.csv and hiring.loom into `dir`. */
export function writeHiring(dir: string): void {
  writeFileSync(join(dir, 'hiring.csv'), biasedHiringCsv(biasedHiring(HIRING_ROWS, HIRING_SEED)));
  writeFileSync(join(dir, 'hiring.loom'), JSON.stringify(HIRING_DOC));
}

/** Writes the files and trains in process (saved to dir/run). */
export async function trainHiring(dir: string, runId: string): Promise<void> {
  writeHiring(dir);
  const h = startTraining({ runId, doc: HIRING_DOC, baseDir: dir, backend: 'wasm', runDir: join(dir, 'run') }, () => {});
  const last = await h.done;
  if (last.type !== 'end') throw new Error(`training failed: ${JSON.stringify(last)}`);
}
