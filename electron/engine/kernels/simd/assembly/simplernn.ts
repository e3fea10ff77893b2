// Part of the SIMD kernels module (entry: ./kernels.ts; see its header for the memory rules).
// A whole SimpleRNN layer with tanh over the sequence in one call, forward and backward, for
// layers/fused-lstm.ts. Same scheme as ./lstm.ts: h' = tanh((x·W + b) + h·R) (tfjs-layers' order).
// aux [B·T·2U], rows b·T + τ: h (the step's output) [B·T × U], hprev [B·T × U] (zeros first).

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

import { MR, NR, up, gemm, transpose2d } from './gemm';
import { matmulScratch, matmulNN, matmulTA } from './matmul';
import { colSum } from './elementwise';
import { tanhv, ld, st, packRows } from './lstm';

/** Scratch bytes rnnForward needs. */
export function rnnForwardScratch(B: i32, T: i32, I: i32, U: i32): f64 {
  const n8 = <f64>up(U, NR), b4 = <f64>up(B, MR), u = <f64>U;
  return (b4 * u + u * n8 + b4 * n8) * 4 + matmulScratch(B * T, I, U, 0);
}

/** The forward pass: y as lstmForward's (seq = 1: every step, else the last); bias = 0: none. */
export function rnnForward(x: usize, w: usize, r: usize, bias: usize, y: usize, aux: usize, scratch: usize,
  B: i32, T: i32, I: i32, U: i32, back: i32, seq: i32): void {
  const N8 = up(U, NR), B4 = up(B, MR), BT = B * T;
  const us = <usize>U << 2;
  const hs = aux;
  const hp = hs + <usize>BT * us;
  const ap = scratch;
  const rp = ap + (<usize>(B4 * U) << 2);
  const zr = rp + (<usize>(U * N8) << 2);
  const mm = zr + (<usize>(B4 * N8) << 2);
  matmulNN(x, w, hs, mm, BT, I, U); // x·W, turned into h in place
  memory.fill(rp, 0, <usize>(U * N8) << 2);
  for (let k = 0; k < U; k++) memory.copy(rp + (<usize>(k * N8) << 2), r + <usize>k * us, us);
  memory.fill(ap, 0, <usize>(B4 * U) << 2);
  for (let b = 0; b < B; b++) memory.fill(hp + <usize>(b * T + (back ? T - 1 : 0)) * us, 0, us);
  for (let s = 0; s < T; s++) {
    const t = back ? T - 1 - s : s;
    const tn = back ? t - 1 : t + 1;
    if (s > 0) {
      packRows(hp + <usize>t * us, T * U, ap, B, U);
      gemm(ap, rp, zr, B4, N8, U, N8, N8, 0);
    }
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * T + t);
      const hrow = hs + row * us;
      const zrow = zr + (<usize>(b * N8) << 2);
      const hnext: usize = s + 1 < T ? hp + <usize>(b * T + tn) * us : 0;
      const yrow: usize = seq ? y + <usize>(b * T + s) * us : s == T - 1 ? y + <usize>b * us : 0;
      for (let j = 0; j < U; j += 4) {
        const n = min(4, U - j);
        const o = <usize>j << 2;
        let m = ld(hrow + o, n);
        if (bias) m = f32x4.add(m, ld(bias + o, n));
        if (s > 0) m = f32x4.add(m, ld(zrow + o, n));
        const h = tanhv(m);
        st(hrow + o, h, n);
        if (hnext) st(hnext + o, h, n);
        if (yrow) st(yrow + o, h, n);
      }
    }
  }
}

/** Scratch bytes rnnBackward needs. */
export function rnnBackwardScratch(B: i32, T: i32, I: i32, U: i32): f64 {
  const U8 = up(U, NR), B4 = up(B, MR), BT = B * T;
  const u = <f64>U, u8 = <f64>U8, b4 = <f64>B4;
  return (b4 * u + u * u8 + b4 * u8) * 4 + max(matmulScratch(I, BT, U, 0), matmulScratch(U, BT, U, 0));
}

/**
 * BPTT from dy and aux: dz [B·T × U] (pre-activation gradients, rows b·T + τ), dw [I, U], dr [U, U],
 * db [U] (db = 0: none). The input gradient dz·Wᵀ is left to the caller.
 */
export function rnnBackward(x: usize, r: usize, aux: usize, dy: usize, dz: usize, dw: usize, dr: usize, db: usize,
  scratch: usize, B: i32, T: i32, I: i32, U: i32, back: i32, seq: i32): void {
  const U8 = up(U, NR), B4 = up(B, MR), BT = B * T;
  const us = <usize>U << 2;
  const hs = aux;
  const hp = hs + <usize>BT * us;
  const ap = scratch;
  const rt = ap + (<usize>(B4 * U) << 2);
  const dhr = rt + (<usize>(U * U8) << 2);
  const mm = dhr + (<usize>(B4 * U8) << 2);
  memory.fill(rt, 0, <usize>(U * U8) << 2);
  transpose2d(r, U, rt, U8, U, U);
  memory.fill(ap, 0, <usize>(B4 * U) << 2);
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let s = T - 1; s >= 0; s--) {
    const t = back ? T - 1 - s : s;
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * T + t);
      const hrow = hs + row * us, dzr = dz + row * us;
      const dyrow: usize = seq ? dy + <usize>(b * T + s) * us : s == T - 1 ? dy + <usize>b * us : 0;
      const dhrow = dhr + (<usize>(b * U8) << 2);
      for (let j = 0; j < U; j += 4) {
        const n = min(4, U - j);
        const o = <usize>j << 2;
        let dh = dyrow ? ld(dyrow + o, n) : zero;
        if (s < T - 1) dh = f32x4.add(dh, ld(dhrow + o, n));
        const h = ld(hrow + o, n);
        st(dzr + o, f32x4.mul(dh, f32x4.sub(one, f32x4.mul(h, h))), n);
      }
    }
    if (s > 0) {
      packRows(dz + <usize>t * us, T * U, ap, B, U);
      gemm(ap, rt, dhr, B4, U8, U, U8, U8, 0);
    }
  }
  matmulTA(x, dz, dw, mm, BT, I, U);
  matmulTA(hp, dz, dr, mm, BT, U, U);
  if (db) colSum(dz, db, BT, U);
}
