// Part of the SIMD kernels module (entry: ./kernels.ts; see its header for the memory rules).
// A whole LSTM layer over the sequence in one call, forward and backward (BPTT), for the fused
// LSTM op (electron/engine/layers/fused-lstm.ts). tfjs-layers runs a dozen small kernels per time
// step; here one GEMM projects every step's input at once, and each step is one recurrent GEMM plus
// one pass over the gates.
//
// Layout (Keras/TF.js): x [B, T, I] (batch-major), kernel W [I, 4U], recurrent kernel R [U, 4U],
// bias [4U], gates in the order i, f, c(g), o. The recurrent activation is sigmoid, the activation
// tanh. Every per-step buffer is indexed by the INPUT time index τ (row b·T + τ): with goBackwards
// step s reads x[:, T−1−s], and the weight gradients are then plain products over all B·T rows.
// The output with return sequences is indexed by the step s (as tfjs-layers, which does not
// reverse it back).
//
// aux [B·T·7U] (written by the forward pass, read by the backward pass), in rows of b·T + τ:
//   gates [B·T × 4U] (the activated i, f, g, o), c [B·T × U], tanh(c) [B·T × U],
//   hprev [B·T × U] (the h the step started from: zeros at the first step).

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

import { MR, NR, up, gemm, transpose2d } from './gemm';
import { matmulScratch, matmulNN, matmulTA } from './matmul';
import { colSum } from './elementwise';

// ---- activations, 4 lanes. Own exp (Cephes expf): the standard library's uses a lookup table,
// which would be a data segment in the backend's heap. ~1 ulp; tanh within 2 ulp.

@inline function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.33654)), f32x4.splat(88.37626));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  x = f32x4.sub(f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375))), f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), f32x4.splat(1));
  const n = i32x4.trunc_sat_f32x4_s(fx);
  return f32x4.mul(y, i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23));
}

/** 1 / (1 + exp(−x)), as tfjs computes sigmoid. */
@inline export function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

/** tanh: Cephes tanhf's odd polynomial below |x| = 0.625, 1 − 2/(exp(2|x|) + 1) with x's sign above. */
@inline export function tanhv(x: v128): v128 {
  const one = f32x4.splat(1);
  const a = f32x4.abs(x);
  const e = expv(f32x4.add(a, a));
  let big = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(e, one)));
  big = v128.or(big, v128.and(x, f32x4.splat(-0.0)));
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  return v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(0.625)));
}

/** Exported for the tests (n floats in place: 0 sigmoid, 1 tanh, 2 exp). */
export function lstmActivation(p: usize, n: i32, which: i32): void {
  for (let i = 0; i < n; i += 4) {
    const q = p + (<usize>i << 2);
    const k = min(4, n - i);
    const v = ld(q, k);
    st(q, which == 0 ? sigmoidv(v) : which == 1 ? tanhv(v) : expv(v), k);
  }
}

