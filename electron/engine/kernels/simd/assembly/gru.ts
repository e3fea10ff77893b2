// Part of the SIMD kernels module (entry: ./kernels.ts; see its header for the memory rules).
// A whole GRU layer (TF.js' GRUCell: reset gate applied before the recurrent product) over the
// sequence in one call, forward and backward, for layers/fused-gru.ts. Same scheme as ./lstm.ts.
//
// x [B, T, I], kernel W [I, 3U], recurrent kernel R [U, 3U] = [R1 (z, r) | R2 (h)], bias [3U],
// gates z, r, h. Per step (tfjs-layers' order of float operations):
//   m = x·W + b;  z = σ(m_z + h·R1_z);  r = σ(m_r + h·R1_r);  hh = tanh(m_h + (r∘h)·R2);
//   h' = z∘h + (1 + (−z))∘hh.
// aux [B·T·5U], rows b·T + τ (τ: the input time index): gates [B·T × 3U] (z, r, hh activated),
// hprev [B·T × U] (zeros at the first step), r∘hprev [B·T × U].

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

import { MR, NR, up, gemm, transpose2d } from './gemm';
import { matmulScratch, matmulNN, matmulTA } from './matmul';
import { colSum } from './elementwise';
import { sigmoidv, tanhv, ld, st, packRows } from './lstm';

/** Scratch bytes gruForward needs. */
export function gruForwardScratch(B: i32, T: i32, I: i32, U: i32): f64 {
  const a = <f64>up(2 * U, NR), h = <f64>up(U, NR), b4 = <f64>up(B, MR), u = <f64>U;
  return (b4 * u + u * a + u * h + b4 * a + b4 * h) * 4 + matmulScratch(B * T, I, 3 * U, 0);
}

/** rows of a [rows × cols] block at stride lds → dst [rows × ldd] (zeros beyond cols). */
@inline function copyBlock(src: usize, lds: i32, dst: usize, ldd: i32, rows: i32, cols: i32): void {
  memory.fill(dst, 0, <usize>(rows * ldd) << 2);
  for (let k = 0; k < rows; k++) memory.copy(dst + (<usize>(k * ldd) << 2), src + (<usize>(k * lds) << 2), <usize>cols << 2);
}

/** The forward pass: y as lstmForward's (seq = 1: every step, else the last); bias = 0: none. */
export function gruForward(x: usize, w: usize, r: usize, bias: usize, y: usize, aux: usize, scratch: usize,
  B: i32, T: i32, I: i32, U: i32, back: i32, seq: i32): void {
  const G = 3 * U, A = up(2 * U, NR), H = up(U, NR), B4 = up(B, MR), BT = B * T;
  const us = <usize>U << 2, gs = <usize>G << 2;
  const gates = aux;
  const hp = gates + <usize>BT * gs;
  const rh = hp + <usize>BT * us;
  const ap = scratch;
  const r1 = ap + (<usize>(B4 * U) << 2);
  const r2 = r1 + (<usize>(U * A) << 2);
  const z1 = r2 + (<usize>(U * H) << 2);
  const z2 = z1 + (<usize>(B4 * A) << 2);
  const mm = z2 + (<usize>(B4 * H) << 2);
  matmulNN(x, w, gates, mm, BT, I, G);
  copyBlock(r, G, r1, A, U, 2 * U);
  copyBlock(r + (<usize>(2 * U) << 2), G, r2, H, U, U);
  if (B4 != B) memory.fill(ap + <usize>(B4 / 4 - 1) * (<usize>U << 4), 0, <usize>U << 4);
  for (let b = 0; b < B; b++) memory.fill(hp + <usize>(b * T + (back ? T - 1 : 0)) * us, 0, us);
  for (let s = 0; s < T; s++) {
    const t = back ? T - 1 - s : s;
    const tn = back ? t - 1 : t + 1;
    if (s > 0) {
      packRows(hp + <usize>t * us, T * U, ap, B, U);
      gemm(ap, r1, z1, B4, A, U, A, A, 0);
    }
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * T + t);
      const gz = gates + row * gs, hrow = hp + row * us, rhrow = rh + row * us;
      const zrow = z1 + (<usize>(b * A) << 2);
      for (let j = 0; j < U; j += 4) {
        const n = min(4, U - j);
        const o = <usize>j << 2;
        let mz = ld(gz + o, n), mr = ld(gz + us + o, n);
        if (bias) {
          mz = f32x4.add(mz, ld(bias + o, n));
          mr = f32x4.add(mr, ld(bias + us + o, n));
        }
        if (s > 0) {
          mz = f32x4.add(mz, ld(zrow + o, n));
          mr = f32x4.add(mr, ld(zrow + us + o, n));
        }
        const zg = sigmoidv(mz), rg = sigmoidv(mr);
        st(gz + o, zg, n);
        st(gz + us + o, rg, n);
        st(rhrow + o, f32x4.mul(rg, ld(hrow + o, n)), n);
      }
    }
    if (s > 0) {
      packRows(rh + <usize>t * us, T * U, ap, B, U);
      gemm(ap, r2, z2, B4, H, U, H, H, 0);
    }
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * T + t);
      const gz = gates + row * gs, hrow = hp + row * us;
      const zrow = z2 + (<usize>(b * H) << 2);
      const hnext: usize = s + 1 < T ? hp + <usize>(b * T + tn) * us : 0;
      const yrow: usize = seq ? y + <usize>(b * T + s) * us : s == T - 1 ? y + <usize>b * us : 0;
      for (let j = 0; j < U; j += 4) {
        const n = min(4, U - j);
        const o = <usize>j << 2;
        let mh = ld(gz + 2 * us + o, n);
        if (bias) mh = f32x4.add(mh, ld(bias + 2 * us + o, n));
        if (s > 0) mh = f32x4.add(mh, ld(zrow + o, n));
        const hh = tanhv(mh);
        const zg = ld(gz + o, n);
        const h = f32x4.add(f32x4.mul(zg, ld(hrow + o, n)), f32x4.mul(f32x4.add(f32x4.splat(1), f32x4.neg(zg)), hh));
        st(gz + 2 * us + o, hh, n);
        if (hnext) st(hnext + o, h, n);
        if (yrow) st(yrow + o, h, n);
      }
    }
  }
}

