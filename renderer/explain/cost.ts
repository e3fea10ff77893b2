/**
 * The method picker's cost estimate: forward passes (exact, shared/explain's count) and seconds
 * (passes × the model's FLOPs × a pace). The pace starts as a guess for the wasm backend and becomes
 * the measured one after the first explanation of a run that took long enough to time.
 */
import { DEFAULTS, estimateForwardPasses, type MethodSpec } from '../../shared/explain';
import type { ModelFacts } from './model';

/** A guess before anything was measured: the wasm backend on one core does roughly this. */
export const GUESSED_SEC_PER_FLOP = 1 / 1e9;
/** Loading the run and its data, the round trip: paid once per request. */
export const OVERHEAD_SEC = 0.1;
/** Explanations shorter than this, or with fewer passes, are mostly overhead: they do not say much about the pace. */
const MIN_TIMED_SEC = 0.05;
const MIN_TIMED_PASSES = 10;

/** Backward passes cost about twice a forward one. */
const GRADIENT_METHODS = new Set(['ig', 'smoothgrad', 'gradient', 'gradcam']);
export const workFactor = (spec: MethodSpec) => (GRADIENT_METHODS.has(spec.method) ? 3 : 1);

/** The features SHAP/LIME switch on and off: columns, superpixels (about as many as asked), steps or tokens. */
export function switchedFeatures(spec: MethodSpec, facts: ModelFacts): number {
  if (facts.kind === 'table') return facts.size;
  if (facts.kind !== 'image') return facts.shape[0]!;
  const seg = spec.method === 'shap' || spec.method === 'lime' ? spec.segmentation : undefined;
  if (seg?.kind === 'grid') return seg.rows * seg.cols;
  return seg?.segments ?? DEFAULTS.segments;
}

export interface Cost {
  forwardPasses: number;
  seconds: number;
  /** Whether `seconds` comes from this run's measured pace or from the guess. */
  measured: boolean;
}

export function estimateCost(spec: MethodSpec, facts: ModelFacts, secPerFlop?: number): Cost {
  const forwardPasses = estimateForwardPasses(spec, { shape: facts.shape, features: switchedFeatures(spec, facts), image: facts.kind === 'image' });
  const work = forwardPasses * Math.max(facts.flops, facts.size) * workFactor(spec);
  return { forwardPasses, seconds: OVERHEAD_SEC + work * (secPerFlop ?? GUESSED_SEC_PER_FLOP), measured: secPerFlop !== undefined };
}

export interface Pace {
  secPerFlop: number;
  /** The FLOPs of the explanation it was measured on: a bigger one measures better. */
  work: number;
}

/**
 * The pace an explanation measured (its time less the fixed overhead, at least half of it, per
 * FLOP), or undefined when it was too short to tell (one Grad-CAM pass is nearly all overhead).
 */
export function measuredPace(spec: MethodSpec, facts: ModelFacts, r: { forwardPasses: number; elapsedSec: number }): Pace | undefined {
  if (r.elapsedSec < MIN_TIMED_SEC || r.forwardPasses < MIN_TIMED_PASSES) return undefined;
  const work = r.forwardPasses * Math.max(facts.flops, facts.size) * workFactor(spec);
  return work > 0 ? { secPerFlop: Math.max(r.elapsedSec - OVERHEAD_SEC, r.elapsedSec / 2) / work, work } : undefined;
}

/** Keep the pace measured on the most work. */
export const betterPace = (old: Pace | undefined, next: Pace | undefined): Pace | undefined =>
  !next ? old : !old || next.work >= old.work ? next : old;

/** "0.2 s", "14 s", "3 min". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 1) return `${s.toFixed(1)} s`;
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.round(s / 60)} min`;
}
