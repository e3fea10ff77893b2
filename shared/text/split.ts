/**
 * Splits for text data, by groups rather than by samples: contiguous blocks of a corpus (so that no
 * window of validation or test text overlaps the training text) or distinct source sentences (so
 * that a sentence in the test split never appears in training, in any pair).
 */
import { mixSeed, mulberry32, shuffleInPlace } from '../random';

export type Part = 'train' | 'validation' | 'test';
export const PARTS: readonly Part[] = ['train', 'validation', 'test'];

/** Sample indices of each part (disjoint). Same shape as the engine's `Split`. */
export interface IndexSplit {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface SplitFractions {
  /** Fraction of all groups held out for test (default 0.1). */
  testSplit?: number;
  /** Fraction of the remaining groups for validation (default 0.1). */
  validationSplit?: number;
  /** Seed of the assignment (default 0). */
  seed?: number;
}

/** A problem with text data a person can act on; `line` is 1-based when known. */
export class TextDataError extends Error {
  constructor(message: string, readonly line?: number) {
    super(message);
    this.name = 'TextDataError';
  }
}

function fraction(v: number | undefined, name: string): number {
  const f = v ?? 0.1;
  if (!(f >= 0 && f < 1)) throw new TextDataError(`${name} must be at least 0 and below 1, not ${f}.`);
  return f;
}

/** How many of n groups each part gets: a fraction > 0 gets at least one group; training keeps at least one. */
export function partSizes(n: number, f: SplitFractions): { train: number; validation: number; test: number } {
  const ft = fraction(f.testSplit, 'testSplit');
  const fv = fraction(f.validationSplit, 'validationSplit');
  const test = ft > 0 ? Math.max(1, Math.round(n * ft)) : 0;
  const validation = fv > 0 ? Math.max(1, Math.round((n - test) * fv)) : 0;
  return { train: n - test - validation, validation, test };
}

/** Seeded assignment of n groups to parts (sizes from partSizes). */
export function assignParts(n: number, f: SplitFractions): Part[] {
  const sizes = partSizes(n, f);
  if (sizes.train < 1) throw new TextDataError(`${n} groups cannot be split into training, validation and test parts.`);
  const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), mulberry32(mixSeed(f.seed ?? 0, 0x7e47)));
  const parts = new Array<Part>(n);
  order.forEach((g, rank) => {
    parts[g] = rank < sizes.test ? 'test' : rank < sizes.test + sizes.validation ? 'validation' : 'train';
  });
  return parts;
}

/** Collects sample indices by part. */
export function indexSplit(partOfSample: readonly Part[]): IndexSplit {
  const lists: Record<Part, number[]> = { train: [], validation: [], test: [] };
  partOfSample.forEach((p, i) => lists[p].push(i));
  return { train: Int32Array.from(lists.train), validation: Int32Array.from(lists.validation), test: Int32Array.from(lists.test) };
}
