// AssemblyScript source of Layerloom's WebAssembly SIMD kernels (issue 9). Built by
// scripts/build-wasm.mjs into ../kernels-wasm.ts; the module IMPORTS tfjs-backend-wasm's own
// memory, so every pointer below is a byte offset into that heap (tensor data or malloc'ed scratch).
// The module must therefore own no memory at all: no static data, no runtime, no allocation
// (scripts/build-wasm.test.ts checks that the binary has no data segment).
//
// All tensors are float32 NHWC; filters [KH, KW, Ci, Co]. Scratch sizes: see the *Scratch functions.

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

const MR: i32 = 4; // rows of the GEMM micro-kernel
const NR: i32 = 8; // columns (two v128)
const NB: i32 = 64; // columns per cache block of B

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
  // Column chunks of NB: the chunk of B (kdim × NB) stays in cache while every A panel passes
  // over it (B can be megabytes: a Dense layer's transposed weights).
  for (let j0 = 0; j0 < cols; j0 += NB) {
  const j1 = min(cols, j0 + NB);
  for (let p = 0; p < rows; p += MR) {
    const pa0 = ap + <usize>(p / MR) * panel;
    const cp = c + <usize>p * cs;
    for (let j = j0; j < j1; j += NR) {
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
}

/** Copy n floats (v128 body, scalar tail). */
@inline function copyF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/**
 * dst[j][i] = src[i][j] for i < rows, j < cols (leading dimensions lds, ldd in floats): 4×4 blocks
 * with eight shuffles, scalar edges.
 */
export function transpose2d(src: usize, lds: i32, dst: usize, ldd: i32, rows: i32, cols: i32): void {
  const ss = <usize>lds << 2, ds = <usize>ldd << 2;
  const r4 = rows & ~3, c4 = cols & ~3;
  for (let i = 0; i < r4; i += 4) {
    const s0 = src + <usize>i * ss;
    const d0 = dst + (<usize>i << 2);
    for (let j = 0; j < c4; j += 4) {
      const p = s0 + (<usize>j << 2);
      const a = v128.load(p), b = v128.load(p + ss), c = v128.load(p + ss * 2), d = v128.load(p + ss * 3);
      const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5); // a0 b0 a1 b1
      const t1 = v128.shuffle<f32>(c, d, 0, 4, 1, 5); // c0 d0 c1 d1
      const t2 = v128.shuffle<f32>(a, b, 2, 6, 3, 7); // a2 b2 a3 b3
      const t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7); // c2 d2 c3 d3
      const q = d0 + <usize>j * ds;
      v128.store(q, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(q + ds, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(q + ds * 2, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(q + ds * 3, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (let j = c4; j < cols; j++) {
      for (let t = 0; t < 4; t++) store<f32>(d0 + <usize>j * ds + (<usize>t << 2), load<f32>(s0 + <usize>t * ss + (<usize>j << 2)));
    }
  }
  for (let i = r4; i < rows; i++) {
    for (let j = 0; j < cols; j++) store<f32>(dst + <usize>j * ds + (<usize>i << 2), load<f32>(src + <usize>i * ss + (<usize>j << 2)));
  }
}

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

/**
 * out[c] = Σ_r x[r][c] for x [rows × cols] (a Sum over leading axes: bias gradients, batch
 * statistics). Blocks of 16 columns (one cache line per row) with two row phases in 8
 * accumulators, then 4-column blocks, then single columns (summed in f64).
 */
export function colSum(x: usize, out: usize, rows: i32, cols: i32): void {
  const rs = <usize>cols << 2;
  let c = 0;
  for (; c + 16 <= cols; c += 16) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
    let p = x + (<usize>c << 2);
    let r = 0;
    for (; r + 2 <= rows; r += 2) {
      a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
      const q = p + rs;
      b0 = f32x4.add(b0, v128.load(q)); b1 = f32x4.add(b1, v128.load(q, 16));
      b2 = f32x4.add(b2, v128.load(q, 32)); b3 = f32x4.add(b3, v128.load(q, 48));
      p += rs << 1;
    }
    if (r < rows) {
      a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
    }
    const o = out + (<usize>c << 2);
    v128.store(o, f32x4.add(a0, b0)); v128.store(o, f32x4.add(a1, b1), 16);
    v128.store(o, f32x4.add(a2, b2), 32); v128.store(o, f32x4.add(a3, b3), 48);
  }
  for (; c + 4 <= cols; c += 4) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let p = x + (<usize>c << 2);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p + rs));
      a2 = f32x4.add(a2, v128.load(p + rs * 2));
      a3 = f32x4.add(a3, v128.load(p + rs * 3));
      p += rs << 2;
    }
    for (; r < rows; r++) {
      a0 = f32x4.add(a0, v128.load(p));
      p += rs;
    }
    v128.store(out + (<usize>c << 2), f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  }
  for (; c < cols; c++) {
    let s: f64 = 0;
    let p = x + (<usize>c << 2);
    for (let r = 0; r < rows; r++) {
      s += <f64>load<f32>(p);
      p += rs;
    }
    store<f32>(out + (<usize>c << 2), <f32>s);
  }
}

/** Scratch bytes matmulTA / matmulTB need. */
export function matmulScratch(M: i32, K: i32, N: i32, tb: i32): i32 {
  const M4 = up(M, MR), N8 = up(N, NR);
  const out = N8 != N || M4 != M ? M4 * N8 : 0;
  return (M4 * K + (tb || N8 != N ? K * N8 : 0) + out) << 2;
}

/** C = A-operand panels × b [K × N8]: into c [M × N] directly when it fits the tile sizes, else via scratch. */
@inline function product(ap: usize, b: usize, c: usize, cs: usize, M: i32, K: i32, N: i32): void {
  const M4 = up(M, MR), N8 = up(N, NR);
  if (N8 == N && M4 == M) {
    gemm(ap, b, c, M, N, K, N8, N, 0);
    return;
  }
  gemm(ap, b, cs, M4, N8, K, N8, N8, 0);
  for (let i = 0; i < M; i++) memory.copy(c + (<usize>(i * N) << 2), cs + (<usize>(i * N8) << 2), <usize>N << 2);
}

/**
 * c [M × N] = aᵀ·b for a [K × M], b [K × N] (a Dense weight gradient xᵀ·dy). The A operand's 4-row
 * panels are 4 consecutive columns of a: one v128 copy per row of a.
 */
export function matmulTA(a: usize, b: usize, c: usize, scratch: usize, K: i32, M: i32, N: i32): void {
  const M4 = up(M, MR), N8 = up(N, NR);
  const ap = scratch;
  let bp = ap + (<usize>(M4 * K) << 2);
  const cs = bp + (N8 != N ? <usize>(K * N8) << 2 : 0);
  const ps = <usize>K << 4;
  for (let p = 0; p < M4; p += 4) {
    const dst = ap + <usize>(p >> 2) * ps;
    if (p + 4 <= M) {
      for (let k = 0; k < K; k++) v128.store(dst + (<usize>k << 4), v128.load(a + (<usize>(k * M + p) << 2)));
    } else {
      for (let k = 0; k < K; k++) {
        for (let t = 0; t < 4; t++) store<f32>(dst + (<usize>k << 4) + (<usize>t << 2), p + t < M ? load<f32>(a + (<usize>(k * M + p + t) << 2)) : 0);
      }
    }
  }
  if (N8 != N) {
    memory.fill(bp, 0, <usize>(K * N8) << 2);
    for (let k = 0; k < K; k++) memory.copy(bp + (<usize>(k * N8) << 2), b + (<usize>(k * N) << 2), <usize>N << 2);
  } else {
    bp = b;
  }
  product(ap, bp, c, cs, M, K, N);
}

/**
 * c [M × N] = a·bᵀ for a [M × K], b [N × K] (a Dense input gradient dy·Wᵀ). a's rows are packed into
 * 4-row panels and b is transposed to [K × N8], both with 4×4 shuffle transposes.
 */
export function matmulTB(a: usize, b: usize, c: usize, scratch: usize, M: i32, K: i32, N: i32): void {
  const M4 = up(M, MR), N8 = up(N, NR);
  const ap = scratch;
  const bt = ap + (<usize>(M4 * K) << 2);
  const cs = bt + (<usize>(K * N8) << 2);
  const ps = <usize>K << 4;
  if (M4 != M) memory.fill(ap + <usize>(M4 / 4 - 1) * ps, 0, ps);
  for (let p = 0; p < M; p += 4) transpose2d(a + (<usize>(p * K) << 2), K, ap + <usize>(p >> 2) * ps, 4, min(4, M - p), K);
  if (N8 != N) memory.fill(bt, 0, <usize>(K * N8) << 2);
  transpose2d(b, K, bt, N8, N, K);
  product(ap, bt, c, cs, M, K, N);
}

/** Scratch bytes convForward needs (MB a multiple of 4). */
export function convForwardScratch(K: i32, Co: i32, MB: i32): i32 {
  const Co8 = up(Co, NR);
  return (MB * K * 2 + (Co8 != Co ? K * Co8 : 0) + MB * Co8) << 2;
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

/** c [M × N] = a·b for a [M × K], b [K × N] (scratch: matmulScratch(M, K, N, 0)). */
export function matmulNN(a: usize, b: usize, c: usize, scratch: usize, M: i32, K: i32, N: i32): void {
  const M4 = up(M, MR), N8 = up(N, NR);
  const ap = scratch;
  let bp = ap + (<usize>(M4 * K) << 2);
  const cs = bp + (N8 != N ? <usize>(K * N8) << 2 : 0);
  const ps = <usize>K << 4;
  if (M4 != M) memory.fill(ap + <usize>(M4 / 4 - 1) * ps, 0, ps);
  for (let p = 0; p < M; p += 4) transpose2d(a + (<usize>(p * K) << 2), K, ap + <usize>(p >> 2) * ps, 4, min(4, M - p), K);
  if (N8 != N) {
    memory.fill(bp, 0, <usize>(K * N8) << 2);
    for (let k = 0; k < K; k++) memory.copy(bp + (<usize>(k * N8) << 2), b + (<usize>(k * N) << 2), <usize>N << 2);
  } else {
    bp = b;
  }
  product(ap, bp, c, cs, M, K, N);
}

/**
 * Relu's gradient in one pass: out = x > 0 ? dy : 0, NaN where x is NaN (the stock
 * dy·cast(step(x)) is three passes; step(NaN) is NaN).
 */
export function reluGrad(dy: usize, x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    const r = v128.and(v128.load(dy + o), f32x4.gt(xv, zero));
    v128.store(out + o, v128.bitselect(xv, r, f32x4.ne(xv, xv)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const xs = load<f32>(x + o);
    store<f32>(out + o, xs > 0 ? load<f32>(dy + o) : xs != xs ? xs : <f32>0);
  }
}

/** out[r][c] = a[r][c] + b[c] for a [rows × cols] (a bias add). */
export function addRows(a: usize, b: usize, out: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  const rs = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const pa = a + <usize>r * rs, po = out + <usize>r * rs;
    for (let c = 0; c < c4; c += 4) {
      const o = <usize>c << 2;
      v128.store(po + o, f32x4.add(v128.load(pa + o), v128.load(b + o)));
    }
    for (let c = c4; c < cols; c++) {
      const o = <usize>c << 2;
      store<f32>(po + o, load<f32>(pa + o) + load<f32>(b + o));
    }
  }
}

/** Scratch bytes winograd3x3 needs for blocks of TB tiles (a multiple of 4). */
export function winogradScratch(Ci: i32, Co: i32, TB: i32): i32 {
  const Co8 = up(Co, NR);
  return (16 * Ci * Co8 + 16 * TB * Ci + 16 * TB * Co8) << 2;
}

/**
 * A 3×3, stride 1, dilation 1 convolution by Winograd F(2×2, 3×3): 16 products per 2×2 output tile
 * instead of 36, i.e. 2.25x fewer multiplications. Per block of TB tiles: the input transform
 * V = Bᵀ·d·B of each 4×4 input tile (zeros outside the input), 16 GEMMs M_ξ = V_ξ · U_ξ over the input
 * channels (U = G·g·Gᵀ, the transformed filters, computed once), and the output transform
 * Y = Aᵀ·M·A into y [N, OH, OW, Co]. flip = 1 reads w as the input gradient's filter (spatially
 * reversed, channels swapped: w [3, 3, Co, Ci] of the forward convolution), so the same code computes
 * Conv2DBackpropInput as a convolution of dy.
 */
export function winograd3x3(
  x: usize, w: usize, y: usize, scratch: usize,
  N: i32, H: i32, W: i32, Ci: i32, OH: i32, OW: i32, Co: i32, pT: i32, pL: i32, flip: i32, TB: i32,
): void {
  const Co8 = up(Co, NR);
  const U = scratch; // [16][Ci][Co8]
  const V = U + (<usize>(16 * Ci * Co8) << 2); // [16][TB/4][Ci][4]
  const Mt = V + (<usize>(16 * TB * Ci) << 2); // [16][TB][Co8]
  // U_ξ[ci][co] = (G g Gᵀ)[ξ], G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]]
  memory.fill(U, 0, <usize>(16 * Ci * Co8) << 2);
  for (let ci = 0; ci < Ci; ci++) {
    for (let co = 0; co < Co; co++) {
      // g[a][b]: forward w[a][b][ci][co]; flipped: w[2−a][2−b][co][ci] (w is [3,3,Co,Ci] then)
      let g00: f32, g01: f32, g02: f32, g10: f32, g11: f32, g12: f32, g20: f32, g21: f32, g22: f32;
      if (flip) {
        const st = <usize>(Co * Ci) << 2; // one tap
        const base = w + (<usize>(co * Ci + ci) << 2);
        g00 = load<f32>(base + st * 8); g01 = load<f32>(base + st * 7); g02 = load<f32>(base + st * 6);
        g10 = load<f32>(base + st * 5); g11 = load<f32>(base + st * 4); g12 = load<f32>(base + st * 3);
        g20 = load<f32>(base + st * 2); g21 = load<f32>(base + st); g22 = load<f32>(base);
      } else {
        const st = <usize>(Ci * Co) << 2;
        const base = w + (<usize>(ci * Co + co) << 2);
        g00 = load<f32>(base); g01 = load<f32>(base + st); g02 = load<f32>(base + st * 2);
        g10 = load<f32>(base + st * 3); g11 = load<f32>(base + st * 4); g12 = load<f32>(base + st * 5);
        g20 = load<f32>(base + st * 6); g21 = load<f32>(base + st * 7); g22 = load<f32>(base + st * 8);
      }
      // t = G g (4×3), rows: g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2 (per column)
      const t00 = g00, t01 = g01, t02 = g02;
      const t10 = (g00 + g10 + g20) * 0.5, t11 = (g01 + g11 + g21) * 0.5, t12 = (g02 + g12 + g22) * 0.5;
      const t20 = (g00 - g10 + g20) * 0.5, t21 = (g01 - g11 + g21) * 0.5, t22 = (g02 - g12 + g22) * 0.5;
      const t30 = g20, t31 = g21, t32 = g22;
      const o = U + (<usize>(ci * Co8 + co) << 2);
      const xs = <usize>(Ci * Co8) << 2; // between ξ
      // u = t Gᵀ (4×4): columns t·0, (t0+t1+t2)/2, (t0−t1+t2)/2, t2
      store<f32>(o, t00); store<f32>(o + xs, (t00 + t01 + t02) * 0.5); store<f32>(o + xs * 2, (t00 - t01 + t02) * 0.5); store<f32>(o + xs * 3, t02);
      store<f32>(o + xs * 4, t10); store<f32>(o + xs * 5, (t10 + t11 + t12) * 0.5); store<f32>(o + xs * 6, (t10 - t11 + t12) * 0.5); store<f32>(o + xs * 7, t12);
      store<f32>(o + xs * 8, t20); store<f32>(o + xs * 9, (t20 + t21 + t22) * 0.5); store<f32>(o + xs * 10, (t20 - t21 + t22) * 0.5); store<f32>(o + xs * 11, t22);
      store<f32>(o + xs * 12, t30); store<f32>(o + xs * 13, (t30 + t31 + t32) * 0.5); store<f32>(o + xs * 14, (t30 - t31 + t32) * 0.5); store<f32>(o + xs * 15, t32);
    }
  }
  const TH = (OH + 1) >> 1, TW = (OW + 1) >> 1;
  const T = N * TH * TW;
  const C4 = Ci & ~3;
  const vξ = <usize>(TB * Ci) << 2; // V bytes between ξ
  const mξ = <usize>(TB * Co8) << 2; // Mt bytes between ξ
  const zero = f32x4.splat(0);
  for (let t0 = 0; t0 < T; t0 += TB) {
    const tb = min(TB, T - t0);
    const tb4 = up(tb, MR);
    if (tb4 != tb) {
      for (let q = 0; q < 16; q++) memory.fill(V + <usize>q * vξ + <usize>(tb4 / 4 - 1) * (<usize>Ci << 4), 0, <usize>Ci << 4);
    }
    // input transform: V_ξ for tile i at V + ξ·vξ + (i/4)·Ci·16 + ci·16 + (i%4)·4
    for (let i = 0; i < tb; i++) {
      const tile = t0 + i;
      const n = tile / (TH * TW), r = tile % (TH * TW);
      const ih0 = (r / TW) * 2 - pT, iw0 = (r % TW) * 2 - pL;
      const vt = V + <usize>(i >> 2) * (<usize>Ci << 4) + (<usize>(i & 3) << 2);
      for (let c = 0; c < Ci; c += 4) {
        const vec = c < C4;
        // d[a][b] = x[n, ih0+a, iw0+b, c..c+3] (zero outside)
        let d00 = zero, d01 = zero, d02 = zero, d03 = zero, d10 = zero, d11 = zero, d12 = zero, d13 = zero;
        let d20 = zero, d21 = zero, d22 = zero, d23 = zero, d30 = zero, d31 = zero, d32 = zero, d33 = zero;
        for (let a = 0; a < 4; a++) {
          const ih = ih0 + a;
          if (ih < 0 || ih >= H) continue;
          for (let b = 0; b < 4; b++) {
            const iw = iw0 + b;
            if (iw < 0 || iw >= W) continue;
            const p = x + (<usize>(((n * H + ih) * W + iw) * Ci + c) << 2);
            let v: v128;
            if (vec) v = v128.load(p);
            else {
              v = zero;
              v = f32x4.replace_lane(v, 0, load<f32>(p));
              if (c + 1 < Ci) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
              if (c + 2 < Ci) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
            }
            const k = a * 4 + b;
            if (k == 0) d00 = v; else if (k == 1) d01 = v; else if (k == 2) d02 = v; else if (k == 3) d03 = v;
            else if (k == 4) d10 = v; else if (k == 5) d11 = v; else if (k == 6) d12 = v; else if (k == 7) d13 = v;
            else if (k == 8) d20 = v; else if (k == 9) d21 = v; else if (k == 10) d22 = v; else if (k == 11) d23 = v;
            else if (k == 12) d30 = v; else if (k == 13) d31 = v; else if (k == 14) d32 = v; else d33 = v;
          }
        }
        // s = Bᵀ d (rows): d0−d2, d1+d2, d2−d1, d1−d3
        const s00 = f32x4.sub(d00, d20), s01 = f32x4.sub(d01, d21), s02 = f32x4.sub(d02, d22), s03 = f32x4.sub(d03, d23);
        const s10 = f32x4.add(d10, d20), s11 = f32x4.add(d11, d21), s12 = f32x4.add(d12, d22), s13 = f32x4.add(d13, d23);
        const s20 = f32x4.sub(d20, d10), s21 = f32x4.sub(d21, d11), s22 = f32x4.sub(d22, d12), s23 = f32x4.sub(d23, d13);
        const s30 = f32x4.sub(d10, d30), s31 = f32x4.sub(d11, d31), s32 = f32x4.sub(d12, d32), s33 = f32x4.sub(d13, d33);
        // V = s B (columns): s0−s2, s1+s2, s2−s1, s1−s3
        const n4 = min(4, Ci - c);
        const base = vt + (<usize>c << 4);
        scatter4(base, vξ * 0, f32x4.sub(s00, s02), n4); scatter4(base, vξ * 1, f32x4.add(s01, s02), n4);
        scatter4(base, vξ * 2, f32x4.sub(s02, s01), n4); scatter4(base, vξ * 3, f32x4.sub(s01, s03), n4);
        scatter4(base, vξ * 4, f32x4.sub(s10, s12), n4); scatter4(base, vξ * 5, f32x4.add(s11, s12), n4);
        scatter4(base, vξ * 6, f32x4.sub(s12, s11), n4); scatter4(base, vξ * 7, f32x4.sub(s11, s13), n4);
        scatter4(base, vξ * 8, f32x4.sub(s20, s22), n4); scatter4(base, vξ * 9, f32x4.add(s21, s22), n4);
        scatter4(base, vξ * 10, f32x4.sub(s22, s21), n4); scatter4(base, vξ * 11, f32x4.sub(s21, s23), n4);
        scatter4(base, vξ * 12, f32x4.sub(s30, s32), n4); scatter4(base, vξ * 13, f32x4.add(s31, s32), n4);
        scatter4(base, vξ * 14, f32x4.sub(s32, s31), n4); scatter4(base, vξ * 15, f32x4.sub(s31, s33), n4);
      }
    }
    for (let q = 0; q < 16; q++) {
      gemm(V + <usize>q * vξ, U + (<usize>(q * Ci * Co8) << 2), Mt + <usize>q * mξ, tb4, Co8, Ci, Co8, Co8, 0);
    }
    // output transform: Y = Aᵀ M A, Aᵀ = [[1,1,1,0],[0,1,−1,−1]]
    const Co4 = Co & ~3;
    for (let i = 0; i < tb; i++) {
      const tile = t0 + i;
      const n = tile / (TH * TW), r = tile % (TH * TW);
      const oh0 = (r / TW) * 2, ow0 = (r % TW) * 2;
      const mt = Mt + (<usize>(i * Co8) << 2);
      for (let c = 0; c < Co; c += 4) {
        const o = <usize>c << 2;
        const m00 = v128.load(mt + o), m01 = v128.load(mt + mξ + o), m02 = v128.load(mt + mξ * 2 + o), m03 = v128.load(mt + mξ * 3 + o);
        const m10 = v128.load(mt + mξ * 4 + o), m11 = v128.load(mt + mξ * 5 + o), m12 = v128.load(mt + mξ * 6 + o), m13 = v128.load(mt + mξ * 7 + o);
        const m20 = v128.load(mt + mξ * 8 + o), m21 = v128.load(mt + mξ * 9 + o), m22 = v128.load(mt + mξ * 10 + o), m23 = v128.load(mt + mξ * 11 + o);
        const m30 = v128.load(mt + mξ * 12 + o), m31 = v128.load(mt + mξ * 13 + o), m32 = v128.load(mt + mξ * 14 + o), m33 = v128.load(mt + mξ * 15 + o);
        // rows: r0 = m0+m1+m2, r1 = m1−m2−m3
        const r00 = f32x4.add(f32x4.add(m00, m10), m20), r01 = f32x4.add(f32x4.add(m01, m11), m21);
        const r02 = f32x4.add(f32x4.add(m02, m12), m22), r03 = f32x4.add(f32x4.add(m03, m13), m23);
        const r10 = f32x4.sub(f32x4.sub(m10, m20), m30), r11 = f32x4.sub(f32x4.sub(m11, m21), m31);
        const r12 = f32x4.sub(f32x4.sub(m12, m22), m32), r13 = f32x4.sub(f32x4.sub(m13, m23), m33);
        const y00 = f32x4.add(f32x4.add(r00, r01), r02), y01 = f32x4.sub(f32x4.sub(r01, r02), r03);
        const y10 = f32x4.add(f32x4.add(r10, r11), r12), y11 = f32x4.sub(f32x4.sub(r11, r12), r13);
        const full = c < Co4;
        const nc = min(4, Co - c);
        const p00 = y + (<usize>(((n * OH + oh0) * OW + ow0) * Co + c) << 2);
        const rowB = <usize>(OW * Co) << 2;
        const colB = <usize>Co << 2;
        put4(p00, y00, full, nc);
        if (ow0 + 1 < OW) put4(p00 + colB, y01, full, nc);
        if (oh0 + 1 < OH) {
          put4(p00 + rowB, y10, full, nc);
          if (ow0 + 1 < OW) put4(p00 + rowB + colB, y11, full, nc);
        }
      }
    }
  }
}

/** Lane j of v (j < n) to base + off + j·16: one transformed value per channel row of a V panel. */
@inline function scatter4(base: usize, off: usize, v: v128, n: i32): void {
  const p = base + off;
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 16);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 32);
  if (n > 3) store<f32>(p, f32x4.extract_lane(v, 3), 48);
}

