// Part of the SIMD kernels module (entry: ./kernels.ts; see its header for the memory rules).
// Winograd F(2x2,3x3) for 3x3 stride-1 convolutions: forward/input gradient and filter gradient.

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

import { MR, NR, up, gemm } from './gemm';

/** Scratch bytes winograd3x3 needs for blocks of TB tiles (a multiple of 4). */
export function winogradScratch(Ci: i32, Co: i32, TB: i32): f64 {
  const co8 = <f64>up(Co, NR), ci = <f64>Ci, tb = <f64>TB;
  return (16 * ci * co8 + 16 * tb * ci + 16 * tb * co8) * 4;
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
export function winogradFilterGradScratch(Ci: i32, Co: i32, TB: i32): f64 {
  const ci4 = <f64>up(Ci, MR), co8 = <f64>up(Co, NR), tb = <f64>TB;
  return (16 * ci4 * co8 + 16 * ci4 * tb + 16 * tb * co8) * 4;
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
