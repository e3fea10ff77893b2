/**
 * The Explain operations' typed contract (zod): what the engine API (`explain.run`,
 * `explain.global`, `explain.sanity` in shared/engine/api.ts), the IPC contract and the CLI's
 * `--json` output share. Declared once here: what is asked (`…ParamsSchema`), which the engine
 * request adds to a run reference (`…RequestSchema`: the engine's explain(), explainGlobal() and
 * sanityCheck() take these) and the IPC request to the renderer's view of a run; and the answers.
 */
import { z } from 'zod';
import { RunRefSchema } from '../engine/run-id';

export const EXPLAIN_METHODS = ['shap', 'lime', 'ig', 'smoothgrad', 'gradcam', 'occlusion', 'gradient'] as const;
export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];
export const GLOBAL_METHODS = ['shap', 'permutation'] as const;

const seed = z.number().int().min(0).max(2 ** 31 - 1);
const count = (max: number) => z.number().int().min(1).max(max);

export const BaselineSchema = z.enum(['zero', 'mean', 'blur']);

/** Superpixels for SHAP and LIME on images (tables always use their columns). */
export const SegmentationSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('slic'), segments: z.number().int().min(2).max(1000).optional(), compactness: z.number().positive().max(1000).optional() }),
  z.object({ kind: z.literal('grid'), rows: count(256), cols: count(256) }),
]);

/** One method and its settings; every setting has a default (docs/explain.md). */
export const MethodSpecSchema = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('shap'),
    /** Tables: background rows drawn from the training split (default 100). */
    background: count(2000).optional(),
    /** Images: what a switched-off superpixel shows (default blur). */
    baseline: BaselineSchema.optional(),
    segmentation: SegmentationSpecSchema.optional(),
    /** Sampled coalitions when the features are too many to enumerate (default 2048). */
    coalitions: z.number().int().min(2).max(200_000).optional(),
    /** Enumerate exactly up to this many features (default 12). */
    exactMaxFeatures: z.number().int().min(0).max(16).optional(),
    seed: seed.optional(),
  }),
  z.object({
    method: z.literal('lime'),
    samples: z.number().int().min(10).max(100_000).optional(),
    baseline: BaselineSchema.optional(),
    segmentation: SegmentationSpecSchema.optional(),
    seed: seed.optional(),
  }),
  z.object({
    method: z.literal('ig'),
    steps: count(2000).optional(),
    rule: z.enum(['trapezoid', 'riemann']).optional(),
    baseline: BaselineSchema.optional(),
  }),
  z.object({ method: z.literal('smoothgrad'), samples: count(1000).optional(), noise: z.number().min(0).max(1).optional(), seed: seed.optional() }),
  /** layer: a Conv layer's node id (default: the last convolution). */
  z.object({ method: z.literal('gradcam'), layer: z.string().min(1).max(256).optional() }),
  /** window/stride in pixels or steps (default: a seventh of the image side, stride = window); features: 1. */
  z.object({ method: z.literal('occlusion'), window: count(4096).optional(), stride: count(4096).optional(), baseline: BaselineSchema.optional() }),
  z.object({ method: z.literal('gradient') }),
]);
export type MethodSpec = z.infer<typeof MethodSpecSchema>;

/** What to explain: raw values (as the user gave them, before normalisation) or a sample of the run's data. */
export const ExplainInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('values'),
    values: z.array(z.number()).min(1).max(16 * 1024 * 1024),
    /** Tables: the columns' names of `values` (a CSV row with its header), matched to the run's features by name. */
    featureNames: z.array(z.string().max(256)).max(100_000).optional(),
  }),
  /** `index`: the sample's number in the dataset, as Evaluate shows it (#index); it must be in `split`. */
  z.object({ kind: z.literal('sample'), index: z.number().int().min(0), split: z.enum(['test', 'validation', 'train']).optional() }),
]);
export type ExplainInput = z.infer<typeof ExplainInputSchema>;

