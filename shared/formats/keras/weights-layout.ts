/**
 * The layout of Keras 3's `model.weights.h5` (keras/src/saving/saving_lib.py), derived from the
 * catalog's weight declarations: the model's layers are saved in `model.layers` order under
 * `layers/<snake_case class name>[_<n>]/vars/<i>` (a counter per class name, in that order — not
 * the layer names), nested layers under their attribute name (`lstm/cell/vars/0`,
 * `bidirectional/forward_layer/cell/vars/0`, `multi_head_attention/query_dense/vars/0`), and an
 * empty `vars` group for every object. The writer fills it with the weights, the readers read it.
 */
import { weightSpecs, type LayerType, type WeightNameOf } from '../../catalog';
import type { LoomDocument } from '../../document/schema';
import { planOf, type ExportPlan, type PlanNodeOf } from '../plan';
import { KERAS_CLASS, kerasLayerOrder, toSnakeCase } from './classes';

/** Where one weight of a node goes: Keras reads the first path that exists (several only for MultiHeadAttention). */
export interface KerasWeightSlot {
  nodeId: string;
  /** Position in the node's weights (TF.js order). */
  index: number;
  name: string;
  shape: number[];
  paths: string[];
}

/** The contents of model.weights.h5: every group to create, and where each weight goes. */
export interface KerasWeightsLayout {
  groups: string[];
  slots: KerasWeightSlot[];
}

/**
 * The objects Keras saves for a layer (`''` is the layer itself, others are attributes such as
 * `cell`), in the order it visits them, and the object(s) each weight belongs to.
 */
interface KerasObjects<N extends string> {
  objects: readonly string[];
  place(name: N): readonly string[];
}

const plain: KerasObjects<string> = { objects: [''], place: () => [''] };
const rnn: KerasObjects<string> = { objects: ['', 'cell'], place: () => ['cell'] };
// Keras ≥ 3.? exposes the projections as public properties (visited first); older Keras 3 only as
// private attributes. Both paths are written; each version reads the one it walks.
const MHA_ATTR = { query: 'query', key: 'key', value: 'value', attention_output: 'output' } as const;
const mha: KerasObjects<WeightNameOf<'MultiHeadAttention'>> = {
  objects: ['', ...Object.values(MHA_ATTR).flatMap((a) => [`${a}_dense`, `_${a}_dense`])],
  place: (name) => {
    const attr = MHA_ATTR[name.split('/')[0] as keyof typeof MHA_ATTR];
    return [`${attr}_dense`, `_${attr}_dense`];
  },
};

const OBJECTS: { readonly [T in LayerType]: KerasObjects<WeightNameOf<T>> } = {
  Input: plain, Dense: plain, Activation: plain, Dropout: plain, Embedding: plain, Conv1D: plain, Conv2D: plain,
  Conv1DTranspose: plain, Conv2DTranspose: plain, DepthwiseConv2D: plain, SeparableConv2D: plain, MaxPooling1D: plain, AveragePooling1D: plain,
  MaxPooling2D: plain, AveragePooling2D: plain, GlobalAveragePooling1D: plain, GlobalMaxPooling1D: plain,
  GlobalAveragePooling2D: plain, GlobalMaxPooling2D: plain,
  SimpleRNN: rnn, LSTM: rnn, GRU: rnn,
  Bidirectional: {
    objects: ['', 'forward_layer', 'forward_layer/cell', 'backward_layer', 'backward_layer/cell'],
    place: (name) => [name.startsWith('forward/') ? 'forward_layer/cell' : 'backward_layer/cell'],
  },
  MultiHeadAttention: mha,
  // Layerloom's own Keras class (model.py) keeps its weights flat, like TF.js.
  TransformerEncoder: plain, TransformerDecoder: plain, PositionalEmbedding: plain, BatchNormalization: plain, LayerNormalization: plain,
  Add: plain, Multiply: plain, Concatenate: plain, Flatten: plain, Reshape: plain, UpSampling2D: plain, ZeroPadding2D: plain,
};

function layerSlots<T extends LayerType>(n: PlanNodeOf<T>, base: string, out: KerasWeightsLayout): void {
  const o = OBJECTS[n.type];
  const at = (obj: string) => (obj ? `${base}/${obj}` : base);
  for (const obj of o.objects) out.groups.push(at(obj), `${at(obj)}/vars`);
  const counts = new Map<string, number>();
  weightSpecs(n, n.inShapes).forEach((spec, index) => {
    const paths = o.place(spec.name).map((obj) => {
      const i = counts.get(obj) ?? 0;
      counts.set(obj, i + 1);
      return `${at(obj)}/vars/${i}`;
    });
    out.slots.push({ nodeId: n.id, index, name: spec.name, shape: spec.shape, paths });
  });
}

/** Where each weight of the document goes in model.weights.h5 (Keras 3 layout). */
export function kerasWeightsLayout(doc: LoomDocument | ExportPlan): KerasWeightsLayout {
  const plan = planOf(doc);
  const out: KerasWeightsLayout = { groups: ['vars', 'layers'], slots: [] };
  const used = new Map<string, number>();
  for (const id of kerasLayerOrder(plan)) {
    const n = plan.byId.get(id)!;
    const base = toSnakeCase(KERAS_CLASS[n.type]);
    const k = used.get(base);
    used.set(base, (k ?? -1) + 1);
    layerSlots(n, `layers/${k === undefined ? base : `${base}_${k + 1}`}`, out);
  }
  return out;
}
