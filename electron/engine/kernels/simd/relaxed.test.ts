/**
 * The relaxed-SIMD build of the kernels (fused multiply-add) against the plain build: the same
 * models' losses, gradients and a few Adam steps, computed by the engine in two child processes,
 * one with --experimental-wasm-relaxed-simd (Node 20 needs it; Electron's V8 has relaxed SIMD on)
 * and one without. An FMA rounds once where mul + add round twice, so values differ in the last
 * bits. Tolerances, relative to each array's largest magnitude (a wrong kernel is off by O(1)):
 * losses and gradients 5e-6 (measured ≤ 5.1e-7); the losses of 5 Adam steps (lr 1e-2) 1e-5; the
 * weights after them 2e-3 (measured ≤ 4.7e-4: Adam divides by √v, so a gradient near zero whose last
 * bits differ can move a weight by up to the learning rate either way).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNELS_RELAXED_WASM_BASE64 } from './kernels-relaxed-wasm';
import { KERNELS_WASM_BASE64 } from './kernels-wasm';
import { relaxedSimdSupported, simdFlavor } from './index';

const script = fileURLToPath(new URL('./relaxed-check.ts', import.meta.url));
const tolerance = (name: string) => (name === 'trained losses' ? 1e-5 : name.startsWith('trained ') ? 2e-3 : 5e-6);

interface Check { flavor: string | null; reason: string; values: Record<string, number[]> }

function run(flags: string[]): Check {
  const out = execFileSync(process.execPath, [...flags, '--import', 'tsx', script], {
    encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, LAYERLOOM_RELAXED_SIMD: '' },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Check;
}

function cpuHasFma(): boolean {
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/** f32x4.relaxed_madd: 0xfd 0x85 0x02. */
const hasRelaxedMadd = (b64: string) => Buffer.from(b64, 'base64').toString('hex').includes('fd8502');

it('this process (vitest, no flag) has no relaxed SIMD and runs the plain build', () => {
  expect(relaxedSimdSupported()).toBe(false);
  expect(simdFlavor()?.flavor).toBe('plain');
  expect(hasRelaxedMadd(KERNELS_RELAXED_WASM_BASE64)).toBe(true);
  expect(hasRelaxedMadd(KERNELS_WASM_BASE64)).toBe(false);
});

it('the relaxed build gives the plain build\'s values and gradients (5e-6), losses over 5 Adam steps (1e-5) and weights (2e-3)', () => {
  const relaxed = run(['--experimental-wasm-relaxed-simd']);
  const plain = run([]);
  expect(relaxed.flavor).toBe('relaxed');
  expect(relaxed.reason).toMatch(/SIMD kernels with fused multiply-add \(relaxed SIMD\)/);
  expect(plain.flavor).toBe('plain');
  const names = Object.keys(plain.values);
  expect(names.length).toBeGreaterThan(15);
  expect(Object.keys(relaxed.values)).toEqual(names);
  let differs = 0;
  for (const name of names) {
    const a = relaxed.values[name]!, b = plain.values[name]!;
    expect(a.length, name).toBe(b.length);
    expect(a.length, name).toBeGreaterThan(0);
    const scale = Math.max(...b.map(Math.abs));
    expect(scale, `${name} is all zeros`).toBeGreaterThan(0);
    let err = 0;
    for (let i = 0; i < a.length; i++) {
      expect(Number.isFinite(a[i]) && Number.isFinite(b[i]), `${name}[${i}] finite`).toBe(true);
      err = Math.max(err, Math.abs(a[i]! - b[i]!));
    }
    if (err > 0) differs++;
    expect(err / scale, name).toBeLessThan(tolerance(name));
  }
  // On a CPU with FMA3 V8 compiles relaxed_madd to vfmadd: some values differ in their last bits.
  // (Without FMA3 it is a multiply and an add, and the builds agree bit for bit.)
  if (cpuHasFma()) expect(differs).toBeGreaterThan(0);
}, 300_000);
