/**
 * Keras 2 HDF5 files (`model.save_weights('w.h5')`, or `model.save('m.h5')` with the topology in the
 * root attribute `model_config` and the weights under `model_weights/`): the root (or
 * `model_weights`) lists `layer_names`; each layer's group lists its `weight_names`, and the values
 * sit at `<layer>/<weight name>` (`dense/dense/kernel:0`). Weights are matched by layer name, in the
 * layer's order, which Keras 2 and TF.js share (kernel, recurrent kernel, bias; gamma, beta, moving
 * mean, moving variance). Keras 3 `.weights.h5` files have no `layer_names`: see imported-run.ts.
 */
import h5wasm from 'h5wasm/node';
import type { HostTensor } from '../../../../shared/formats/tensor';

type H5Node = { get_attribute(name: string, json: true): unknown; attrs: Record<string, unknown> };
type H5File = InstanceType<typeof h5wasm.File>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** Keras 2 saves long attribute lists in chunks (`layer_names0`, `layer_names1`, ...). */
function listAttr(node: H5Node, name: string): string[] | null {
  const keys = Object.keys(node.attrs);
  if (keys.includes(name)) return strings(node.get_attribute(name, true));
  const chunks = keys.filter((k) => new RegExp(`^${name}\\d+$`).test(k)).sort((a, b) => Number(a.slice(name.length)) - Number(b.slice(name.length)));
  return chunks.length ? chunks.flatMap((k) => strings(node.get_attribute(k, true))) : null;
}

export interface Keras2H5 {
  /** The topology JSON of a whole-model file (`model.save('m.h5')`), when present. */
  modelConfig: unknown | null;
  /** Weights as `<layer>/<weight name>` in file order (layer by layer, each in its weight order). */
  weights: [string, HostTensor][];
}

/** Read an open HDF5 file as a Keras 2 file, or null when it is not one (no `layer_names`). */
export function readKeras2(f: H5File): Keras2H5 | null {
  const root = f as unknown as H5Node;
  const group = f.get('model_weights') as unknown as (H5Node & { path: string }) | null;
  const base = group && listAttr(group, 'layer_names') ? 'model_weights/' : '';
  const holder = base ? group! : root;
  const layers = listAttr(holder, 'layer_names');
  if (!layers) return null;
  const weights: [string, HostTensor][] = [];
  for (const layer of layers) {
    const g = f.get(`${base}${layer}`) as unknown as H5Node | null;
    if (!g) continue;
    for (const w of listAttr(g, 'weight_names') ?? []) {
      const ds = f.get(`${base}${layer}/${w}`) as InstanceType<typeof h5wasm.Dataset> | null;
      if (!ds || !('shape' in ds)) throw new Error(`the weight "${w}" of layer "${layer}" is listed but missing`);
      weights.push([`${layer}/${w}`, { shape: [...(ds.shape ?? [])], data: Float32Array.from(ds.value as ArrayLike<number>) }]);
    }
  }
  let modelConfig: unknown = null;
  if (Object.keys(root.attrs).includes('model_config')) {
    const raw = root.get_attribute('model_config', true);
    modelConfig = typeof raw === 'string' ? JSON.parse(raw) : raw;
  }
  return { modelConfig, weights };
}

/** Open `path` and read it as a Keras 2 file (null: an HDF5 file of another layout). */
export async function readKeras2File(path: string): Promise<Keras2H5 | null> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'r');
  try {
    return readKeras2(f);
  } finally {
    f.close();
  }
}
