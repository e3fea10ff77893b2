// AssemblyScript source of Layerloom's WebAssembly SIMD kernels (issue 9). Built by
// scripts/build-kernels.mjs into ../kernels-wasm.ts; the module IMPORTS tfjs-backend-wasm's own
// memory, so every pointer below is a byte offset into that heap (tensor data or malloc'ed scratch).
// The module must therefore own no memory at all: no static data, no runtime, no allocation
// (build.test.ts checks that the binary has no data segment).
//
// All tensors are float32 NHWC; filters [KH, KW, Ci, Co]. Scratch sizes: see the *Scratch functions.

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

const MR: i32 = 4; // rows of the GEMM micro-kernel
const NR: i32 = 8; // columns (two v128)

@inline function up(v: i32, m: i32): i32 {
  return (v + m - 1) / m * m;
}

/**
 * C[rows × ldc] += A·B (acc = 1) or C = A·B (acc = 0), for rows % 4 == 0 and cols % 8 == 0.
 * A is packed in panels of 4 rows, k-major: A[i][k] at ap + ((i/4)·kdim·4 + k·4 + i%4)·4.
 * B is row-major [kdim][ldb]. 4×8 register tile: 8 accumulators + 2 B vectors + 1 splat fit in the
 * 16 vector registers V8 uses on x64 (wider tiles spill). No FMA in baseline wasm SIMD: mul + add.
 */
export function gemm(ap: usize, b: usize, c: usize, rows: i32, cols: i32, kdim: i32, ldb: i32, ldc: i32, acc: i32): void {
  const bs = <usize>ldb << 2;
  const cs = <usize>ldc << 2;
  const panel = <usize>kdim << 4;
  for (let p = 0; p < rows; p += MR) {
    const pa0 = ap + <usize>(p / MR) * panel;
    const cp = c + <usize>p * cs;
    for (let j = 0; j < cols; j += NR) {
      const c0 = cp + (<usize>j << 2);
      const c1 = c0 + cs;
      const c2 = c1 + cs;
      const c3 = c2 + cs;
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
      let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
      if (acc) {
        a00 = v128.load(c0); a01 = v128.load(c0, 16);
        a10 = v128.load(c1); a11 = v128.load(c1, 16);
        a20 = v128.load(c2); a21 = v128.load(c2, 16);
        a30 = v128.load(c3); a31 = v128.load(c3, 16);
      }
      let pa = pa0;
      let pb = b + (<usize>j << 2);
      for (let k = 0; k < kdim; k++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        let s = v128.load32_splat(pa);
        a00 = f32x4.add(a00, f32x4.mul(s, b0));
        a01 = f32x4.add(a01, f32x4.mul(s, b1));
        s = v128.load32_splat(pa, 4);
        a10 = f32x4.add(a10, f32x4.mul(s, b0));
        a11 = f32x4.add(a11, f32x4.mul(s, b1));
        s = v128.load32_splat(pa, 8);
        a20 = f32x4.add(a20, f32x4.mul(s, b0));
        a21 = f32x4.add(a21, f32x4.mul(s, b1));
        s = v128.load32_splat(pa, 12);
        a30 = f32x4.add(a30, f32x4.mul(s, b0));
        a31 = f32x4.add(a31, f32x4.mul(s, b1));
        pa += 16;
        pb += bs;
      }
      v128.store(c0, a00); v128.store(c0, a01, 16);
      v128.store(c1, a10); v128.store(c1, a11, 16);
      v128.store(c2, a20); v128.store(c2, a21, 16);
      v128.store(c3, a30); v128.store(c3, a31, 16);
    }
  }
}

/** Copy n floats (v128 body, scalar tail). */
@inline function copyF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** Scratch bytes convFilterGrad needs. */
export function convFilterGradScratch(K: i32, Co: i32, MB: i32): i32 {
  const K8 = up(K, NR), Co4 = up(Co, MR);
  return (Co4 * K8 + MB * K8 + Co4 * MB) << 2;
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
  const run = KW * Ci;
  const rs = <usize>K8 << 2;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const mb = min(MB, M - m0);
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
  for (let r = 0; r < K; r++) {
    for (let co = 0; co < Co; co++) store<f32>(dw + (<usize>(r * Co + co) << 2), load<f32>(acc + (<usize>(co * K8 + r) << 2)));
  }
}

/** Scratch bytes convInputGrad needs. */
export function convInputGradScratch(K: i32, Co: i32, MB: i32): i32 {
  const K8 = up(K, NR), MB4 = up(MB, MR);
  return (Co * K8 + MB4 * Co + MB4 * K8) << 2;
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
  memory.fill(wT, 0, <usize>(Co * K8) << 2);
  for (let r = 0; r < K; r++) {
    for (let co = 0; co < Co; co++) store<f32>(wT + (<usize>(co * K8 + r) << 2), load<f32>(w + (<usize>(r * Co + co) << 2)));
  }
  memory.fill(dx, 0, <usize>(N * H * W * Ci) << 2);
  const M = N * OH * OW;
  const vec = Ci % 4 == 0;
  const cs = <usize>K8 << 2;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const mb = min(MB, M - m0);
    const mb4 = up(mb, MR);
    // pack dy rows into 4-row panels: A[i][co] at ap + ((i/4)·Co·4 + co·4 + i%4)·4; pad rows zero
    for (let i = 0; i < mb4; i++) {
      const dst = ap + <usize>(i >> 2) * (<usize>Co << 4) + (<usize>(i & 3) << 2);
      if (i < mb) {
        const src = dy + (<usize>((m0 + i) * Co) << 2);
        for (let co = 0; co < Co; co++) store<f32>(dst + (<usize>co << 4), load<f32>(src + (<usize>co << 2)));
      } else {
        for (let co = 0; co < Co; co++) store<f32>(dst + (<usize>co << 4), 0);
      }
    }
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
