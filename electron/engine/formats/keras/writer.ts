/** Keras 3 export files: model.py, train.py, model.weights.h5 (HDF5 written from Node with h5wasm). */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import type { LoomDocument } from '../../../../shared/document';
import { generateKeras } from '../../../../shared/formats/keras/model-py';
import { generateKerasTrain } from '../../../../shared/formats/keras/train-py';
import { kerasWeightsLayout } from '../../../../shared/formats/keras/weights-layout';
import { planOf, type ExportPlan } from '../../../../shared/formats/plan';
import type { NodeWeights } from '../../../../shared/formats/tensor';
import { writeOut } from '../files';

/** Write the Keras 3 `.weights.h5` layout to `path`. */
export async function writeKerasWeights(doc: LoomDocument | ExportPlan, weights: NodeWeights, path: string): Promise<void> {
  await h5wasm.ready;
  const layout = kerasWeightsLayout(doc);
  await rm(path, { force: true });
  const f = new h5wasm.File(path, 'w');
  try {
    const made = new Set<string>();
    const group = (p: string) => {
      if (made.has(p)) return;
      const parts = p.split('/');
      const parent = parts.slice(0, -1).join('/');
      if (parent) group(parent);
      (parent ? (f.get(parent) as InstanceType<typeof h5wasm.Group>) : f).create_group(parts[parts.length - 1]!);
      made.add(p);
    };
    layout.groups.forEach(group);
    for (const slot of layout.slots) {
      const t = weights[slot.nodeId]?.[slot.index];
      if (!t) throw new Error(`no weight ${slot.name} for layer "${slot.nodeId}"`);
      for (const p of slot.paths) {
        const parent = p.split('/').slice(0, -1).join('/');
        group(parent);
        (f.get(parent) as InstanceType<typeof h5wasm.Group>).create_dataset({ name: p.split('/').pop()!, data: t.data, shape: t.shape, dtype: '<f' });
      }
    }
  } finally {
    f.close();
  }
}

export async function writeKeras(doc: LoomDocument | ExportPlan, weights: NodeWeights | null, outDir: string): Promise<string[]> {
  const plan = planOf(doc);
  const files = [
    await writeOut(outDir, 'model.py', generateKeras(plan).modelPy),
    await writeOut(outDir, 'train.py', generateKerasTrain(plan)),
  ];
  if (weights) {
    const path = join(outDir, 'model.weights.h5');
    await writeKerasWeights(plan, weights, path);
    files.push(path);
  }
  return files;
}