/** One input, one method, one target. */
export const ExplainParamsSchema = z.strictObject({
  input: ExplainInputSchema,
  spec: MethodSpecSchema,
  /** Output unit to explain (class index; 0 for a single-output regressor). Default: the predicted class. */
  target: z.number().int().min(0).optional(),
});
export const ExplainRequestSchema = RunRefSchema.extend(ExplainParamsSchema.shape);
export type ExplainRequest = z.infer<typeof ExplainRequestSchema>;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const ExplanationSchema = z.object({
  method: z.enum(EXPLAIN_METHODS),
  target: z.object({ index: z.number().int().min(0), label: z.string() }),
  /** The model's value for the target (a probability for classifiers). */
  output: finite,
  /** What the attributions add up from (SHAP, IG, LIME); null for the others. */
  baseValue: finite.nullable(),
  /** Flat, row-major in `shape`: the input's shape, or [H, W] for per-pixel maps (Grad-CAM, superpixels). */
  attributions: z.array(finite),
  shape: z.array(z.number().int().min(1)),
  /** Tables: the columns' names and the explained row's raw values, for the bar chart. */
  featureNames: z.array(z.string()).optional(),
  featureValues: z.array(z.number()).optional(),
  /** IG: |Σ attributions − (output − baseValue)| / |output − baseValue|; suggest more steps above 0.01. */
  completenessGap: finite.optional(),
  /** SHAP/LIME on images: the superpixels (one label per pixel) and one value per superpixel. */
  segments: z.object({ labels: z.array(z.number().int().min(0)), values: z.array(finite) }).optional(),
  /** Method details: SHAP's exact/sampled and coalitions, LIME's fit R², Grad-CAM's layer. */
  details: z.object({
    exact: z.boolean().optional(),
    coalitions: z.number().int().optional(),
    r2: z.number().optional(),
    layer: z.string().optional(),
    baseline: BaselineSchema.optional(),
    steps: z.number().int().optional(),
  }).optional(),
  forwardPasses: z.number().int().min(0),
  elapsedSec: z.number().min(0),
});
export type Explanation = z.infer<typeof ExplanationSchema>;

export const GlobalParamsSchema = z.strictObject({
  method: z.enum(GLOBAL_METHODS),
  /** mean |SHAP|: rows of the test split explained (default 50). */
  samples: count(10_000).optional(),
  /** mean |SHAP|: background rows (default 100). */
  background: count(2000).optional(),
  /** permutation: shuffles per feature (default 5). */
  repeats: count(100).optional(),
  /** mean |SHAP| of a classifier: the class (default 0 for one output, else the predicted class of each row). */
  target: z.number().int().min(0).optional(),
  seed: seed.optional(),
});
export const GlobalRequestSchema = RunRefSchema.extend(GlobalParamsSchema.shape);
export type GlobalRequest = z.infer<typeof GlobalRequestSchema>;

export const GlobalExplanationSchema = z.object({
  method: z.enum(GLOBAL_METHODS),
  featureNames: z.array(z.string()),
  importance: z.array(finite),
  /** Standard deviation over explained rows (SHAP) or repeats (permutation). */
  spread: z.array(finite),
  /** permutation: the score whose drop is measured, and its value on the unshuffled test split. */
  score: z.object({ name: z.enum(['accuracy', 'negative MSE']), baseline: finite }).optional(),
  samples: z.number().int().min(0),
  forwardPasses: z.number().int().min(0),
  elapsedSec: z.number().min(0),
});
export type GlobalExplanation = z.infer<typeof GlobalExplanationSchema>;

export const SanityParamsSchema = ExplainParamsSchema.extend({
  /** Flag when the fully randomised map still correlates at least this much (default 0.5). */
  threshold: z.number().min(0).max(1).optional(),
});
export const SanityRequestSchema = RunRefSchema.extend(SanityParamsSchema.shape);
export type SanityRequest = z.infer<typeof SanityRequestSchema>;

export const SanityResultSchema = z.object({
  method: z.enum(EXPLAIN_METHODS),
  /** One step per layer with weights, from the output down; each step keeps the ones before random. */
  steps: z.array(z.object({ layer: z.string(), spearman: z.number().min(-1).max(1) })),
  flagged: z.boolean(),
  threshold: z.number(),
  forwardPasses: z.number().int().min(0),
  elapsedSec: z.number().min(0),
});
export type SanityResult = z.infer<typeof SanityResultSchema>;
