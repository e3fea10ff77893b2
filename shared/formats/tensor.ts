/**
 * A minimal host tensor for weight conversion (row-major Float32Array + shape), and the few
 * layout operations exporters need (transpose, reshape, slice along an axis, concat). Pure TS.
 */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
  /** Defaults to float32; int64 is used only for PyTorch's BatchNorm `num_batches_tracked`. */
  dtype?: 'float32' | 'int64';
}

/** Weights of each node in TF.js `layer.getWeights()` order, keyed by node id. */
export type NodeWeights = Record<string, HostTensor[]>;

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function tensor(shape: number[], data?: Float32Array | number[]): HostTensor {
  const d = data instanceof Float32Array ? data : data ? Float32Array.from(data) : new Float32Array(sizeOf(shape));
  if (d.length !== sizeOf(shape)) throw new Error(`tensor: ${d.length} values do not fill shape [${shape.join(', ')}]`);
  return { shape: [...shape], data: d };
}

const strides = (shape: readonly number[]) => {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
};

/** out[i_perm[0], i_perm[1], ...] = in[i_0, i_1, ...]: numpy's `np.transpose(x, perm)`. */
export function transpose(t: HostTensor, perm: number[]): HostTensor {
  const shape = perm.map((p) => t.shape[p]!);
  const inStr = strides(t.shape);
  const out = new Float32Array(t.data.length);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  const srcStr = perm.map((p) => inStr[p]!);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += idx[k]! * srcStr[k]!;
    out[o] = t.data[src]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return { shape, data: out };
}

export function reshape(t: HostTensor, shape: number[]): HostTensor {
  if (sizeOf(shape) !== t.data.length) throw new Error(`reshape: [${t.shape.join(', ')}] → [${shape.join(', ')}]`);
  return { shape: [...shape], data: t.data };
}

/** Split along `axis` into pieces of the given sizes. */
export function split(t: HostTensor, sizes: number[], axis: number): HostTensor[] {
  const outer = sizeOf(t.shape.slice(0, axis));
  const inner = sizeOf(t.shape.slice(axis + 1));
  const total = t.shape[axis]!;
  let start = 0;
  return sizes.map((n) => {
    const shape = [...t.shape];
    shape[axis] = n;
    const out = new Float32Array(sizeOf(shape));
    for (let o = 0; o < outer; o++) {
      out.set(t.data.subarray((o * total + start) * inner, (o * total + start + n) * inner), o * n * inner);
    }
    start += n;
    return { shape, data: out };
  });
}

export function concat(ts: HostTensor[], axis: number): HostTensor {
  const first = ts[0]!;
  const outer = sizeOf(first.shape.slice(0, axis));
  const inner = sizeOf(first.shape.slice(axis + 1));
  const total = ts.reduce((a, t) => a + t.shape[axis]!, 0);
  const shape = [...first.shape];
  shape[axis] = total;
  const out = new Float32Array(sizeOf(shape));
  let start = 0;
  for (const t of ts) {
    const n = t.shape[axis]!;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * n * inner, (o + 1) * n * inner), (o * total + start) * inner);
    start += n;
  }
  return { shape, data: out };
}

export const zerosLike = (shape: number[]): HostTensor => tensor(shape);
export const filled = (shape: number[], v: number): HostTensor => tensor(shape, new Float32Array(sizeOf(shape)).fill(v));
