/** Seeded randomness for datasets: the shared PRNG, with this module's historical seed mixing. */
import { mulberry32 as base, type Rng } from '../../../shared/random';

export { gaussian, mixSeed, shuffleInPlace, type Rng } from '../../../shared/random';

/**
 * Uniform [0, 1) generator for dataset code. The seed is xor-ed with a constant so that the built-in
 * synthetic sets keep the exact samples they had when they were first published.
 */
export function mulberry32(seed: number): Rng {
  return base((seed | 0) ^ 0x9e3779b9);
}

/** Integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
