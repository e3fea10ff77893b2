import { describe, expect, it } from 'vitest';
import { gradCam, resizeBilinear } from './gradcam';
import { occlusion, occlusionStarts } from './occlusion';
import { tokenOcclusion } from './text';

describe('occlusion', () => {
  it('window starts cover the axis, the last one clipped', () => {
    expect(occlusionStarts([7, 5], [3, 5], [2, 1])).toEqual([[0, 2, 4], [0]]);
    expect(occlusionStarts([8], [3], [3])).toEqual([[0, 3, 6]]);
  });

  it('per element on a linear model gives w·(x − baseline); windows average their drops', async () => {
    const w = [1, -2, 3, 0.5];
    const f = async (b: Float32Array, n: number) => Float32Array.from({ length: n }, (_, i) => w.reduce((a, wj, j) => a + wj * b[i * 4 + j]!, 0));
    const x = Float32Array.from([1, 2, 3, 4]);
    const one = await occlusion(f, x, [4], new Float32Array(4), { window: [1] });
    expect(Array.from(one.attributions)).toEqual([1, -4, 9, 2]);
    expect(one.forwardPasses).toBe(5);
    // window 2 stride 1 over [4]: windows {0,1} {1,2} {2,3}: drops -3, 5, 11
    const two = await occlusion(f, x, [4], new Float32Array(4), { window: [2], stride: [1] });
    expect(Array.from(two.attributions)).toEqual([-3, 1, 8, 11]);
    // per token over a [2, 2] sequence with a pad value
    const tok = await tokenOcclusion(f, x, [2, 2], 0);
    expect(Array.from(tok.perToken)).toEqual([1 - 4, 9 + 2]);
  });
});

describe('Grad-CAM math', () => {
  it('channel weights are mean gradients, the map is ReLU of their combination', () => {
    // 2×2 positions, 2 channels.
    const a = [1, 0, 2, 1, 0, 3, 1, 1];
    const g = [1, -1, 1, -1, 1, -1, 1, -1]; // α = [1, -1]
    const r = gradCam(a, g, [2, 2, 2], [2, 2]);
    expect(Array.from(r.channelWeights)).toEqual([1, -1]);
    expect(Array.from(r.coarse)).toEqual([1, 1, 0, 0]);
    expect(Array.from(r.map)).toEqual([1, 1, 0, 0]);
  });

  it('bilinear resize uses half-pixel centres (torch align_corners=False)', () => {
    // 1×2 → 1×4: source positions -0.25→0, 0.25, 0.75, 1.25→clamped
    expect(Array.from(resizeBilinear([0, 4], 1, 2, 1, 4))).toEqual([0, 1, 3, 4]);
  });
});
