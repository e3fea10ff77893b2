// Part of the SIMD kernels module (entry: ./kernels.ts; see its header for the memory rules).
// One-pass element-wise kernels: column sums (bias gradients), Relu gradient, bias add.

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)
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
