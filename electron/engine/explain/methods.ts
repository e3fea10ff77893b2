/**
 * One explanation of one input for one target: picks the features (columns, superpixels, steps,
 * tokens), the baseline and the background for the input's kind, runs the shared method on the
 * run's callbacks, and returns the map in input order.
 */
import {
  DEFAULTS, completenessGap, defaultOcclusionWindow, elementFeatures, gradientSaliency, gridSegments, integratedGradients,
  kernelShap, limeFeatures, limeTabular, makeBaseline, occlusion, occlusionAxes, segmentFeatures, slic, smoothGrad, stepFeatures,
  type BaselineKind, type Explanation, type FeatureMap, type MethodSpec, type RunControl,
} from '../../../shared/explain';
import type { ExplainContext } from './context';
import { notApplicable } from './errors';
import { convLayer, gradCamMap } from './gradcam';

/** An explanation's map and figures, before the target, names and timing are added. */
export type MethodOutput = Pick<Explanation, 'output' | 'baseValue' | 'shape' | 'completenessGap' | 'segments' | 'details' | 'forwardPasses'> & {
  attributions: ArrayLike<number>;
};

type Segmenting = Extract<MethodSpec, { method: 'shap' | 'lime' }>;

export async function runMethod(ctx: ExplainContext, x: Float32Array, target: number, spec: MethodSpec, control: RunControl): Promise<MethodOutput> {
  const { fns, kind } = ctx;
  const shape = fns.inputShape;
  const needsGradient = spec.method === 'ig' || spec.method === 'smoothgrad' || spec.method === 'gradient';
  if (needsGradient && fns.tokens) {
    throw notApplicable(`${spec.method === 'ig' ? 'Integrated Gradients' : spec.method === 'smoothgrad' ? 'SmoothGrad' : 'The gradient'} needs a numeric input; this model takes token ids: use occlusion, SHAP or LIME (per token)`);
  }
  switch (spec.method) {
    case 'gradient': {
      const r = await gradientSaliency(fns.gradient(target), x, control);
      return { ...r, shape };
    }
    case 'smoothgrad': {
      const r = await smoothGrad(fns.gradient(target), x, { ...control, samples: spec.samples ?? DEFAULTS.smoothGradSamples, noise: spec.noise, seed: spec.seed });
      return { ...r, shape };
    }
    case 'ig': {
      const baseline = spec.baseline ?? (kind === 'image' ? 'zero' : 'mean');
      const steps = spec.steps ?? DEFAULTS.igSteps;
      const r = await integratedGradients(fns.gradient(target), x, await baselineOf(ctx, baseline, x), { ...control, steps, rule: spec.rule });
      return { ...r, shape, details: { baseline, steps } };
    }
    case 'gradcam': {
      const { layer, nodeId } = convLayer(ctx.run, spec.layer);
      const r = gradCamMap(fns, layer, x, target);
      return { attributions: r.map, output: r.value, baseValue: null, shape: r.spatial, forwardPasses: 1, details: { layer: nodeId } };
    }
    case 'occlusion': {
      const w = spec.window ?? defaultOcclusionWindow(shape);
      const axes = occlusionAxes(shape, w, spec.stride ?? w);
      const baseline = fns.tokens ? new Float32Array(x.length) : await baselineOf(ctx, spec.baseline ?? (kind === 'table' ? 'mean' : 'zero'), x);
      const r = await occlusion(fns.forward(target), x, shape, baseline, { ...control, ...axes });
      return { ...r, shape };
    }
    case 'shap':
    case 'lime':
      return kind === 'table' ? tabular(ctx, x, target, spec, control) : await overFeatures(ctx, x, target, spec, control);
  }
}

async function tabular(ctx: ExplainContext, x: Float32Array, target: number, spec: Segmenting, control: RunControl): Promise<MethodOutput> {
  const f = ctx.fns.forward(target);
  const shape = ctx.fns.inputShape;
  if (spec.method === 'shap') {
    const bg = await ctx.trainingRows(spec.background ?? DEFAULTS.shapBackground, spec.seed ?? 0);
    const r = await kernelShap(f, x, bg.rows, bg.count, elementFeatures(x.length), { ...control, coalitions: spec.coalitions, exactMaxFeatures: spec.exactMaxFeatures, seed: spec.seed });
    return { ...r, shape, completenessGap: completenessGap(r.perFeature, r.output, r.baseValue!), details: { exact: r.exact, coalitions: r.coalitions } };
  }
  const training = await ctx.trainingRows(20_000, spec.seed ?? 0);
  const r = await limeTabular(f, x, training.rows, training.count, { ...control, samples: spec.samples, seed: spec.seed });
  return { ...r, shape, details: { r2: r.r2 } };
}

/** SHAP/LIME over superpixels (images) or steps/tokens (sequences): the map is per pixel / per step. */
async function overFeatures(ctx: ExplainContext, x: Float32Array, target: number, spec: Segmenting, control: RunControl): Promise<MethodOutput> {
  const { fns, kind } = ctx;
  const shape = fns.inputShape;
  let features: FeatureMap;
  let labels: Int32Array;
  let mapShape: number[];
  if (kind === 'image') {
    const seg = segmentationOf(x, shape, spec.segmentation);
    features = segmentFeatures(seg.labels, seg.count, shape[2]!);
    labels = seg.labels;
    mapShape = shape.slice(0, 2);
  } else {
    const perStep = fns.size / shape[0]!;
    features = stepFeatures(shape[0]!, perStep);
    labels = Int32Array.from({ length: shape[0]! }, (_, t) => t);
    mapShape = shape.slice(0, 1);
  }
  const baseline = fns.tokens ? new Float32Array(x.length) : await baselineOf(ctx, spec.baseline ?? (kind === 'image' ? 'blur' : 'zero'), x);
  const f = fns.forward(target);
  const r = spec.method === 'shap'
    ? await kernelShap(f, x, baseline, 1, features, { ...control, coalitions: spec.coalitions, exactMaxFeatures: spec.exactMaxFeatures, seed: spec.seed })
    : await limeFeatures(f, x, baseline, features, { ...control, samples: spec.samples, seed: spec.seed });
  const values = Array.from(r.perFeature);
  const out: MethodOutput = {
    attributions: Array.from(labels, (l) => values[l]!), output: r.output, baseValue: r.baseValue, shape: mapShape,
    forwardPasses: r.forwardPasses, segments: { labels: Array.from(labels), values },
  };
  if ('exact' in r) {
    out.completenessGap = completenessGap(r.perFeature, r.output, r.baseValue!);
    out.details = { exact: r.exact, coalitions: r.coalitions };
  } else {
    out.details = { r2: r.r2 };
  }
  return out;
}

function segmentationOf(x: Float32Array, shape: number[], spec: Segmenting['segmentation']) {
  if (spec?.kind === 'grid') return gridSegments(shape[0]!, shape[1]!, spec.rows, spec.cols);
  return slic(x, shape, { segments: spec?.segments ?? DEFAULTS.segments, compactness: spec?.compactness });
}

async function baselineOf(ctx: ExplainContext, kind: BaselineKind, x: Float32Array): Promise<Float32Array> {
  if (kind === 'blur' && ctx.kind !== 'image') throw notApplicable('The blurred baseline needs an image input: use zero or mean');
  return makeBaseline(kind, x, ctx.fns.inputShape, kind === 'mean' ? await ctx.trainingMean() : undefined);
}
