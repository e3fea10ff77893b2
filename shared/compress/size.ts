/**
 * Size accounting: the bytes a model's weights take when written at a given precision, produced by
 * actually encoding them (so the figure is a file's length, not a formula), plus parameter and
 * non-zero counts. The engine measures gzip on these same bytes (node:zlib), which is what sparse
 * (pruned) weights gain: runs of zeros compress, a dense float32 file hardly does.
 *
 * Layout (little-endian, tensors one after another, no header: names and shapes live in the
 * manifest of whatever format carries them):
 *   float32  4 bytes per value
 *   float16  2 bytes per value (IEEE half)
 *   int8     1 byte per value, then one float32 scale per channel (symmetric: no zero point)
 *   int32    4 bytes per value, then one float32 scale per channel (quantized biases)
 */
import { toFloat16Bits } from './quantize';

export type EncodedWeight =
  | { name: string; shape: number[]; encoding: 'float32' | 'float16'; values: Float32Array }
  | { name: string; shape: number[]; encoding: 'int8'; q: Int8Array; scales: Float32Array }
  | { name: string; shape: number[]; encoding: 'int32'; q: Int32Array; scales: Float32Array };

export type WeightEncoding = EncodedWeight['encoding'];

/** Bytes one weight takes. */
export function encodedSize(w: EncodedWeight): number {
  const n = w.shape.reduce((a, b) => a * b, 1);
  switch (w.encoding) {
    case 'float32': return 4 * n;
    case 'float16': return 2 * n;
    case 'int8': return n + 4 * w.scales.length;
    case 'int32': return 4 * n + 4 * w.scales.length;
  }
}

/** Encode weights into one buffer (the layout above). */
export function encodeWeights(weights: readonly EncodedWeight[]): Uint8Array {
  const out = new Uint8Array(weights.reduce((a, w) => a + encodedSize(w), 0));
  const view = new DataView(out.buffer);
  let o = 0;
  const f32 = (v: number) => { view.setFloat32(o, v, true); o += 4; };
  for (const w of weights) {
    switch (w.encoding) {
      case 'float32':
        for (const v of w.values) f32(v);
        break;
      case 'float16':
        for (const v of w.values) { view.setUint16(o, toFloat16Bits(v), true); o += 2; }
        break;
      case 'int8':
        out.set(new Uint8Array(w.q.buffer, w.q.byteOffset, w.q.length), o);
        o += w.q.length;
        w.scales.forEach(f32);
        break;
      case 'int32':
        for (const v of w.q) { view.setInt32(o, v, true); o += 4; }
        w.scales.forEach(f32);
        break;
    }
  }
  return out;
}

/** Parameters and non-zero parameters of some weights. */
export function countWeights(weights: readonly { values: ArrayLike<number> }[]): { params: number; nonZero: number } {
  let params = 0, nonZero = 0;
  for (const w of weights) {
    params += w.values.length;
    for (let i = 0; i < w.values.length; i++) if (w.values[i] !== 0) nonZero++;
  }
  return { params, nonZero };
}
