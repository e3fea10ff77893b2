/**
 * Seeded randomness for reproducible runs. TensorFlow.js draws unseeded random numbers (weight
 * initialisers, dropout masks) from Math.random, so a run swaps in a seeded generator for its duration.
 */

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed (when the document gives none). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** Fisher–Yates shuffle in place with the given generator. */
export function shuffleInPlace<T>(a: T[] | Int32Array | Uint32Array, rng: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
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
