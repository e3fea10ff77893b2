/**
 * Channels-last (Layerloom, Keras, TF.js) ↔ channels-first (PyTorch, ONNX): the one place that
 * knows how tensors and weights change layout. Generated PyTorch code and ONNX graphs permute
 * activations with these axis orders; kernels are converted once when the weights are written.
 */
import { reshape, transpose, type HostTensor } from './tensor';

/** Where the channels of an activation are: last (`[N, H, W, C]`) or first after the batch (`[N, C, H, W]`). */
export type Layout = 'cl' | 'cf';

/** Axis order taking a batch of samples of this rank from channels-last to channels-first, and back. */
const PERMS: Record<number, Record<Layout, number[]>> = {
  2: { cf: [0, 2, 1], cl: [0, 2, 1] },
  3: { cf: [0, 3, 1, 2], cl: [0, 2, 3, 1] },
};

/** The permutation to `want` for a batch of samples of `sampleRank`, or null when the layout does not apply. */
export function layoutPerm(sampleRank: number, want: Layout): number[] | null {
  return PERMS[sampleRank]?.[want] ?? null;
}

/** A TF convolution kernel [k..., in, out] as PyTorch/ONNX hold it: [out, in, k...]. */
export function kernelToChannelsFirst(t: HostTensor): HostTensor {
  return transpose(t, t.shape.length === 3 ? [2, 1, 0] : [3, 2, 0, 1]);
}

/** A TF depthwise kernel [kh, kw, cin, m] as a grouped convolution's [cin * m, 1, kh, kw] (output channel c * m + j, as TF). */
export function depthwiseKernelToChannelsFirst(t: HostTensor): HostTensor {
  const [kh, kw, cin, m] = t.shape as [number, number, number, number];
  return transpose(reshape(t, [kh, kw, cin * m, 1]), [2, 3, 0, 1]);
}

/** A node's output as generated code holds it: in which layout, of which per-sample rank. */
export interface Placed {
  layout: Layout;
  rank: number;
}

/**
 * The nodes' outputs of a generated model, each converted to another layout on demand and at most
 * once (the conversion is emitted where a run of channels-first layers starts or ends, not per
 * layer). `permute` emits one conversion in the target format (a PyTorch `permute`, an ONNX Transpose).
 */
export class LayoutTracker<V extends Placed> {
  private readonly values = new Map<string, V>();
  private readonly converted = new Map<string, V>();

  constructor(private readonly permute: (id: string, v: V, want: Layout, perm: number[]) => V) {}

  set(id: string, v: V): void {
    this.values.set(id, v);
  }

  /** Node `id`'s output in layout `want` ('any': as it is; samples of other ranks have no layout to change). */
  get(id: string, want: Layout | 'any'): V {
    const v = this.values.get(id)!;
    const perm = want === 'any' ? null : layoutPerm(v.rank, want);
    if (want === 'any' || v.layout === want || !perm) return v;
    const key = `${id}:${want}`;
    let out = this.converted.get(key);
    if (!out) {
      out = this.permute(id, v, want, perm);
      this.converted.set(key, out);
    }
    return out;
  }
}
