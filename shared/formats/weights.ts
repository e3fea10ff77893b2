/**
 * A node's weights by name: the engine hands every exporter the tensors of each node in TF.js
 * order; the catalog declares what they are (name, role, shape). `layerWeights` pairs the two,
 * checking count and shapes, so that exporters read `w.get('depthwise_kernel')` (a misspelt name
 * is a compile error) instead of positions.
 */
import { weightSpecs, type LayerOf, type LayerType, type Shape, type WeightNameOf, type WeightSpec } from '../catalog';
import { ExportError } from './plan';
import type { HostTensor } from './tensor';

export interface LayerWeights<N extends string> {
  /** The tensor of a declared weight; throws ExportError when the layer does not hold it (e.g. no bias). */
  get(name: N): HostTensor;
  has(name: N): boolean;
  /** Every weight with its declaration, in TF.js order. */
  readonly list: readonly { spec: WeightSpec<N>; tensor: HostTensor }[];
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Pair a node's tensors (TF.js order) with its declared weights; throws ExportError naming the node on a mismatch. */
export function layerWeights<T extends LayerType>(
  n: LayerOf<T> & { id: string; inShapes: Shape[] }, tensors: readonly HostTensor[] | undefined,
): LayerWeights<WeightNameOf<T>> {
  const specs = weightSpecs(n, n.inShapes);
  const got = tensors ?? [];
  const where = `node "${n.id}" (${n.type})`;
  if (got.length !== specs.length) {
    throw new ExportError(`${where} has ${got.length} weights; its layer declares ${specs.length} (${specs.map((s) => s.name).join(', ') || 'none'})`);
  }
  const list = specs.map((spec, i) => {
    const tensor = got[i]!;
    if (shapeText(tensor.shape) !== shapeText(spec.shape)) {
      throw new ExportError(`${where}: weight ${spec.name} is ${shapeText(tensor.shape)}, the layer declares ${shapeText(spec.shape)}`);
    }
    return { spec, tensor };
  });
  const byName = new Map<string, HostTensor>(list.map((w) => [w.spec.name, w.tensor]));
  return {
    list,
    has: (name) => byName.has(name),
    get: (name) => {
      const t = byName.get(name);
      if (!t) throw new ExportError(`${where} has no weight ${name}`);
      return t;
    },
  };
}
