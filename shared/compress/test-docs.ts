/** Test helpers: a template's text as a document, and seeded random weights shaped like a compiled model's. */
import { analyze } from '../analysis';
import { parseDocument, type LoomDocument } from '../document';
import { mulberry32 } from '../random';
import type { NodeWeights } from './structured';

/** Tests read assets/templates/NAME.loom (shared/ code cannot) and pass the text here. */
export function parseTemplate(text: string): LoomDocument {
  const r = parseDocument(text);
  if (!r.ok) throw new Error(`invalid template: ${r.errors[0]?.message}`);
  return r.doc;
}

/** Random kernels/biases (and BatchNormalization vectors) for the Dense/Conv/BN layers of a document. */
export function randomWeights(doc: Pick<LoomDocument, 'nodes' | 'edges'>, seed = 1): NodeWeights {
  const a = analyze(doc);
  const r = mulberry32(seed);
  const t = (shape: number[], offset = 0) => ({ shape, values: Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => offset + r() * 2 - 1) });
  const out: NodeWeights = {};
  for (const n of doc.nodes) {
    const info = a.nodes[n.id]!;
    const cin = info.inputShapes[0]?.at(-1) ?? 0;
    const cout = info.outputShape?.at(-1) ?? 0;
    const k = info.resolved?.kernelSize as number[] | number | undefined;
    if (n.type === 'Dense') out[n.id] = { kernel: t([cin, cout]), bias: t([cout]) };
    if (n.type === 'Conv2D') out[n.id] = { kernel: t([...(Array.isArray(k) ? k : [k!, k!]), cin, cout]), bias: t([cout]) };
    if (n.type === 'Conv1D') out[n.id] = { kernel: t([Array.isArray(k) ? k[0]! : k!, cin, cout]), bias: t([cout]) };
    if (n.type === 'BatchNormalization') out[n.id] = { gamma: t([cout], 1.5), beta: t([cout]), moving_mean: t([cout]), moving_variance: t([cout], 2) };
  }
  return out;
}
