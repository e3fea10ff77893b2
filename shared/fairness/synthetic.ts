/**
 * A synthetic hiring dataset with a known, documented bias (docs/fairness.md), deterministic by seed:
 *
 *   group    B with probability 0.3, else A
 *   skill    N(0, 1) in both groups; a person is qualified when skill > 0 (P = 0.5 in both groups)
 *   score    skill + N(0, 0.5²): a test result, the same for both groups
 *   zip      N(+1, 1) in group B, N(−1, 1) in group A: a proxy of the group, unrelated to skill
 *   hired    the historical label: qualified, except that a qualified person of group B was
 *            recorded as not hired with probability 0.4 (label bias)
 *
 * So P(hired | A) = 0.5 and P(hired | B) = 0.5 · 0.6 = 0.3 exactly: the labels' demographic-parity
 * difference is 0.2, all of it from the recording bias. A model trained on (score, zip) without the
 * group learns the bias through zip.
 */
import { gaussian, mixSeed, mulberry32 } from '../random';

export const BIASED_FACTS = {
  pGroupB: 0.3,
  pHiredGivenA: 0.5,
  pHiredGivenB: 0.3,
  /** P(a qualified person of group B recorded as not hired). */
  pDroppedB: 0.4,
} as const;

export interface BiasedRow {
  group: 'A' | 'B';
  score: number;
  zip: number;
  qualified: boolean;
  hired: 0 | 1;
}

/** `n` rows of the biased hiring data; the same seed gives the same rows. */
export function biasedHiring(n: number, seed: number): BiasedRow[] {
  const rng = mulberry32(mixSeed(seed, 0xfa1e));
  const rows: BiasedRow[] = [];
  for (let i = 0; i < n; i++) {
    const group = rng() < BIASED_FACTS.pGroupB ? 'B' : 'A';
    const skill = gaussian(rng);
    const score = skill + 0.5 * gaussian(rng);
    const zip = (group === 'B' ? 1 : -1) + gaussian(rng);
    const qualified = skill > 0;
    const dropped = group === 'B' && rng() < BIASED_FACTS.pDroppedB;
    rows.push({ group, score, zip, qualified, hired: qualified && !dropped ? 1 : 0 });
  }
  return rows;
}

/** The rows as CSV text: group, score, zip, hired (numbers to 4 decimals). */
export function biasedHiringCsv(rows: readonly BiasedRow[]): string {
  const lines = ['group,score,zip,hired'];
  for (const r of rows) lines.push(`${r.group},${r.score.toFixed(4)},${r.zip.toFixed(4)},${r.hired}`);
  return lines.join('\n') + '\n';
}
