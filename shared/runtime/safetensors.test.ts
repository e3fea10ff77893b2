import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

describe('safetensors', () => {
  it('round-trips float32 and int64 tensors with metadata; data starts 8-byte aligned', () => {
    const bytes = encodeSafetensors([
      { name: 'a.weight', tensor: { shape: [2, 3], data: Float32Array.from([1.5, -2, 3e-8, 4, 5, Math.PI]) } },
      { name: 'bn.num_batches_tracked', tensor: { shape: [], data: Float32Array.from([7]), dtype: 'int64' } },
      { name: 'empty', tensor: { shape: [0, 4], data: new Float32Array(0) } },
    ], { epoch: '3' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ epoch: '3' });
    expect(tensors.get('a.weight')).toEqual({ shape: [2, 3], data: Float32Array.from([1.5, -2, 3e-8, 4, 5, Math.PI]) });
    expect(tensors.get('bn.num_batches_tracked')).toEqual({ shape: [], data: Float32Array.from([7]), dtype: 'int64' });
    expect(tensors.get('empty')!.shape).toEqual([0, 4]);
  });

  it('names the problem of a damaged file', () => {
    const bytes = encodeSafetensors([{ name: 'w', tensor: { shape: [4], data: new Float32Array(4) } }]);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'x.safetensors')).toThrow(/x\.safetensors is not a valid safetensors file: w goes past the end of the file \(\d+ bytes\): it is cut short/);
    expect(() => decodeSafetensors(new Uint8Array(4), 'y.safetensors')).toThrow('y.safetensors is not a valid safetensors file: shorter than its header');
  });
});
