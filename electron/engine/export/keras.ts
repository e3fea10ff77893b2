/** Keras 3 export files: model.py, train.py, model.weights.h5 (HDF5 written from Node with h5wasm). */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import type { LoomDocument } from '../../../shared/document';
import { generateKeras, kerasWeightsLayout } from '../../../shared/export/keras';
import { generateKerasTrain } from '../../../shared/export/keras-train';
import type { NodeWeights } from '../../../shared/export/tensor';
import { writeOut } from './files';

/** Write the Keras 3 `.weights.h5` layout to `path`. */
export async function writeKerasWeights(doc: LoomDocument, weights: NodeWeights, path: string): Promise<void> {
  await h5wasm.ready;
  const layout = kerasWeightsLayout(doc, weights);
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
    for (const [p, t] of layout.datasets) {
      const parent = p.split('/').slice(0, -1).join('/');
      group(parent);
      (f.get(parent) as InstanceType<typeof h5wasm.Group>).create_dataset({ name: p.split('/').pop()!, data: t.data, shape: t.shape, dtype: '<f' });
    }
  } finally {
    f.close();
  }
}

export async function writeKeras(doc: LoomDocument, weights: NodeWeights | null, outDir: string): Promise<string[]> {
  const files = [
    await writeOut(outDir, 'model.py', generateKeras(doc).modelPy),
    await writeOut(outDir, 'train.py', generateKerasTrain(doc)),
  ];
  if (weights) {
    const path = join(outDir, 'model.weights.h5');
    await writeKerasWeights(doc, weights, path);
    files.push(path);
  }
  return files;
}
