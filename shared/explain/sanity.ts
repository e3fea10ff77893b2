/**
 * The model-randomisation sanity check (Adebayo et al., 2018): an explanation that reflects what
 * the model learned must change when the learned weights are replaced by random ones. The engine
 * re-initialises the layers one at a time from the output down (cascading) and recomputes the map;
 * here, the comparison: Spearman's rank correlation between the original and each randomised map,
 * on absolute values (the paper's main figure; signs flip freely under randomisation).
 */

/** Ranks 1..n, ties sharing their mean rank. */
export function ranks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const r = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && v[order[j + 1]!] === v[order[i]!]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]!] = mean;
    i = j + 1;
  }
  return r;
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  // A constant map has no ranking: it carries no information, so it correlates with nothing.
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Spearman's rank correlation of two equally long maps (Pearson on mid-ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`Maps of different sizes (${a.length} and ${b.length}) cannot be compared`);
  if (a.length < 2) return 0;
  return pearson(ranks(a), ranks(b));
}

export interface SanityStep {
  /** The layer re-initialised at this step (all layers above it are random too). */
  layer: string;
  /** Spearman correlation of |original| and |randomised| maps. */
  spearman: number;
}

export interface SanityVerdict {
  steps: SanityStep[];
  /** Flagged: the map with every layer randomised still ranks like the original (≥ threshold). */
  flagged: boolean;
  threshold: number;
}

/** Default threshold: a map whose ranking keeps a correlation of 0.5 with the trained model's is suspect. */
export const SANITY_THRESHOLD = 0.5;

const absolute = (v: ArrayLike<number>) => Float64Array.from(v as ArrayLike<number>, Math.abs);

export function sanityVerdict(original: ArrayLike<number>, randomised: { layer: string; map: ArrayLike<number> }[], threshold = SANITY_THRESHOLD): SanityVerdict {
  const o = absolute(original);
  const steps = randomised.map((r) => ({ layer: r.layer, spearman: spearman(o, absolute(r.map)) }));
  const last = steps.at(-1);
  return { steps, flagged: last !== undefined && last.spearman >= threshold, threshold };
}
