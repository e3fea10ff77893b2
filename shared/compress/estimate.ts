/**
 * What a compression will cost and give, before it runs, from the document alone (the Compress tab
 * shows it; the engine's report then gives the measured figures). Sizes follow size.ts' encoding;
 * channel pruning's widths follow `keepChannels` and `channelRoute`, the rules the engine applies.
 */
import { analyze } from '../analysis';
import type { LoomDocument } from '../document';
import { PRUNABLE_TYPES, channelRoute } from './structured';
import type { CompressMethod } from './schema';

type Doc = Pick<LoomDocument, 'nodes' | 'edges'>;

/** Layer types whose kernels go to int8 (electron/engine/compress/quantize.ts' INT8_LAYERS). */
const INT8_TYPES = new Set(['Dense', 'Conv1D', 'Conv2D', 'DepthwiseConv2D']);

export interface CompressEstimate {
  bytesBefore: number;
  /** Bytes of the weights at the method's precision (dense: pruning keeps the size, gzip gains). */
  bytesAfter: number;
  paramsBefore: number;
  paramsAfter: number;
  flopsBefore: number;
  flopsAfter: number;
  /** prune-channels: the new widths, and the layers left whole with the reason. */
  channels?: { nodeId: string; param: string; before: number; after: number }[];
  skipped?: { nodeId: string; reason: string }[];
  /** The smaller document (prune-channels). */
  doc?: Doc;
  /** Fine-tuning epochs the method will run (they cost about as much as training epochs). */
  finetuneEpochs: number;
}

/** Bytes of one int8 layer: 1 byte per kernel value, a float32 scale per channel, its bias int32 (int8) or float32 (dynamic). */
function int8LayerBytes(params: number, channels: number, biased: boolean, method: 'int8' | 'dynamic'): number {
  const bias = biased ? channels : 0;
  const kernel = params - bias;
  return kernel + 4 * channels + (biased ? (method === 'int8' ? 8 : 4) * channels : 0);
}

function quantizedBytes(doc: Doc, method: 'int8' | 'dynamic' | 'float16'): number {
  const a = analyze(doc);
  let bytes = 0;
  for (const n of doc.nodes) {
    const info = a.nodes[n.id];
    if (!info || info.params === 0) continue;
    const channels = info.outputShape?.at(-1) ?? 0;
    if (method !== 'float16' && INT8_TYPES.has(n.type) && channels > 0) {
      bytes += int8LayerBytes(info.params, channels, n.params.useBias !== false, method);
    } else {
      bytes += (method === 'float16' ? 2 : 4) * info.params;
    }
  }
  return bytes;
}

/** The widths channel pruning gives each prunable layer, and the smaller document. */
export function channelPruneWidths(doc: Doc, fraction: number): Pick<CompressEstimate, 'channels' | 'skipped'> & { doc: Doc } {
  const a = analyze(doc);
  const channels: NonNullable<CompressEstimate['channels']> = [];
  const skipped: NonNullable<CompressEstimate['skipped']> = [];
  for (const id of a.order) {
    const node = doc.nodes.find((n) => n.id === id)!;
    if (!Object.hasOwn(PRUNABLE_TYPES, node.type)) continue;
    const param = PRUNABLE_TYPES[node.type as keyof typeof PRUNABLE_TYPES];
    const route = channelRoute(doc, id, a);
    const before = a.nodes[id]?.outputShape?.at(-1) ?? 0;
    if (typeof route === 'string') {
      skipped.push({ nodeId: id, reason: route });
      continue;
    }
    const after = Math.max(1, before - Math.round(fraction * before));
    if (after === before) skipped.push({ nodeId: id, reason: `removing ${Math.round(fraction * 100)} % of ${before} channels leaves all of them` });
    else channels.push({ nodeId: id, param, before, after });
  }
  const widths = new Map(channels.map((c) => [c.nodeId, c]));
  const nodes = doc.nodes.map((n) => {
    const c = widths.get(n.id);
    return c ? { ...n, params: { ...n.params, [c.param]: c.after } } : n;
  });
  return { channels, skipped, doc: { ...doc, nodes } };
}

export const DEFAULT_COMPRESS_SPARSITY = 0.5;
export const DEFAULT_FINETUNE_EPOCHS: Readonly<Record<CompressMethod, number>> = { int8: 0, dynamic: 0, float16: 0, prune: 1, 'prune-channels': 2 };

/** The estimate of one method on a document (its analysis must have no errors for figures to mean anything). */
export function estimateCompression(doc: Doc, method: CompressMethod, opts: { sparsity?: number; finetuneEpochs?: number } = {}): CompressEstimate {
  const a = analyze(doc);
  const before = { bytesBefore: 4 * a.totalParams, paramsBefore: a.totalParams, flopsBefore: a.flops };
  const finetuneEpochs = opts.finetuneEpochs ?? DEFAULT_FINETUNE_EPOCHS[method];
  if (method === 'prune-channels') {
    const w = channelPruneWidths(doc, opts.sparsity ?? DEFAULT_COMPRESS_SPARSITY);
    const b = analyze(w.doc);
    return { ...before, bytesAfter: 4 * b.totalParams, paramsAfter: b.totalParams, flopsAfter: b.flops, ...w, finetuneEpochs };
  }
  const bytesAfter = method === 'prune' ? before.bytesBefore : quantizedBytes(doc, method);
  return { ...before, bytesAfter, paramsAfter: a.totalParams, flopsAfter: a.flops, finetuneEpochs };
}
