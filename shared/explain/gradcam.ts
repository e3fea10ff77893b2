/**
 * Grad-CAM (Selvaraju et al., 2017) from a convolution layer's activations A (channels-last,
 * [h, w, k] or, for Conv1D, [t, k]) and the target's gradient with respect to them:
 * αₖ = mean over positions of ∂f/∂Aₖ, map = ReLU(Σₖ αₖ Aₖ), upsampled to the input's size
 * (bilinear with half-pixel centres, as torch's F.interpolate(align_corners=False) and TF's
 * resizeBilinear(halfPixelCenters) do; linear along time for Conv1D).
 */

export interface GradCamResult {
  /** The map at the input's resolution (H·W or T values). */
  map: Float64Array;
  /** The map at the layer's resolution (h·w or t values). */
  coarse: Float64Array;
  /** αₖ, one per channel. */
  channelWeights: Float64Array;
}

export function gradCam(activations: ArrayLike<number>, grads: ArrayLike<number>, actShape: readonly number[], inputSpatial: readonly number[]): GradCamResult {
  if (actShape.length !== 2 && actShape.length !== 3) throw new Error(`Grad-CAM needs activations [height, width, channels] or [steps, channels], got [${actShape.join(', ')}]`);
  if (inputSpatial.length !== actShape.length - 1) throw new Error(`A ${actShape.length - 1}-D map cannot be resized to [${inputSpatial.join(', ')}]`);
  const k = actShape[actShape.length - 1]!;
  const positions = actShape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (activations.length !== positions * k || grads.length !== positions * k) throw new Error('Activations and gradients must both have the shape of the layer\'s output');
  const channelWeights = new Float64Array(k);
  for (let p = 0; p < positions; p++) for (let c = 0; c < k; c++) channelWeights[c]! += grads[p * k + c]!;
  for (let c = 0; c < k; c++) channelWeights[c]! /= positions;
  const coarse = new Float64Array(positions);
  for (let p = 0; p < positions; p++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += channelWeights[c]! * activations[p * k + c]!;
    coarse[p] = s > 0 ? s : 0;
  }
  const map = actShape.length === 3
    ? resizeBilinear(coarse, actShape[0]!, actShape[1]!, inputSpatial[0]!, inputSpatial[1]!)
    : resizeBilinear(coarse, 1, actShape[0]!, 1, inputSpatial[0]!);
  return { map, coarse, channelWeights };
}

/** Source index and weight of the next one along an axis (half-pixel centres, clamped). */
function axisTaps(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; t: Float64Array } {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const t = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = Math.max(0, scale * (o + 0.5) - 0.5);
    const a = Math.min(Math.floor(src), inSize - 1);
    i0[o] = a;
    i1[o] = a < inSize - 1 ? a + 1 : a;
    t[o] = src - a;
  }
  return { i0, i1, t };
}

/** Bilinear resize of a single-channel [h, w] map to [outH, outW]. */
export function resizeBilinear(src: ArrayLike<number>, h: number, w: number, outH: number, outW: number): Float64Array {
  const ys = axisTaps(h, outH);
  const xs = axisTaps(w, outW);
  const out = new Float64Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const r0 = ys.i0[y]! * w, r1 = ys.i1[y]! * w, ty = ys.t[y]!;
    for (let x = 0; x < outW; x++) {
      const c0 = xs.i0[x]!, c1 = xs.i1[x]!, tx = xs.t[x]!;
      const top = src[r0 + c0]! + (src[r0 + c1]! - src[r0 + c0]!) * tx;
      const bottom = src[r1 + c0]! + (src[r1 + c1]! - src[r1 + c0]!) * tx;
      out[y * outW + x] = top + (bottom - top) * ty;
    }
  }
  return out;
}
