// AssemblyScript source of the fused optimizer updates. Built by scripts/build-wasm.mjs into
// ../optim-wasm.ts. Like the SIMD kernels (kernels/simd), the module IMPORTS tfjs-backend-wasm's
// memory: every pointer is a byte offset into that heap (weights, gradients, the optimizer's
// malloc'ed moments, the new weights). It owns no memory: no static data, no runtime.
//
// Arithmetic: float32, the same operations in the same order as tf.train.adam / sgd / momentum's
// kernels (wasm f32 ops are IEEE single precision, no FMA), so the results are bit-identical.

/* eslint-disable -- AssemblyScript, not TypeScript: checked by asc (scripts/build-wasm.mjs), not by tsc/ESLint */
// @ts-nocheck

/**
 * Adam, one variable of n floats: m ← b1·m + c1·g; v ← b2·v + c2·g²;
 * out ← w + ((m / k1) / (sqrt(v / k2) + eps)) · negLr, with k = 1 − beta^t.
 */
export function adam(w: usize, g: usize, m: usize, v: usize, out: usize, n: i32,
  b1: f32, b2: f32, c1: f32, c2: f32, k1: f32, k2: f32, eps: f32, negLr: f32): void {
  const B1 = f32x4.splat(b1), B2 = f32x4.splat(b2), C1 = f32x4.splat(c1), C2 = f32x4.splat(c2);
  const K1 = f32x4.splat(k1), K2 = f32x4.splat(k2), E = f32x4.splat(eps), L = f32x4.splat(negLr);
  const n4 = n & ~3;
  let o: usize = 0;
  for (let j = 0; j < n4; j += 4, o += 16) {
    const gj = v128.load(g + o);
    const mj = f32x4.add(f32x4.mul(v128.load(m + o), B1), f32x4.mul(gj, C1));
    const vj = f32x4.add(f32x4.mul(v128.load(v + o), B2), f32x4.mul(f32x4.mul(gj, gj), C2));
    v128.store(m + o, mj);
    v128.store(v + o, vj);
    const step = f32x4.mul(f32x4.div(f32x4.div(mj, K1), f32x4.add(f32x4.sqrt(f32x4.div(vj, K2)), E)), L);
    v128.store(out + o, f32x4.add(v128.load(w + o), step));
  }
  for (let j = n4; j < n; j++, o += 4) {
    const gj = load<f32>(g + o);
    const mj = load<f32>(m + o) * b1 + gj * c1;
    const vj = load<f32>(v + o) * b2 + (gj * gj) * c2;
    store<f32>(m + o, mj);
    store<f32>(v + o, vj);
    store<f32>(out + o, load<f32>(w + o) + ((mj / k1) / (Mathf.sqrt(vj / k2) + eps)) * negLr);
  }
}

/** Plain SGD: out ← c·g + w (c = −lr). */
export function sgd(w: usize, g: usize, out: usize, n: i32, c: f32): void {
  const C = f32x4.splat(c);
  const n4 = n & ~3;
  let o: usize = 0;
  for (let j = 0; j < n4; j += 4, o += 16) {
    v128.store(out + o, f32x4.add(f32x4.mul(C, v128.load(g + o)), v128.load(w + o)));
  }
  for (let j = n4; j < n; j++, o += 4) store<f32>(out + o, c * load<f32>(g + o) + load<f32>(w + o));
}

/**
 * Momentum: a ← mu·a + g; out ← c·a + w, or with Nesterov out ← c·(g + a·mu) + w (c = −lr).
 */
export function momentum(w: usize, g: usize, a: usize, out: usize, n: i32, c: f32, mu: f32, nesterov: i32): void {
  const C = f32x4.splat(c), M = f32x4.splat(mu);
  const n4 = n & ~3;
  let o: usize = 0;
  for (let j = 0; j < n4; j += 4, o += 16) {
    const gj = v128.load(g + o);
    const aj = f32x4.add(f32x4.mul(M, v128.load(a + o)), gj);
    v128.store(a + o, aj);
    const d = nesterov ? f32x4.add(gj, f32x4.mul(aj, M)) : aj;
    v128.store(out + o, f32x4.add(f32x4.mul(C, d), v128.load(w + o)));
  }
  for (let j = n4; j < n; j++, o += 4) {
    const gj = load<f32>(g + o);
    const aj = mu * load<f32>(a + o) + gj;
    store<f32>(a + o, aj);
    store<f32>(out + o, c * (nesterov ? gj + aj * mu : aj) + load<f32>(w + o));
  }
}
