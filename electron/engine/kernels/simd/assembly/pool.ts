// Part of the SIMD kernels module (entry: ./kernels.ts; see its header for the memory rules).
// Max/average pooling gradients, four channels at a time.

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)
/**
 * MaxPoolGrad: dy added at each window's FIRST maximum (row-major scan, strict >; the cpu backend's
 * rule, ties included), four channels at a time. Windows with no value > −∞ (all −∞/NaN) add nothing.
 */
export function maxPoolGrad(
  x: usize, dy: usize, dx: usize,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, KH: i32, KW: i32, sH: i32, sW: i32, pT: i32, pL: i32,
): void {
  memory.fill(dx, 0, <usize>(N * H * W * C) << 2);
  const C4 = C & ~3;
  const lanes = i32x4(0, 1, 2, 3);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = max(0, oh * sH - pT), h1 = min(H, oh * sH - pT + KH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = max(0, ow * sW - pL), w1 = min(W, ow * sW - pL + KW);
        const g = dy + (<usize>(((n * OH + oh) * OW + ow) * C) << 2);
        for (let c = 0; c < C4; c += 4) {
          let best = f32x4.splat(-Infinity);
          let pos = i32x4.splat(-1);
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const e = ((n * H + h) * W + w) * C + c;
              const v = v128.load(x + (<usize>e << 2));
              const m = f32x4.gt(v, best);
              best = v128.bitselect(v, best, m);
              pos = v128.bitselect(i32x4.add(i32x4.splat(e), lanes), pos, m);
            }
          }
          const gc = g + (<usize>c << 2);
          let p = i32x4.extract_lane(pos, 0);
          if (p >= 0) store<f32>(dx + (<usize>p << 2), load<f32>(dx + (<usize>p << 2)) + load<f32>(gc));
          p = i32x4.extract_lane(pos, 1);
          if (p >= 0) store<f32>(dx + (<usize>p << 2), load<f32>(dx + (<usize>p << 2)) + load<f32>(gc, 4));
          p = i32x4.extract_lane(pos, 2);
          if (p >= 0) store<f32>(dx + (<usize>p << 2), load<f32>(dx + (<usize>p << 2)) + load<f32>(gc, 8));
          p = i32x4.extract_lane(pos, 3);
          if (p >= 0) store<f32>(dx + (<usize>p << 2), load<f32>(dx + (<usize>p << 2)) + load<f32>(gc, 12));
        }
        for (let c = C4; c < C; c++) {
          let best: f32 = -Infinity;
          let pos = -1;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const e = ((n * H + h) * W + w) * C + c;
              const v = load<f32>(x + (<usize>e << 2));
              if (v > best) { best = v; pos = e; }
            }
          }
          if (pos >= 0) store<f32>(dx + (<usize>pos << 2), load<f32>(dx + (<usize>pos << 2)) + load<f32>(g + (<usize>c << 2)));
        }
      }
    }
  }
}

/** AvgPoolGrad: dy·mult added over each window's in-bounds pixels (mult = 1/(KH·KW), padding counted). */
export function avgPoolGrad(
  dy: usize, dx: usize,
  N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, KH: i32, KW: i32, sH: i32, sW: i32, pT: i32, pL: i32, mult: f32,
): void {
  memory.fill(dx, 0, <usize>(N * H * W * C) << 2);
  const C4 = C & ~3;
  const mv = f32x4.splat(mult);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = max(0, oh * sH - pT), h1 = min(H, oh * sH - pT + KH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = max(0, ow * sW - pL), w1 = min(W, ow * sW - pL + KW);
        const g = dy + (<usize>(((n * OH + oh) * OW + ow) * C) << 2);
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const d = dx + (<usize>(((n * H + h) * W + w) * C) << 2);
            for (let c = 0; c < C4; c += 4) {
              const o = <usize>c << 2;
              v128.store(d + o, f32x4.add(v128.load(d + o), f32x4.mul(v128.load(g + o), mv)));
            }
            for (let c = C4; c < C; c++) {
              const o = <usize>c << 2;
              store<f32>(d + o, load<f32>(d + o) + load<f32>(g + o) * mult);
            }
          }
        }
      }
    }
  }
}