/** Scratch bytes gruBackward needs. */
export function gruBackwardScratch(B: i32, T: i32, I: i32, U: i32): f64 {
  const G = 3 * U, U8 = up(U, NR), B4 = up(B, MR), BT = B * T;
  const u = <f64>U, u8 = <f64>U8, b4 = <f64>B4;
  const own = (b4 * 2 * u + 3 * u * u8 + 2 * b4 * u8 + 2 * <f64>B * u + 2 * u * <f64>G) * 4;
  return own + max(matmulScratch(I, BT, G, 0), matmulScratch(U, BT, G, 0));
}

/**
 * BPTT from dy and aux: dz [B·T × 3U] (pre-activation gradients, rows b·T + τ), dw [I, 3U],
 * dr [U, 3U], db [3U] (db = 0: none). The input gradient dz·Wᵀ is left to the caller.
 */
export function gruBackward(x: usize, r: usize, aux: usize, dy: usize, dz: usize, dw: usize, dr: usize, db: usize,
  scratch: usize, B: i32, T: i32, I: i32, U: i32, back: i32, seq: i32): void {
  const G = 3 * U, U8 = up(U, NR), B4 = up(B, MR), BT = B * T;
  const us = <usize>U << 2, gs = <usize>G << 2;
  const gates = aux;
  const hp = gates + <usize>BT * gs;
  const rh = hp + <usize>BT * us;
  const ap = scratch; // up to B4 × 2U
  const r1t = ap + (<usize>(B4 * 2 * U) << 2); // R1ᵀ [2U × U8]
  const r2t = r1t + (<usize>(2 * U * U8) << 2); // R2ᵀ [U × U8]
  const drh = r2t + (<usize>(U * U8) << 2); // d(r∘h) [B4 × U8]
  const dh1 = drh + (<usize>(B4 * U8) << 2); // [dz, dr]·R1ᵀ [B4 × U8]
  const dhc = dh1 + (<usize>(B4 * U8) << 2); // dh reaching h_prev directly and through r∘h [B × U]
  const dhn = dhc + <usize>B * us; // dh of the step before (next iteration) [B × U]
  const t1 = dhn + <usize>B * us; // [U × 3U] temporaries for the recurrent kernel's gradient
  const t2 = t1 + (<usize>(U * G) << 2);
  const mm = t2 + (<usize>(U * G) << 2);
  if (U8 != U) {
    memory.fill(r1t, 0, <usize>(2 * U * U8) << 2);
    memory.fill(r2t, 0, <usize>(U * U8) << 2);
  }
  transpose2d(r, G, r1t, U8, U, 2 * U);
  transpose2d(r + (<usize>(2 * U) << 2), G, r2t, U8, U, U);
  memory.fill(ap, 0, <usize>(B4 * 2 * U) << 2); // panel rows ≥ B stay zero (packs write rows < B)
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let s = T - 1; s >= 0; s--) {
    const t = back ? T - 1 - s : s;
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * T + t);
      const gz = gates + row * gs, dzr = dz + row * gs, hrow = hp + row * us;
      const dyrow: usize = seq ? dy + <usize>(b * T + s) * us : s == T - 1 ? dy + <usize>b * us : 0;
      const dnrow = dhn + <usize>b * us, dcrow = dhc + <usize>b * us;
      for (let j = 0; j < U; j += 4) {
        const n = min(4, U - j);
        const o = <usize>j << 2;
        let dh = dyrow ? ld(dyrow + o, n) : zero;
        if (s < T - 1) dh = f32x4.add(dh, ld(dnrow + o, n));
        const zg = ld(gz + o, n), hh = ld(gz + 2 * us + o, n), hpv = ld(hrow + o, n);
        // h' = z∘h + (1 − z)∘hh
        const dzv = f32x4.sub(f32x4.mul(dh, hpv), f32x4.mul(dh, hh));
        const dhh = f32x4.mul(dh, f32x4.add(one, f32x4.neg(zg)));
        st(dzr + o, dzv, n); // post-activation for now: finished below
        st(dzr + 2 * us + o, f32x4.mul(dhh, f32x4.sub(one, f32x4.mul(hh, hh))), n);
        st(dcrow + o, f32x4.mul(dh, zg), n);
      }
    }
    // d(r∘h) = dmh·R2ᵀ
    packRows(dz + <usize>t * gs + 2 * us, T * G, ap, B, U);
    gemm(ap, r2t, drh, B4, U8, U, U8, U8, 0);
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * T + t);
      const gz = gates + row * gs, dzr = dz + row * gs, hrow = hp + row * us;
      const drow = drh + (<usize>(b * U8) << 2), dcrow = dhc + <usize>b * us;
      for (let j = 0; j < U; j += 4) {
        const n = min(4, U - j);
        const o = <usize>j << 2;
        const zg = ld(gz + o, n), rg = ld(gz + us + o, n);
        const d = ld(drow + o, n);
        st(dcrow + o, f32x4.add(ld(dcrow + o, n), f32x4.mul(d, rg)), n);
        st(dzr + us + o, f32x4.mul(f32x4.mul(d, ld(hrow + o, n)), f32x4.mul(rg, f32x4.sub(one, rg))), n);
        st(dzr + o, f32x4.mul(ld(dzr + o, n), f32x4.mul(zg, f32x4.sub(one, zg))), n);
      }
    }
    if (s > 0) {
      // dh_prev = dhc + [dmz, dmr]·R1ᵀ
      packRows(dz + <usize>t * gs, T * G, ap, B, 2 * U);
      gemm(ap, r1t, dh1, B4, U8, 2 * U, U8, U8, 0);
      for (let b = 0; b < B; b++) {
        const drow = dh1 + (<usize>(b * U8) << 2), dcrow = dhc + <usize>b * us, dnrow = dhn + <usize>b * us;
        for (let j = 0; j < U; j += 4) {
          const n = min(4, U - j);
          const o = <usize>j << 2;
          st(dnrow + o, f32x4.add(ld(dcrow + o, n), ld(drow + o, n)), n);
        }
      }
    }
  }
  matmulTA(x, dz, dw, mm, BT, I, G);
  // dR = [hprevᵀ·dz (z, r columns) | (r∘hprev)ᵀ·dz (h columns)]
  matmulTA(hp, dz, t1, mm, BT, U, G);
  matmulTA(rh, dz, t2, mm, BT, U, G);
  for (let k = 0; k < U; k++) {
    memory.copy(dr + <usize>k * gs, t1 + <usize>k * gs, us * 2);
    memory.copy(dr + <usize>k * gs + 2 * us, t2 + <usize>k * gs + 2 * us, us);
  }
  if (db) colSum(dz, db, BT, G);
}
