/**
 * A compiled model seen layer by layer: its weights by node id and short name (`kernel`, `bias`,
 * `moving_mean`, ...), set back the same way, and a forward pass that runs one layer at a time so a
 * caller can act on every node's output (calibration observes it, the int8 simulation
 * quantizes it). The compiled model is used as built by compile.ts: nothing here changes a layer.
 */
import { buildGraph, type Graph } from '../../../shared/analysis';
import type { LoomDocument } from '../../../shared/document';
import type { NodeWeights, TensorData } from '../../../shared/compress';
import type { CompiledModel } from '../compile';
import { tf } from '../tfjs';

/** A weight's name inside its layer: `conv1/kernel` → `kernel`, `bi/forward_bi_lstm/kernel` → `forward_bi_lstm/kernel`. */
function shortName(layerName: string, weightName: string): string {
  return weightName.startsWith(`${layerName}/`) ? weightName.slice(layerName.length + 1) : weightName;
}

/** Every weight of the model, by node id and short name (values copied out). */
export function readNodeWeights(compiled: CompiledModel): NodeWeights {
  const out: NodeWeights = {};
  for (const [id, name] of Object.entries(compiled.layerNames)) {
    const layer = compiled.model.getLayer(name);
    if (layer.weights.length === 0) continue;
    out[id] = Object.fromEntries(layer.weights.map((w) => [
      shortName(name, w.originalName), { shape: [...w.shape] as number[], values: Float32Array.from(w.read().dataSync() as Float32Array) },
    ]));
  }
  return out;
}

/** Set weights by node id and short name; every weight of every named node must be given, in its shape. */
export function writeNodeWeights(compiled: CompiledModel, weights: NodeWeights): void {
  for (const [id, ws] of Object.entries(weights)) {
    const name = compiled.layerNames[id];
    if (!name) throw new Error(`The model has no layer for node "${id}"`);
    const layer = compiled.model.getLayer(name);
    const tensors = layer.weights.map((w) => {
      const t = ws[shortName(name, w.originalName)];
      if (!t) throw new Error(`No value for weight "${w.originalName}" of node "${id}"`);
      if (t.shape.join() !== w.shape.join()) throw new Error(`Weight "${w.originalName}" has shape [${w.shape.join(', ')}] but the value given is [${t.shape.join(', ')}]`);
      return tf.tensor(t.values, t.shape);
    });
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
}

/** Copy every weight of `from` into `to` (two compilations of one document). */
export function copyWeights(from: CompiledModel, to: CompiledModel): void {
  writeNodeWeights(to, readNodeWeights(from));
}

export function tensorData(t: tf.Tensor): TensorData {
  return { shape: [...t.shape], values: Float32Array.from(t.dataSync() as Float32Array) };
}

/** What a tap does with a node's output: returns the tensor the downstream layers see. */
export type Tap = (nodeId: string, output: tf.Tensor) => tf.Tensor;

/**
 * Run the model one layer at a time in inference mode (call inside tf.tidy). `inputs` in the model's
 * input order; `tap` sees every node's output (Inputs included) and may replace it. Returns the
 * outputs in the model's output order. Without a tap this computes what model.predict computes.
 */
export function forwardByLayer(compiled: CompiledModel, doc: Pick<LoomDocument, 'nodes' | 'edges'>, inputs: tf.Tensor[], tap?: Tap, graph: Graph = buildGraph(doc)): tf.Tensor[] {
  const values = new Map<string, tf.Tensor>();
  for (const id of compiled.analysis.order) {
    let out: tf.Tensor;
    if (compiled.analysis.nodes[id]!.type === 'Input') {
      const k = compiled.inputIds.indexOf(id);
      if (k < 0) continue; // an Input connected to nothing is not part of the model
      out = inputs[k]!;
    } else {
      const ins = graph.inputsOf.get(id)!.map((s) => values.get(s)!);
      const layer = compiled.model.getLayer(compiled.layerNames[id]!);
      out = layer.apply(ins.length === 1 ? ins[0]! : ins, { training: false }) as tf.Tensor;
    }
    values.set(id, tap ? tap(id, out) : out);
  }
  return compiled.outputIds.map((id) => values.get(id)!);
}
