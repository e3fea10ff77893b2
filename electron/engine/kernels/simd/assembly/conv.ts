// Part of the SIMD kernels module (entry: ./kernels.ts; see its header for the memory rules).
// Convolutions as im2col + GEMM: the forward pass and both gradients (any stride, padding, dilation).

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

import { MR, NR, up, gemm, copyF32, transpose2d } from './gemm';

/**
 * Rows m0..m0+mb of the im2col matrix, row i at pm + i·rs: position (n, oh, ow)'s patch, KH runs of
 * KW·Ci input values (copied as whole runs when the row is horizontally inside), zeros for padding.
 */
function im2colRows(
  x: usize, pm: usize, rs: usize, m0: i32, mb: i32,
  H: i32, W: i32, Ci: i32, OH: i32, OW: i32, KH: i32, KW: i32, sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32,
): void {
  const run = KW * Ci;
  let n = m0 / (OH * OW);
  let oh = (m0 / OW) % OH;
  let ow = m0 % OW;
  for (let i = 0; i < mb; i++) {
    const row = pm + <usize>i * rs;
    const iw0 = ow * sW - pL;
    const wholeRun = dW == 1 && iw0 >= 0 && iw0 + KW <= W;
    for (let kh = 0; kh < KH; kh++) {
      const ih = oh * sH - pT + kh * dH;
      const dst = row + (<usize>(kh * run) << 2);
      if (ih < 0 || ih >= H) {
        memory.fill(dst, 0, <usize>run << 2);
        continue;
      }
      const base = x + (<usize>((n * H + ih) * W) * Ci << 2);
      if (wholeRun) {
        copyF32(dst, base + (<usize>(iw0 * Ci) << 2), run);
        continue;
      }
      for (let kw = 0; kw < KW; kw++) {
        const iw = iw0 + kw * dW;
        const d = dst + (<usize>(kw * Ci) << 2);
        if (iw < 0 || iw >= W) memory.fill(d, 0, <usize>Ci << 2);
        else copyF32(d, base + (<usize>(iw * Ci) << 2), Ci);
      }
    }
    if (++ow == OW) { ow = 0; if (++oh == OH) { oh = 0; n++; } }
  }
}

/** Scratch bytes convFilterGrad needs (f64: sizes past 2 GiB must not wrap around). */
export function convFilterGradScratch(K: i32, Co: i32, MB: i32): f64 {
  const K8 = <f64>up(K, NR), Co4 = <f64>up(Co, MR), mb = <f64>MB;
  return (Co4 * K8 + mb * K8 + Co4 * mb) * 4;
}

/**
 * Conv2DBackpropFilter: dw[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sH − pT + kh·dH, ow·sW − pL + kw·dW, ci] · dy[n,oh,ow,co].
 * Per block of MB output positions: the block's input patches as row-major im2col rows (each row =
 * KH runs of KW·Ci contiguous input values, copied as runs; zeros for padding), dy's rows packed
 * into 4-channel panels, then accT[Co4 × K8] += dy_blockᵀ · patches (GEMM). K = KH·KW·Ci is padded
 * to 8 and Co to 4 with zeros (tails); accT is transposed into dw [K × Co] at the end.
 * (Measured: as fast as gathering the patches into the GEMM's packed panels for Ci = 32, and up to
 * 2x faster for Ci = 1, 3, 6, where those panels need scalar scatters.)
 */
