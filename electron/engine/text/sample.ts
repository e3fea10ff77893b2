/**
 * Picking the next token from a model's logits: greedy (temperature 0), or a seeded draw from the
 * softmax of logits / temperature restricted to the top-k tokens and/or the smallest set whose
 * probability reaches top-p. Ties are broken by the lower token id, so a seed gives the same tokens
 * on every run. Plain JS over one logits vector (the vocabulary is small).
 */
import type { Rng } from '../../../shared/random';

export interface SamplingOptions {
  /** 0 = greedy (always the most likely token); default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or absent: all). */
  topK?: number;
  /** Keep the most likely tokens until their probability reaches p (1 or absent: all). */
  topP?: number;
}

export class SamplingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SamplingError';
  }
}

export function checkSampling(o: SamplingOptions): void {
  const t = o.temperature ?? 1;
  if (!(t >= 0) || !Number.isFinite(t)) throw new SamplingError(`The temperature must be 0 (greedy) or more, not ${o.temperature}.`);
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 0)) throw new SamplingError(`top-k must be a whole number ≥ 0 (0 = off), not ${o.topK}.`);
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new SamplingError(`top-p must be above 0 and at most 1, not ${o.topP}.`);
}

/** The most likely allowed token (lowest id on ties). */
export function argmax(logits: ArrayLike<number>, allowed?: (id: number) => boolean): number {
  let best = -1;
  for (let i = 0; i < logits.length; i++) {
    if (allowed && !allowed(i)) continue;
    if (best < 0 || logits[i]! > logits[best]!) best = i;
  }
  return best;
}

/** Token ids by decreasing logit (lower id first on ties), allowed ones only. */
function ranked(logits: ArrayLike<number>, allowed?: (id: number) => boolean): number[] {
  const ids: number[] = [];
  for (let i = 0; i < logits.length; i++) if (!allowed || allowed(i)) ids.push(i);
  return ids.sort((a, b) => logits[b]! - logits[a]! || a - b);
}

/** The next token. `allowed` excludes ids that are never a next token (e.g. <pad>). */
export function sampleToken(logits: ArrayLike<number>, o: SamplingOptions, rng: Rng, allowed?: (id: number) => boolean): number {
  const t = o.temperature ?? 1;
  if (t === 0) return argmax(logits, allowed);
  let ids = ranked(logits, allowed);
  if (o.topK) ids = ids.slice(0, o.topK);
  const top = logits[ids[0]!]!;
  let probs = ids.map((i) => Math.exp((logits[i]! - top) / t));
  const total = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / total);
  if (o.topP !== undefined && o.topP < 1) {
    let cum = 0;
    let keep = 0;
    while (keep < probs.length && cum < o.topP) cum += probs[keep++]!;
    ids = ids.slice(0, keep);
    probs = probs.slice(0, keep);
  }
  const mass = probs.reduce((a, b) => a + b, 0);
  let r = rng() * mass;
  for (let j = 0; j < ids.length; j++) {
    r -= probs[j]!;
    if (r < 0) return ids[j]!;
  }
  return ids[ids.length - 1]!;
}
