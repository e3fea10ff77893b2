import { describe, expect, it } from 'vitest';
import { BackendInfoSchema } from '../../shared/engine/events';
import { describeBackend, initBackend } from './backend';
import { tf } from './tfjs';

describe('backend selection', () => {
  it('without tfjs-node, picks wasm and says why it is not native', async () => {
    const b = BackendInfoSchema.parse(await initBackend('tensorflow'));
    expect(b.name).toBe('wasm');
    expect(b.native).toBe(false);
    expect(b.reason).toMatch(/@tensorflow\/tfjs-node\) is not installed/);
    expect(tf.getBackend()).toBe('wasm');
    expect(describeBackend(b)).toMatch(/^WebAssembly .*not native: native TensorFlow/);
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