export function convFilterGrad(
  x: usize, dy: usize, dw: usize, scratch: usize,
  N: i32, H: i32, W: i32, Ci: i32, OH: i32, OW: i32, Co: i32,
  KH: i32, KW: i32, sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32, MB: i32,
): void {
  const K = KH * KW * Ci;
  const K8 = up(K, NR), Co4 = up(Co, MR);
  const acc = scratch;
  const pm = acc + (<usize>(Co4 * K8) << 2);
  const ap = pm + (<usize>(MB * K8) << 2);
  memory.fill(acc, 0, <usize>(Co4 * K8) << 2);
  memory.fill(pm, 0, <usize>(MB * K8) << 2); // the K..K8 tail of every row stays zero
  const M = N * OH * OW;
  const rs = <usize>K8 << 2;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const mb = min(MB, M - m0);
    im2colRows(x, pm, rs, m0, mb, H, W, Ci, OH, OW, KH, KW, sH, sW, dH, dW, pT, pL);
    // dy rows → 4-channel panels: A[co][i] at ap + ((co/4)·mb·4 + i·4 + co%4)·4, channels ≥ Co zero
    const ps = <usize>mb << 4;
    const g0 = dy + (<usize>(m0 * Co) << 2);
    for (let q = 0; q < Co4; q += 4) {
      const dst = ap + <usize>(q >> 2) * ps;
      if (q + 4 <= Co) {
        for (let i = 0; i < mb; i++) v128.store(dst + (<usize>i << 4), v128.load(g0 + (<usize>(i * Co + q) << 2)));
      } else {
        for (let i = 0; i < mb; i++) {
          for (let t = 0; t < 4; t++) {
            store<f32>(dst + (<usize>i << 4) + (<usize>t << 2), q + t < Co ? load<f32>(g0 + (<usize>(i * Co + q + t) << 2)) : 0);
          }
        }
      }
    }
    gemm(ap, pm, acc, Co4, K8, mb, K8, K8, 1);
  }
  transpose2d(acc, K8, dw, Co, Co, K);
}

/** Scratch bytes convInputGrad needs. */
export function convInputGradScratch(K: i32, Co: i32, MB: i32): f64 {
  const K8 = <f64>up(K, NR), MB4 = <f64>up(MB, MR), co = <f64>Co;
  return (co * K8 + MB4 * co + MB4 * K8) * 4;
}

/**
 * Conv2DBackpropInput: dx[n,ih,iw,ci] = Σ dy[n,oh,ow,co] · w[kh,kw,ci,co] over the (oh,ow,kh,kw)
 * with ih = oh·sH − pT + kh·dH (same for w). Per block of MB output positions:
 * cols[MB × K] = dy_block · wᵀ (GEMM), then col2im adds each row's K values into its patch of dx.
 */
export function convInputGrad(
  dy: usize, w: usize, dx: usize, scratch: usize,
  N: i32, H: i32, W: i32, Ci: i32, OH: i32, OW: i32, Co: i32,
  KH: i32, KW: i32, sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32, MB: i32,
): void {
  const K = KH * KW * Ci;
  const K8 = up(K, NR), MB4 = up(MB, MR);
  const wT = scratch;
  const ap = wT + (<usize>(Co * K8) << 2);
  const cols = ap + (<usize>(MB4 * Co) << 2);
  // wT[co][r] = w[r][co], zero-padded to K8 columns
  if (K8 != K) memory.fill(wT, 0, <usize>(Co * K8) << 2);
  transpose2d(w, Co, wT, K8, K, Co);
  memory.fill(dx, 0, <usize>(N * H * W * Ci) << 2);
  const M = N * OH * OW;
  const vec = Ci % 4 == 0;
  const cs = <usize>K8 << 2;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const mb = min(MB, M - m0);
    const mb4 = up(mb, MR);
    // pack dy rows into 4-row panels: A[i][co] at ap + ((i/4)·Co·4 + co·4 + i%4)·4; pad rows zero
    const ps = <usize>Co << 4;
    if (mb4 != mb) memory.fill(ap + <usize>(mb4 / 4 - 1) * ps, 0, ps);
    for (let i = 0; i < mb; i += 4) transpose2d(dy + (<usize>((m0 + i) * Co) << 2), Co, ap + <usize>(i >> 2) * ps, 4, min(4, mb - i), Co);
    gemm(ap, wT, cols, mb4, K8, Co, K8, K8, 0);
    let n = m0 / (OH * OW);
    let oh = (m0 / OW) % OH;
    let ow = m0 % OW;
    for (let i = 0; i < mb; i++) {
      const row = cols + <usize>i * cs;
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sH - pT + kh * dH;
        if (ih < 0 || ih >= H) continue;
        for (let kw = 0; kw < KW; kw++) {
          const iw = ow * sW - pL + kw * dW;
          if (iw < 0 || iw >= W) continue;
          const dst = dx + (<usize>(((n * H + ih) * W + iw) * Ci) << 2);
          const src = row + (<usize>((kh * KW + kw) * Ci) << 2);
          if (vec) {
            for (let ci = 0; ci < Ci; ci += 4) {
              const o = <usize>ci << 2;
              v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
            }
          } else {
            for (let ci = 0; ci < Ci; ci++) {
              const o = <usize>ci << 2;
              store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
            }
          }
        }
      }
      if (++ow == OW) { ow = 0; if (++oh == OH) { oh = 0; n++; } }
    }
  }
}