/** Up to 4 floats (n < 4: the rest zero; never reads past them). */
@inline export function ld(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline export function st(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** rows [B] of a matrix at stride ld floats → the GEMM's 4-row A panels (kdim k); panel rows ≥ B stay as they are. */
@inline export function packRows(src: usize, ld: i32, ap: usize, B: i32, k: i32): void {
  const ps = <usize>k << 4;
  for (let p = 0; p < B; p += 4) transpose2d(src + <usize>p * (<usize>ld << 2), ld, ap + <usize>(p >> 2) * ps, 4, min(4, B - p), k);
}

/** Scratch bytes lstmForward needs. */
export function lstmForwardScratch(B: i32, T: i32, I: i32, U: i32): f64 {
  const G = U << 2, N8 = up(G, NR), B4 = up(B, MR);
  const u = <f64>U, n8 = <f64>N8, b4 = <f64>B4;
  return (b4 * u + (N8 != G ? u * n8 : 0) + b4 * n8) * 4 + matmulScratch(B * T, I, G, 0);
}

/**
 * The forward pass: y = the h of every step [B, T, U] (seq = 1) or of the last step [B, U];
 * aux as in the header. bias = 0: no bias. back = 1: goBackwards.
 */
export function lstmForward(x: usize, w: usize, r: usize, bias: usize, y: usize, aux: usize, scratch: usize,
  B: i32, T: i32, I: i32, U: i32, back: i32, seq: i32): void {
  const G = U << 2, N8 = up(G, NR), B4 = up(B, MR), BT = B * T;
  const us = <usize>U << 2, gs = <usize>G << 2;
  const gates = aux;
  const cs = gates + <usize>BT * gs;
  const tcs = cs + <usize>BT * us;
  const hp = tcs + <usize>BT * us;
  const ap = scratch;
  let rp = ap + (<usize>(B4 * U) << 2);
  const zr = rp + (N8 != G ? <usize>(U * N8) << 2 : 0);
  const mm = zr + (<usize>(B4 * N8) << 2);
  // Every step's input projection in one product: gates = x·W.
  matmulNN(x, w, gates, mm, BT, I, G);
  if (N8 != G) {
    memory.fill(rp, 0, <usize>(U * N8) << 2);
    for (let k = 0; k < U; k++) memory.copy(rp + (<usize>(k * N8) << 2), r + <usize>k * gs, gs);
  } else {
    rp = r;
  }
  if (B4 != B) memory.fill(ap + <usize>(B4 / 4 - 1) * (<usize>U << 4), 0, <usize>U << 4);
  for (let b = 0; b < B; b++) memory.fill(hp + <usize>(b * T + (back ? T - 1 : 0)) * us, 0, us);
  for (let s = 0; s < T; s++) {
    const t = back ? T - 1 - s : s;
    const tp = back ? t + 1 : t - 1;
    const tn = back ? t - 1 : t + 1;
    if (s > 0) {
      // zr = h_{s−1}·R (h_{s−1} is hprev at rows b·T + t)
      packRows(hp + <usize>t * us, T * U, ap, B, U);
      gemm(ap, rp, zr, B4, N8, U, N8, N8, 0);
    }
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * T + t);
      const gz = gates + row * gs;
      const zrow = zr + (<usize>(b * N8) << 2);
      const crow = cs + row * us, tcrow = tcs + row * us;
      const cprev = cs + <usize>(b * T + tp) * us;
      const hnext: usize = s + 1 < T ? hp + <usize>(b * T + tn) * us : 0;
      const yrow: usize = seq ? y + <usize>(b * T + s) * us : s == T - 1 ? y + <usize>b * us : 0;
      for (let j = 0; j < U; j += 4) {
        const n = min(4, U - j);
        const o = <usize>j << 2;
        let zi = ld(gz + o, n), zf = ld(gz + us + o, n), zg = ld(gz + 2 * us + o, n), zo = ld(gz + 3 * us + o, n);
        if (s > 0) {
          // (x·W + h·R) + b: the order of tfjs-layers' LSTMCell
          zi = f32x4.add(zi, ld(zrow + o, n)); zf = f32x4.add(zf, ld(zrow + us + o, n));
          zg = f32x4.add(zg, ld(zrow + 2 * us + o, n)); zo = f32x4.add(zo, ld(zrow + 3 * us + o, n));
        }
        if (bias) {
          zi = f32x4.add(zi, ld(bias + o, n)); zf = f32x4.add(zf, ld(bias + us + o, n));
          zg = f32x4.add(zg, ld(bias + 2 * us + o, n)); zo = f32x4.add(zo, ld(bias + 3 * us + o, n));
        }
        const ig = sigmoidv(zi), fg = sigmoidv(zf), gg = tanhv(zg), og = sigmoidv(zo);
        let c = f32x4.mul(ig, gg);
        if (s > 0) c = f32x4.add(f32x4.mul(fg, ld(cprev + o, n)), c);
        const tc = tanhv(c);
        const h = f32x4.mul(og, tc);
        st(gz + o, ig, n); st(gz + us + o, fg, n); st(gz + 2 * us + o, gg, n); st(gz + 3 * us + o, og, n);
        st(crow + o, c, n); st(tcrow + o, tc, n);
        if (hnext) st(hnext + o, h, n);
        if (yrow) st(yrow + o, h, n);
      }
    }
  }
}

/** Scratch bytes lstmBackward needs. */
export function lstmBackwardScratch(B: i32, T: i32, I: i32, U: i32): f64 {
  const G = U << 2, U8 = up(U, NR), B4 = up(B, MR), BT = B * T;
  const g = <f64>G, u8 = <f64>U8, b4 = <f64>B4;
  const own = (b4 * g + g * u8 + b4 * u8 + <f64>B * <f64>U) * 4;
  return own + max(matmulScratch(I, BT, G, 0), matmulScratch(U, BT, G, 0));
}

