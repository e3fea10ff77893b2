import { describe, expect, it } from 'vitest';
import { BIASED_FACTS, biasedHiring, biasedHiringCsv } from './synthetic';

describe('synthetic biased hiring data', () => {
  it('is deterministic by seed and has the documented rates', () => {
    expect(biasedHiring(50, 7)).toEqual(biasedHiring(50, 7));
    expect(biasedHiring(50, 7)).not.toEqual(biasedHiring(50, 8));
    const rows = biasedHiring(40_000, 1);
    const rate = (f: (r: (typeof rows)[number]) => boolean, of: (r: (typeof rows)[number]) => boolean) => rows.filter((r) => of(r) && f(r)).length / rows.filter(of).length;
    const hired = (r: (typeof rows)[number]) => r.hired === 1;
    // Binomial standard errors here are < 0.005: 0.015 is three of them.
    expect(rate((r) => r.group === 'B', () => true)).toBeCloseTo(BIASED_FACTS.pGroupB, 1);
    expect(Math.abs(rate(hired, (r) => r.group === 'A') - BIASED_FACTS.pHiredGivenA)).toBeLessThan(0.015);
    expect(Math.abs(rate(hired, (r) => r.group === 'B') - BIASED_FACTS.pHiredGivenB)).toBeLessThan(0.015);
    // Qualification does not depend on the group; zip does.
    expect(Math.abs(rate((r) => r.qualified, (r) => r.group === 'A') - rate((r) => r.qualified, (r) => r.group === 'B'))).toBeLessThan(0.02);
    const meanZip = (g: string) => rows.filter((r) => r.group === g).reduce((a, r) => a + r.zip, 0) / rows.filter((r) => r.group === g).length;
    expect(meanZip('B') - meanZip('A')).toBeCloseTo(2, 1);
    expect(biasedHiringCsv(rows.slice(0, 2)).split('\n')[0]).toBe('group,score,zip,hired');
  });
});