/** Scratch bytes convForward needs (MB a multiple of 4). */
export function convForwardScratch(K: i32, Co: i32, MB: i32): f64 {
  const Co8 = up(Co, NR);
  const k = <f64>K, mb = <f64>MB, co8 = <f64>Co8;
  return (mb * k * 2 + (Co8 != Co ? k * co8 : 0) + mb * co8) * 4;
}

/**
 * Conv2D forward: y[n,oh,ow,co] = Σ x[n, oh·sH − pT + kh·dH, ow·sW − pL + kw·dW, ci] · w[kh,kw,ci,co].
 * Per block of MB (a multiple of 4) output positions: im2col rows, transposed 4 rows at a time into
 * the GEMM's panels, times w [K × Co] written straight into y's rows (NHWC: a block of positions is
 * a block of rows of y). Co not a multiple of 8: w and the block's output go through padded copies.
 */
export function convForward(
  x: usize, w: usize, y: usize, scratch: usize,
  N: i32, H: i32, W: i32, Ci: i32, OH: i32, OW: i32, Co: i32,
  KH: i32, KW: i32, sH: i32, sW: i32, dH: i32, dW: i32, pT: i32, pL: i32, MB: i32,
): void {
  const K = KH * KW * Ci;
  const Co8 = up(Co, NR);
  const pm = scratch;
  const ap = pm + (<usize>(MB * K) << 2);
  let wp = w;
  const cs = ap + (<usize>(MB * K) << 2) + (Co8 != Co ? <usize>(K * Co8) << 2 : 0);
  if (Co8 != Co) {
    wp = ap + (<usize>(MB * K) << 2);
    memory.fill(wp, 0, <usize>(K * Co8) << 2);
    for (let r = 0; r < K; r++) memory.copy(wp + (<usize>(r * Co8) << 2), w + (<usize>(r * Co) << 2), <usize>Co << 2);
  }
  const M = N * OH * OW;
  const rs = <usize>K << 2;
  const ps = <usize>K << 4;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const mb = min(MB, M - m0);
    const mb4 = up(mb, MR);
    im2colRows(x, pm, rs, m0, mb, H, W, Ci, OH, OW, KH, KW, sH, sW, dH, dW, pT, pL);
    if (mb4 != mb) memory.fill(ap + <usize>(mb4 / 4 - 1) * ps, 0, ps);
    for (let i = 0; i < mb; i += 4) transpose2d(pm + <usize>i * rs, K, ap + <usize>(i >> 2) * ps, 4, min(4, mb - i), K);
    const out = y + (<usize>(m0 * Co) << 2);
    if (Co8 == Co && mb4 == mb) {
      gemm(ap, wp, out, mb, Co, K, Co, Co, 0);
    } else {
      gemm(ap, wp, cs, mb4, Co8, K, Co8, Co8, 0);
      for (let i = 0; i < mb; i++) memory.copy(out + (<usize>(i * Co) << 2), cs + (<usize>(i * Co8) << 2), <usize>Co << 2);
    }
  }
}
