/**
 * From a PyTorch state dict back to the engine's weights (TF.js layouts, per node in getWeights()
 * order): the exact inverse of the exporter's pytorchStateDict, derived from it rather than written
 * a second time. Every weight element of the model gets a distinct probe value; converting the
 * probes shows where each element lands (transposes, gate orders, reshapes). Elements the exporter
 * fills with constants (a plain nn.LSTM's second bias, BatchNorm's frozen scale) are recorded with
 * their values, so a run that changed them is refused instead of silently dropped.
 *
 * Two probe passes: element g is ((g mod 2048) + 1) in the first and -(floor(g / 2048) + 1) in the
 * second, both exact in float32 for up to 2^35 elements; a constant reads the same in both.
 */
import { pytorchStateDict } from '../formats/pytorch/state-dict';
import type { ExportPlan } from '../formats/plan';
import { sizeOf, type HostTensor, type NodeWeights } from '../formats/tensor';

const BASE = 2048;

export interface StateDictInverse {
  /** The state dict the model has: name, shape, dtype (int64 entries are counters, never read back). */
  keys: { name: string; shape: number[]; int64: boolean }[];
  /** Node id → its TF.js weight shapes, in getWeights() order. */
  nodes: { id: string; shapes: number[][] }[];
  /** For model element g (nodes and weights in order, row-major): its key index and offset in that key. */
  fromKey: Int32Array;
  fromOffset: Int32Array;
  /** Elements that the model does not train: [key index, offset, value]. */
  constants: [number, number, number][];
}

/** The inverse for a plan and the shapes of its weights (any values: only the shapes are read). */
export function stateDictInverse(plan: ExportPlan, weights: NodeWeights): StateDictInverse {
  const nodes = plan.nodes.filter((n) => weights[n.id]?.length).map((n) => ({ id: n.id, shapes: weights[n.id]!.map((t) => [...t.shape]) }));
  const total = nodes.reduce((a, n) => a + n.shapes.reduce((b, s) => b + sizeOf(s), 0), 0);
  const probe = (value: (g: number) => number): NodeWeights => {
    const out: NodeWeights = {};
    let g = 0;
    for (const n of nodes) {
      out[n.id] = n.shapes.map((shape) => {
        const data = new Float32Array(sizeOf(shape));
        for (let i = 0; i < data.length; i++) data[i] = value(g++);
        return { shape, data };
      });
    }
    return out;
  };
  const lo = pytorchStateDict(plan, probe((g) => (g % BASE) + 1));
  const hi = pytorchStateDict(plan, probe((g) => -(Math.floor(g / BASE) + 1)));
  const fromKey = new Int32Array(total).fill(-1);
  const fromOffset = new Int32Array(total);
  const constants: [number, number, number][] = [];
  lo.forEach(([name, a], k) => {
    const b = hi[k]![1];
    if (a.dtype === 'int64') return;
    for (let e = 0; e < a.data.length; e++) {
      const va = a.data[e]!, vb = b.data[e]!;
      if (va === vb) {
        constants.push([k, e, va]);
        continue;
      }
      const g = (-vb - 1) * BASE + (va - 1);
      if (!(va >= 1 && va <= BASE && vb <= -1 && Number.isInteger(va) && Number.isInteger(vb) && g < total)) {
        throw new Error(`${name}[${e}] is computed from several weights: this state dict cannot be read back`);
      }
      if (fromKey[g] !== -1) throw new Error(`a weight appears twice in the state dict (${name} and ${lo[fromKey[g]!]![0]}): it cannot be read back`);
      fromKey[g] = k;
      fromOffset[g] = e;
    }
  });
  const missing = fromKey.indexOf(-1);
  if (missing >= 0) throw new Error(`weight element ${missing} has no place in the PyTorch state dict: it cannot be read back`);
  return { keys: lo.map(([name, t]) => ({ name, shape: t.shape, int64: t.dtype === 'int64' })), nodes, fromKey, fromOffset, constants };
}

/**
 * The node weights held by a state dict (e.g. decoded from runner.py's weights.safetensors). Throws
 * naming the entry when one is missing, has another shape, or a constant changed.
 */
export function nodeWeightsFromState(inv: StateDictInverse, state: ReadonlyMap<string, HostTensor>, file = 'the state dict'): NodeWeights {
  const data = inv.keys.map(({ name, shape, int64 }) => {
    const t = state.get(name);
    if (!t) throw new Error(`${file} has no ${name}`);
    if (t.shape.join() !== shape.join()) throw new Error(`${file}: ${name} has shape [${t.shape.join(', ')}], the model expects [${shape.join(', ')}]`);
    return int64 ? null : t.data;
  });
  for (const [k, e, v] of inv.constants) {
    if (data[k]![e] !== v) throw new Error(`${file}: ${inv.keys[k]!.name}[${e}] is ${data[k]![e]}, but the model keeps it at ${v} (it must not be trained)`);
  }
  const out: NodeWeights = {};
  let g = 0;
  for (const n of inv.nodes) {
    out[n.id] = n.shapes.map((shape) => {
      const t = new Float32Array(sizeOf(shape));
      for (let i = 0; i < t.length; i++, g++) t[i] = data[inv.fromKey[g]!]![inv.fromOffset[g]!]!;
      return { shape: [...shape], data: t };
    });
  }
  return out;
}
