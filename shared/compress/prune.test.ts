import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import {
  channelL1, fineTuneSchedule, globalMasks, keepChannels, magnitudeMask, maskSparsity, maskUpdateDue, polynomialSparsity, type PruningSchedule,
} from './prune';

const rand = (n: number, seed: number) => { const r = mulberry32(seed); return Float32Array.from({ length: n }, () => r() * 2 - 1); };

describe('magnitude masks', () => {
  it('prune exactly round(s·n) weights, all of smaller |w| than every kept one', () => {
    const w = rand(1001, 1);
    const m = magnitudeMask(w, 0.8);
    expect(m.filter((x) => x === 0)).toHaveLength(Math.round(0.8 * 1001));
    const pruned = Array.from(w).filter((_, i) => !m[i]).map(Math.abs);
    const kept = Array.from(w).filter((_, i) => m[i]).map(Math.abs);
    expect(Math.max(...pruned)).toBeLessThanOrEqual(Math.min(...kept));
  });

  it('ties are broken by position, deterministically', () => {
    expect(Array.from(magnitudeMask([1, 1, 1, 1], 0.5))).toEqual([0, 0, 1, 1]);
  });

  it('masks only grow: a weight pruned before stays pruned even if its value grew back', () => {
    const w = rand(200, 2);
    const first = magnitudeMask(w, 0.3);
    const grown = w.map((v, i) => (first[i] ? v : 5)); // pruned weights now the largest
    const second = magnitudeMask(grown, 0.5, first);
    for (let i = 0; i < w.length; i++) if (!first[i]) expect(second[i]).toBe(0);
    expect(maskSparsity(second)).toBe(0.5);
  });

  it('global: one threshold across tensors, so a layer of small weights loses more', () => {
    const small = rand(100, 3).map((v) => v * 0.01);
    const large = rand(100, 4).map((v) => v + Math.sign(v)); // |w| ≥ 1
    const [ms, ml] = globalMasks([{ values: small }, { values: large }], 0.5);
    expect(maskSparsity(ms!)).toBe(1);
    expect(maskSparsity(ml!)).toBe(0);
    expect(() => magnitudeMask(small, 1)).toThrow(/sparsity must be a number in \[0, 1\), got 1/);
  });
});

describe('polynomial decay schedule (TFMOT)', () => {
  const s: PruningSchedule = { initial: 0.1, final: 0.8, beginStep: 10, endStep: 110, power: 3, frequency: 25 };
  it('final + (initial − final)(1 − t)^3, flat before begin and after end', () => {
    expect(polynomialSparsity(0, s)).toBe(0.1);
    expect(polynomialSparsity(60, s)).toBeCloseTo(0.8 + (0.1 - 0.8) * 0.5 ** 3, 12);
    expect(polynomialSparsity(110, s)).toBe(0.8);
    expect(polynomialSparsity(500, s)).toBe(0.8);
  });
  it('masks update every `frequency` steps from begin, at the end step, never after', () => {
    const due = Array.from({ length: 200 }, (_, i) => i).filter((i) => maskUpdateDue(i, s));
    expect(due).toEqual([10, 35, 60, 85, 110]);
  });
  it('the fine-tuning schedule reaches the target at 70 % of the steps; none = one-shot', () => {
    const f = fineTuneSchedule(0.8, 100);
    expect(f).toMatchObject({ initial: 0, final: 0.8, beginStep: 0, endStep: 70, frequency: 7 });
    expect(fineTuneSchedule(0.5, 0)).toMatchObject({ initial: 0.5, final: 0.5, endStep: 0 });
  });
});

describe('channel ranking', () => {
  it('L1 norm per output channel; the smallest are dropped, order kept', () => {
    // [2 inputs, 4 channels]
    const norms = channelL1([1, -5, 0.1, 2, -1, 1, 0.1, -3], [2, 4]);
    expect(Array.from(norms)).toEqual([2, 6, 0.2, 5]);
    expect(keepChannels(norms, 0.5)).toEqual([1, 3]);
    expect(keepChannels(norms, 0.99)).toEqual([1]);
  });
});
