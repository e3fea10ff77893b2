// Part of the SIMD kernels module (entry: ./kernels.ts; see its header for the memory rules).
// The GEMM micro-kernel and the packing helpers every other kernel builds on.

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

export const MR: i32 = 4; // rows of the GEMM micro-kernel
export const NR: i32 = 8; // columns (two v128)
const NB: i32 = 64; // columns per cache block of B

/**
 * a·b + c per lane. The relaxed build (`--use RELAXED=1`, for runtimes with relaxed SIMD: Electron's
 * V8; Node 20 only with --experimental-wasm-relaxed-simd) emits f32x4.relaxed_madd, a fused
 * multiply-add on x64 with FMA3 (one rounding instead of two); the plain build a multiply and an add.
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (RELAXED) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

@inline export function up(v: i32, m: i32): i32 {
  return (v + m - 1) / m * m;
}

/**
 * C[rows × ldc] += A·B (acc = 1) or C = A·B (acc = 0), for rows % 4 == 0 and cols % 8 == 0.
 * A is packed in panels of 4 rows, k-major: A[i][k] at ap + ((i/4)·kdim·4 + k·4 + i%4)·4.
 * B is row-major [kdim][ldb]. 4×8 register tile: 8 accumulators + 2 B vectors + 1 splat fit in the
 * 16 vector registers V8 uses on x64 (wider tiles spill). `madd`: FMA in the relaxed build, mul + add
 * in the plain one.
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
        a00 = madd(s, b0, a00);
        a01 = madd(s, b1, a01);
        s = v128.load32_splat(pa, 4);
        a10 = madd(s, b0, a10);
        a11 = madd(s, b1, a11);
        s = v128.load32_splat(pa, 8);
        a20 = madd(s, b0, a20);
        a21 = madd(s, b1, a21);
        s = v128.load32_splat(pa, 12);
        a30 = madd(s, b0, a30);
        a31 = madd(s, b1, a31);
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
@inline export function copyF32(dst: usize, src: usize, n: i32): void {
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
