// Part of the SIMD kernels module (entry: ./kernels.ts; see its header for the memory rules).
// Dense products: plain and with one operand transposed (weight and input gradients).

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

import { MR, NR, up, gemm, transpose2d } from './gemm';

/** Scratch bytes matmulTA / matmulTB need (f64: sizes past 2 GiB must not wrap around). */
export function matmulScratch(M: i32, K: i32, N: i32, tb: i32): f64 {
  const M4 = up(M, MR), N8 = up(N, NR);
  const m4 = <f64>M4, n8 = <f64>N8, k = <f64>K;
  const out = N8 != N || M4 != M ? m4 * n8 : 0;
  return (m4 * k + (tb || N8 != N ? k * n8 : 0) + out) * 4;
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

/** a [M × K]'s rows as the GEMM's 4-row panels at ap (k-major, 4×4 shuffle transposes); rows ≥ M zero. */
@inline function packRowPanels(a: usize, ap: usize, M: i32, M4: i32, K: i32): void {
  const ps = <usize>K << 4;
  if (M4 != M) memory.fill(ap + <usize>(M4 / 4 - 1) * ps, 0, ps);
  for (let p = 0; p < M; p += 4) transpose2d(a + (<usize>(p * K) << 2), K, ap + <usize>(p >> 2) * ps, 4, min(4, M - p), K);
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
  packRowPanels(a, ap, M, M4, K);
  if (N8 != N) memory.fill(bt, 0, <usize>(K * N8) << 2);
  transpose2d(b, K, bt, N8, N, K);
  product(ap, bt, c, cs, M, K, N);
}

/** c [M × N] = a·b for a [M × K], b [K × N] (scratch: matmulScratch(M, K, N, 0)). */
export function matmulNN(a: usize, b: usize, c: usize, scratch: usize, M: i32, K: i32, N: i32): void {
  const M4 = up(M, MR), N8 = up(N, NR);
  const ap = scratch;
  let bp = ap + (<usize>(M4 * K) << 2);
  const cs = bp + (N8 != N ? <usize>(K * N8) << 2 : 0);
  packRowPanels(a, ap, M, M4, K);
  if (N8 != N) {
    memory.fill(bp, 0, <usize>(K * N8) << 2);
    for (let k = 0; k < K; k++) memory.copy(bp + (<usize>(k * N8) << 2), b + (<usize>(k * N) << 2), <usize>N << 2);
  } else {
    bp = b;
  }
  product(ap, bp, c, cs, M, K, N);
}
