import { createRequire } from 'node:module';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendInfoSchema } from '../../shared/engine/events';
import { describeBackend, initBackend, setNativeLoader } from './backend';
import { tf } from './tfjs';

/** What Node throws for an import of a package that is not installed. */
const notInstalled = () => Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /app/backend.js"), { code: 'ERR_MODULE_NOT_FOUND' });

/** Importing the real package registers a `tensorflow` backend; the stub registers a cpu backend under that name. */
const presentLoader = async () => {
  tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
};

describe('backend selection (@tensorflow/tfjs-node stubbed at its loader)', () => {
  afterEach(async () => {
    setNativeLoader(null);
    if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
    await initBackend('wasm');
  });

  it('without tfjs-node, picks wasm and says why it is not native', async () => {
    setNativeLoader(async () => { throw notInstalled(); });
    const b = BackendInfoSchema.parse(await initBackend('tensorflow'));
    expect(b.name).toBe('wasm');
    expect(b.native).toBe(false);
    expect(b.reason).toMatch(/@tensorflow\/tfjs-node\) is not installed/);
    expect(tf.getBackend()).toBe('wasm');
    expect(describeBackend(b)).toMatch(/^WebAssembly .*not native: native TensorFlow/);
  });

  it('with tfjs-node present, picks it (native) first; a forced backend still wins', async () => {
    setNativeLoader(presentLoader);
    const b = BackendInfoSchema.parse(await initBackend());
    expect(b).toEqual({ name: 'tensorflow', native: true });
    expect(tf.getBackend()).toBe('tensorflow');
    expect(describeBackend(b)).toBe('native TensorFlow');
    expect((await initBackend('wasm')).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('tfjs-node installed but broken, or not initialising, falls back to wasm with the reason', async () => {
    setNativeLoader(async () => { throw new Error('libtensorflow.so.2: cannot open shared object file\n  at dlopen'); });
    expect(await initBackend('tensorflow')).toMatchObject({
      name: 'wasm', reason: expect.stringMatching(/^native TensorFlow \(@tensorflow\/tfjs-node\) failed to load: libtensorflow\.so\.2: cannot open shared object file(;|$)/),
    });
    setNativeLoader(async () => { tf.registerBackend('tensorflow', () => { throw new Error('no device'); }); });
    const quiet = [vi.spyOn(console, 'warn').mockImplementation(() => undefined), vi.spyOn(console, 'error').mockImplementation(() => undefined)];
    try {
      expect(await initBackend('tensorflow')).toMatchObject({ name: 'wasm', reason: expect.stringMatching(/^native TensorFlow \(@tensorflow\/tfjs-node\) is installed but did not initialise(;|$)/) });
    } finally {
      quiet.forEach((q) => q.mockRestore());
    }
  });

  it('the real loader agrees with whether @tensorflow/tfjs-node is installed here', async () => {
    const installed = (() => {
      try {
        createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
        return true;
      } catch {
        return false;
      }
    })();
    const b = await initBackend('tensorflow');
    if (installed) expect(b).toMatchObject({ name: 'tensorflow', native: true });
    else expect(b).toMatchObject({ name: 'wasm', reason: expect.stringMatching(/is not installed/) });
  });

  it('the wasm backend names the build of its SIMD kernels: plain SIMD in Node 20 without the relaxed-SIMD flag', async () => {
    setNativeLoader(async () => { throw notInstalled(); });
    const b = await initBackend('tensorflow');
    expect(b.name).toBe('wasm');
    // vitest runs without --experimental-wasm-relaxed-simd; the relaxed build is checked in simd/relaxed.test.ts
    expect(b.reason).toMatch(/; plain SIMD kernels \(this runtime has no relaxed SIMD; Electron has it, Node 20 needs --experimental-wasm-relaxed-simd\)$/);
  });

  it('a forced backend is used and reported, and switching back works', async () => {
    const cpu = await initBackend('cpu');
    expect(cpu).toMatchObject({ name: 'cpu', native: false });
    expect(cpu.reason).toMatch(/cpu backend requested/);
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initBackend('wasm');
    expect(wasm.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // Idempotent: asking again does not re-initialise.
    expect(await initBackend('wasm')).toBe(wasm);
  });
});