/** Store the first n lanes of v at p (all four with one v128 store when full). */
@inline function put4(p: usize, v: v128, full: bool, n: i32): void {
  if (full) { v128.store(p, v); return; }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Scratch bytes winogradFilterGrad needs for blocks of TB tiles. */
export function winogradFilterGradScratch(Ci: i32, Co: i32, TB: i32): i32 {
  const Ci4 = up(Ci, MR), Co8 = up(Co, NR);
  return (16 * Ci4 * Co8 + 16 * Ci4 * TB + 16 * TB * Co8) << 2;
}

/** Four channels c..c+3 at p, lanes ≥ n zero. */
@inline function load4(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  if (n > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/**
 * Conv2DBackpropFilter of a 3×3, stride 1, dilation 1 convolution by Winograd F(3×3, 2×2): dy in
 * 2×2 tiles, each tile's contribution to dw (a 3×3 correlation of its 4×4 input patch with the
 * tile) in the transformed domain, where the sum over tiles is 16 GEMMs M_ξ[ci][co] += Σ_tiles
 * V_ξ[tile][ci]·D_ξ[tile][co] with V = Bᵀ·d·B and D = G·dy·Gᵀ; then dw = Aᵀ·M·A. 2.25x fewer
 * multiplications than the im2col GEMM. Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,−1,0,1]],
 * G = [[1,0],[½,½],[½,−½],[0,1]], Aᵀ = [[1,1,1,0],[0,1,−1,0],[0,1,1,1]].
 */
export function winogradFilterGrad(
  x: usize, dy: usize, dw: usize, scratch: usize,
  N: i32, H: i32, W: i32, Ci: i32, OH: i32, OW: i32, Co: i32, pT: i32, pL: i32, TB: i32,
): void {
  const Ci4 = up(Ci, MR), Co8 = up(Co, NR);
  const M = scratch; // [16][Ci4][Co8]
  const V = M + (<usize>(16 * Ci4 * Co8) << 2); // [16][Ci4/4][tb][4]
  const D = V + (<usize>(16 * Ci4 * TB) << 2); // [16][tb][Co8]
  const mξ = <usize>(Ci4 * Co8) << 2, vξ = <usize>(Ci4 * TB) << 2, dξ = <usize>(TB * Co8) << 2;
  memory.fill(M, 0, mξ * 16);
  const TH = (OH + 1) >> 1, TW = (OW + 1) >> 1;
  const T = N * TH * TW;
  const zero = f32x4.splat(0);
  for (let t0 = 0; t0 < T; t0 += TB) {
    const tb = min(TB, T - t0);
    const ps = <usize>tb << 4; // V bytes between 4-channel panels
    for (let i = 0; i < tb; i++) {
      const tile = t0 + i;
      const n = tile / (TH * TW), r = tile % (TH * TW);
      const oh0 = (r / TW) * 2, ow0 = (r % TW) * 2;
      const ih0 = oh0 - pT, iw0 = ow0 - pL;
      // V: the input patch's transform, per 4 input channels, stored as panel rows (no scatter)
      for (let c = 0; c < Ci4; c += 4) {
        const nc = Ci - c;
        let d00 = zero, d01 = zero, d02 = zero, d03 = zero, d10 = zero, d11 = zero, d12 = zero, d13 = zero;
        let d20 = zero, d21 = zero, d22 = zero, d23 = zero, d30 = zero, d31 = zero, d32 = zero, d33 = zero;
        for (let a = 0; a < 4; a++) {
          const ih = ih0 + a;
          if (ih < 0 || ih >= H) continue;
          for (let b = 0; b < 4; b++) {
            const iw = iw0 + b;
            if (iw < 0 || iw >= W) continue;
            const v = load4(x + (<usize>(((n * H + ih) * W + iw) * Ci + c) << 2), nc);
            const k = a * 4 + b;
            if (k == 0) d00 = v; else if (k == 1) d01 = v; else if (k == 2) d02 = v; else if (k == 3) d03 = v;
            else if (k == 4) d10 = v; else if (k == 5) d11 = v; else if (k == 6) d12 = v; else if (k == 7) d13 = v;
            else if (k == 8) d20 = v; else if (k == 9) d21 = v; else if (k == 10) d22 = v; else if (k == 11) d23 = v;
            else if (k == 12) d30 = v; else if (k == 13) d31 = v; else if (k == 14) d32 = v; else d33 = v;
          }
        }
        // rows of Bᵀ d: d0−d2, d1+d2, d2−d1, d3−d1
        const s00 = f32x4.sub(d00, d20), s01 = f32x4.sub(d01, d21), s02 = f32x4.sub(d02, d22), s03 = f32x4.sub(d03, d23);
        const s10 = f32x4.add(d10, d20), s11 = f32x4.add(d11, d21), s12 = f32x4.add(d12, d22), s13 = f32x4.add(d13, d23);
        const s20 = f32x4.sub(d20, d10), s21 = f32x4.sub(d21, d11), s22 = f32x4.sub(d22, d12), s23 = f32x4.sub(d23, d13);
        const s30 = f32x4.sub(d30, d10), s31 = f32x4.sub(d31, d11), s32 = f32x4.sub(d32, d12), s33 = f32x4.sub(d33, d13);
        const p = V + <usize>(c >> 2) * ps + (<usize>i << 4);
        // columns (· B): s0−s2, s1+s2, s2−s1, s3−s1
        v128.store(p, f32x4.sub(s00, s02)); v128.store(p + vξ, f32x4.add(s01, s02));
        v128.store(p + vξ * 2, f32x4.sub(s02, s01)); v128.store(p + vξ * 3, f32x4.sub(s03, s01));
        v128.store(p + vξ * 4, f32x4.sub(s10, s12)); v128.store(p + vξ * 5, f32x4.add(s11, s12));
        v128.store(p + vξ * 6, f32x4.sub(s12, s11)); v128.store(p + vξ * 7, f32x4.sub(s13, s11));
        v128.store(p + vξ * 8, f32x4.sub(s20, s22)); v128.store(p + vξ * 9, f32x4.add(s21, s22));
        v128.store(p + vξ * 10, f32x4.sub(s22, s21)); v128.store(p + vξ * 11, f32x4.sub(s23, s21));
        v128.store(p + vξ * 12, f32x4.sub(s30, s32)); v128.store(p + vξ * 13, f32x4.add(s31, s32));
        v128.store(p + vξ * 14, f32x4.sub(s32, s31)); v128.store(p + vξ * 15, f32x4.sub(s33, s31));
      }
      // D = G g Gᵀ of the 2×2 dy tile (zeros past the output's edge), per 4 output channels
      const hasR = oh0 + 1 < OH, hasC = ow0 + 1 < OW;
      const g0 = dy + (<usize>(((n * OH + oh0) * OW + ow0) * Co) << 2);
      const rowB = <usize>(OW * Co) << 2, colB = <usize>Co << 2;
      const half = f32x4.splat(0.5);
      for (let c = 0; c < Co8; c += 4) {
        const nc = Co - c;
        const o = <usize>c << 2;
        const g00 = nc > 0 ? load4(g0 + o, nc) : zero;
        const g01 = nc > 0 && hasC ? load4(g0 + colB + o, nc) : zero;
        const g10 = nc > 0 && hasR ? load4(g0 + rowB + o, nc) : zero;
        const g11 = nc > 0 && hasR && hasC ? load4(g0 + rowB + colB + o, nc) : zero;
        // rows of G g: g0, (g0+g1)/2, (g0−g1)/2, g1
        const t00 = g00, t01 = g01;
        const t10 = f32x4.mul(f32x4.add(g00, g10), half), t11 = f32x4.mul(f32x4.add(g01, g11), half);
        const t20 = f32x4.mul(f32x4.sub(g00, g10), half), t21 = f32x4.mul(f32x4.sub(g01, g11), half);
        const t30 = g10, t31 = g11;
        const q = D + <usize>i * (<usize>Co8 << 2) + o;
        // columns (· Gᵀ): t0, (t0+t1)/2, (t0−t1)/2, t1
        v128.store(q, t00); v128.store(q + dξ, f32x4.mul(f32x4.add(t00, t01), half));
        v128.store(q + dξ * 2, f32x4.mul(f32x4.sub(t00, t01), half)); v128.store(q + dξ * 3, t01);
        v128.store(q + dξ * 4, t10); v128.store(q + dξ * 5, f32x4.mul(f32x4.add(t10, t11), half));
        v128.store(q + dξ * 6, f32x4.mul(f32x4.sub(t10, t11), half)); v128.store(q + dξ * 7, t11);
        v128.store(q + dξ * 8, t20); v128.store(q + dξ * 9, f32x4.mul(f32x4.add(t20, t21), half));
        v128.store(q + dξ * 10, f32x4.mul(f32x4.sub(t20, t21), half)); v128.store(q + dξ * 11, t21);
        v128.store(q + dξ * 12, t30); v128.store(q + dξ * 13, f32x4.mul(f32x4.add(t30, t31), half));
        v128.store(q + dξ * 14, f32x4.mul(f32x4.sub(t30, t31), half)); v128.store(q + dξ * 15, t31);
      }
    }
    for (let q = 0; q < 16; q++) gemm(V + <usize>q * vξ, D + <usize>q * dξ, M + <usize>q * mξ, Ci4, Co8, tb, Co8, Co8, 1);
  }
  // dw[kh][kw][ci][co] = (Aᵀ M A)[kh][kw], Aᵀ = [[1,1,1,0],[0,1,−1,0],[0,1,1,1]]
  const tap = <usize>(Ci * Co) << 2;
  for (let ci = 0; ci < Ci; ci++) {
    for (let c = 0; c < Co; c += 4) {
      const nc = min(4, Co - c);
      const o = <usize>((ci * Co8 + c) << 2);
      const m00 = v128.load(M + o), m01 = v128.load(M + mξ + o), m02 = v128.load(M + mξ * 2 + o), m03 = v128.load(M + mξ * 3 + o);
      const m10 = v128.load(M + mξ * 4 + o), m11 = v128.load(M + mξ * 5 + o), m12 = v128.load(M + mξ * 6 + o), m13 = v128.load(M + mξ * 7 + o);
      const m20 = v128.load(M + mξ * 8 + o), m21 = v128.load(M + mξ * 9 + o), m22 = v128.load(M + mξ * 10 + o), m23 = v128.load(M + mξ * 11 + o);
      const m30 = v128.load(M + mξ * 12 + o), m31 = v128.load(M + mξ * 13 + o), m32 = v128.load(M + mξ * 14 + o), m33 = v128.load(M + mξ * 15 + o);
      // rows: m0+m1+m2, m1−m2, m1+m2+m3
      const r00 = f32x4.add(f32x4.add(m00, m10), m20), r01 = f32x4.add(f32x4.add(m01, m11), m21);
      const r02 = f32x4.add(f32x4.add(m02, m12), m22), r03 = f32x4.add(f32x4.add(m03, m13), m23);
      const r10 = f32x4.sub(m10, m20), r11 = f32x4.sub(m11, m21), r12 = f32x4.sub(m12, m22), r13 = f32x4.sub(m13, m23);
      const r20 = f32x4.add(f32x4.add(m10, m20), m30), r21 = f32x4.add(f32x4.add(m11, m21), m31);
      const r22 = f32x4.add(f32x4.add(m12, m22), m32), r23 = f32x4.add(f32x4.add(m13, m23), m33);
      const base = dw + (<usize>(ci * Co + c) << 2);
      const full = nc == 4;
      // columns: r0+r1+r2, r1−r2, r1+r2+r3
      put4(base, f32x4.add(f32x4.add(r00, r01), r02), full, nc);
      put4(base + tap, f32x4.sub(r01, r02), full, nc);
      put4(base + tap * 2, f32x4.add(f32x4.add(r01, r02), r03), full, nc);
      put4(base + tap * 3, f32x4.add(f32x4.add(r10, r11), r12), full, nc);
      put4(base + tap * 4, f32x4.sub(r11, r12), full, nc);
      put4(base + tap * 5, f32x4.add(f32x4.add(r11, r12), r13), full, nc);
      put4(base + tap * 6, f32x4.add(f32x4.add(r20, r21), r22), full, nc);
      put4(base + tap * 7, f32x4.sub(r21, r22), full, nc);
      put4(base + tap * 8, f32x4.add(f32x4.add(r21, r22), r23), full, nc);
    }
  }
}