/**
 * Backpropagation through time: from dy (shaped like lstmForward's y) and the forward pass's aux,
 * dz [B·T × 4U] (the gates' pre-activation gradients, rows b·T + τ), dw [I, 4U], dr [U, 4U] and
 * db [4U] (db = 0: no bias). Zero initial state. The input gradient is dz·Wᵀ (matmulTB), left to
 * the caller: the first layer's is not needed.
 */
export function lstmBackward(x: usize, r: usize, aux: usize, dy: usize, dz: usize, dw: usize, dr: usize, db: usize,
  scratch: usize, B: i32, T: i32, I: i32, U: i32, back: i32, seq: i32): void {
  const G = U << 2, U8 = up(U, NR), B4 = up(B, MR), BT = B * T;
  const us = <usize>U << 2, gs = <usize>G << 2;
  const gates = aux;
  const cs = gates + <usize>BT * gs;
  const tcs = cs + <usize>BT * us;
  const hp = tcs + <usize>BT * us;
  const ap = scratch;
  const rt = ap + (<usize>(B4 * G) << 2);
  const dhr = rt + (<usize>(G * U8) << 2); // dh from the next step: dz_{s+1}·Rᵀ [B4 × U8]
  const dc = dhr + (<usize>(B4 * U8) << 2); // dc carried to the previous step [B × U]
  const mm = dc + <usize>B * us;
  if (U8 != U) memory.fill(rt, 0, <usize>(G * U8) << 2);
  transpose2d(r, G, rt, U8, U, G);
  if (B4 != B) memory.fill(ap + <usize>(B4 / 4 - 1) * (<usize>G << 4), 0, <usize>G << 4);
  memory.fill(dc, 0, <usize>B * us);
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let s = T - 1; s >= 0; s--) {
    const t = back ? T - 1 - s : s;
    const tp = back ? t + 1 : t - 1;
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * T + t);
      const gz = gates + row * gs, dzr = dz + row * gs;
      const tcrow = tcs + row * us;
      const cprev = cs + <usize>(b * T + tp) * us;
      const dyrow: usize = seq ? dy + <usize>(b * T + s) * us : s == T - 1 ? dy + <usize>b * us : 0;
      const dhrow = dhr + (<usize>(b * U8) << 2);
      const dcrow = dc + <usize>b * us;
      for (let j = 0; j < U; j += 4) {
        const n = min(4, U - j);
        const o = <usize>j << 2;
        let dh = dyrow ? ld(dyrow + o, n) : zero;
        if (s < T - 1) dh = f32x4.add(dh, ld(dhrow + o, n));
        const ig = ld(gz + o, n), fg = ld(gz + us + o, n), gg = ld(gz + 2 * us + o, n), og = ld(gz + 3 * us + o, n);
        const tc = ld(tcrow + o, n);
        // h = o·tanh(c); c = f·c_prev + i·g; the gradients as tfjs' (sigmoid: dy·y·(1−y), tanh: dy·(1−y²))
        const dO = f32x4.mul(dh, tc);
        const dcv = f32x4.add(ld(dcrow + o, n), f32x4.mul(f32x4.mul(dh, og), f32x4.sub(one, f32x4.mul(tc, tc))));
        const di = f32x4.mul(dcv, gg), dg = f32x4.mul(dcv, ig);
        const df = s > 0 ? f32x4.mul(dcv, ld(cprev + o, n)) : zero;
        st(dcrow + o, f32x4.mul(dcv, fg), n);
        st(dzr + o, f32x4.mul(di, f32x4.mul(ig, f32x4.sub(one, ig))), n);
        st(dzr + us + o, f32x4.mul(df, f32x4.mul(fg, f32x4.sub(one, fg))), n);
        st(dzr + 2 * us + o, f32x4.mul(dg, f32x4.sub(one, f32x4.mul(gg, gg))), n);
        st(dzr + 3 * us + o, f32x4.mul(dO, f32x4.mul(og, f32x4.sub(one, og))), n);
      }
    }
    if (s > 0) {
      packRows(dz + <usize>t * gs, T * G, ap, B, G);
      gemm(ap, rt, dhr, B4, U8, G, U8, U8, 0);
    }
  }
  // The weight gradients over all steps at once.
  matmulTA(x, dz, dw, mm, BT, I, G);
  matmulTA(hp, dz, dr, mm, BT, U, G);
  if (db) colSum(dz, db, BT, G);
}
