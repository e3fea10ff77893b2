/**
 * Seeded randomness for reproducible runs. TensorFlow.js draws unseeded random numbers (weight
 * initialisers, dropout masks) from Math.random, so a run swaps in a seeded generator for its duration.
 */
import { mulberry32 } from '../../shared/random';

export { mulberry32, shuffleInPlace } from '../../shared/random';

/** A fresh seed (when the document gives none). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}


/**
 * Replace Math.random by a seeded generator until the returned restore() is called. Nested calls
 * restore in order. Meant for the engine process (one run at a time).
 */
export function seedMathRandom(seed: number): () => void {
  const previous = Math.random;
  Math.random = mulberry32(seed ^ 0x9e3779b9);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    Math.random = previous;
  };
}

/**
 * Run synchronous fn with Math.random drawing from `rng` (a generator that persists across calls),
 * restoring the previous Math.random afterwards. Scoping the swap to synchronous sections keeps
 * concurrent runs and other code in the process from sharing or disturbing a run's random stream.
 */
export function withRandom<T>(rng: () => number, fn: () => T): T {
  const previous = Math.random;
  Math.random = rng;
  try {
    return fn();
  } finally {
    Math.random = previous;
  }
}

/** Run fn with Math.random seeded (synchronous code only). */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const restore = seedMathRandom(seed);
  try {
    return fn();
  } finally {
    restore();
  }
}
