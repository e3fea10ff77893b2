/**
 * data.npz for the exported train.py scripts: the document's dataset exactly as the engine splits and
 * normalises it (raw samples + split indices + normalisation parameters; see DATA_NPZ_DOC).
 */
import type { LoomDocument } from '../../../shared/document';
import { trainingDefaults } from '../../../shared/document';
import { analyze } from '../../../shared/analysis';
import { prepareData } from '../data';
import { npyArray } from './pytorch/torch-save';
import { writeZip } from './zip';
import { writeOut } from './files';

export async function writeTrainingData(doc: LoomDocument, outDir: string, baseDir?: string): Promise<string | null> {
  if (!doc.dataset) return null;
  const t = trainingDefaults(doc.training);
  const a = analyze(doc);
  const inputShape = a.inputs.length ? a.nodes[a.inputs[0]!]!.outputShape ?? undefined : undefined;
  const { dataset, split, normalization } = await prepareData(doc.dataset, t, { baseDir, inputShape });
  const n = normalization;
  const groups = n.mode === 'none' ? 1 : n.groups;
  const offset = new Float32Array(groups).map((_, g) => (n.mode === 'none' ? 0 : n.offset[n.offset.length === 1 ? 0 : g]!));
  const scale = new Float32Array(groups).map((_, g) => (n.mode === 'none' ? 1 : n.scale[n.scale.length === 1 ? 0 : g]!));
  const entries = [
    { name: 'x.npy', data: npyArray(dataset.x, [dataset.count, ...dataset.sampleShape]) },
    { name: 'y.npy', data: npyArray(dataset.y, dataset.task === 'classification' ? [dataset.count] : [dataset.count, ...dataset.targetShape]) },
    { name: 'train_idx.npy', data: npyArray(split.train, [split.train.length]) },
    { name: 'val_idx.npy', data: npyArray(split.validation, [split.validation.length]) },
    { name: 'test_idx.npy', data: npyArray(split.test, [split.test.length]) },
    { name: 'norm_offset.npy', data: npyArray(offset, [groups]) },
    { name: 'norm_scale.npy', data: npyArray(scale, [groups]) },
  ];
  if (t.reweighing) {
    // The engine's own weights for the training split (the loss weight of each train_idx entry).
    // Imported when needed: the audit modules bring the evaluation code and its backend with them.
    const { reweighingForTraining } = await import('../fairness');
    const { weights } = reweighingForTraining(t.reweighing, doc.dataset, dataset, split.train, baseDir);
    entries.push({ name: 'train_weight.npy', data: npyArray(Float32Array.from(weights), [weights.length]) });
  }
  return writeOut(outDir, 'data.npz', writeZip(entries));
}
