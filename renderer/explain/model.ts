/**
 * What the Explain view needs to know about a run's model, from its document alone: the kind of
 * input (image, table, sequence, token ids), the methods that apply to it, its convolutions (Grad-CAM's
 * layer picker) and its FLOPs per sample (the cost estimate's seconds).
 */
import type { LoomDocument } from '../../shared/document';
import { EXPLAIN_METHODS, type ExplainMethod } from '../../shared/explain/schema';
import { analysisOf } from '../store/analysis';

export type InputKind = 'image' | 'table' | 'sequence' | 'tokens';

const CONVOLUTIONS = new Set(['Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D']);

export interface ModelFacts {
  kind: InputKind;
  /** The Input's shape (one sample). */
  shape: number[];
  /** Numbers in one sample. */
  size: number;
  /** Convolution node ids in the document's order (Grad-CAM's default is the last). */
  convolutions: string[];
  /** Forward FLOPs per sample (0 when the analysis cannot tell). */
  flops: number;
}

export function modelFacts(doc: LoomDocument): ModelFacts | null {
  const input = doc.nodes.find((n) => n.type === 'Input');
  const shape = input?.params?.shape;
  if (!Array.isArray(shape) || !shape.every((v): v is number => typeof v === 'number' && v > 0)) return null;
  const tokens = input?.params?.dtype === 'int32';
  const kind: InputKind = tokens ? 'tokens' : shape.length === 3 ? 'image' : shape.length === 1 ? 'table' : 'sequence';
  let flops = 0;
  try {
    flops = analysisOf(doc).flops;
  } catch {
    flops = 0;
  }
  return {
    kind, shape: [...shape], size: shape.reduce((a, b) => a * b, 1),
    convolutions: doc.nodes.filter((n) => CONVOLUTIONS.has(n.type)).map((n) => n.id),
    flops: Number.isFinite(flops) ? flops : 0,
  };
}

/** Gradients of token ids do not exist; Grad-CAM needs a convolution (the engine names both, the picker hides them). */
export function methodsFor(facts: ModelFacts): ExplainMethod[] {
  return EXPLAIN_METHODS.filter((m) => {
    if (m === 'gradcam') return facts.convolutions.length > 0 && facts.kind !== 'table';
    if (facts.kind === 'tokens') return m === 'occlusion' || m === 'shap' || m === 'lime';
    return true;
  });
}

export const METHOD_LABELS: Record<ExplainMethod, string> = {
  shap: 'Kernel SHAP',
  lime: 'LIME',
  ig: 'Integrated Gradients',
  smoothgrad: 'SmoothGrad',
  gradcam: 'Grad-CAM',
  occlusion: 'Occlusion',
  gradient: 'Gradient',
};

/** One line per method, for the picker's tooltips (docs/explain.md has the long version). */
export const METHOD_HINTS: Record<ExplainMethod, string> = {
  shap: 'Shapley values: each feature’s fair share of (output − base value); they add up exactly.',
  lime: 'A weighted linear surrogate fitted around this input; check its R².',
  ig: 'Gradients integrated along a path from a baseline; they add up to f(x) − f(baseline).',
  smoothgrad: 'The gradient averaged over noisy copies of the input.',
  gradcam: 'Where a convolution’s channels that raise the target are active (positive evidence only).',
  occlusion: 'How much the output drops when a window is covered by the baseline.',
  gradient: 'How fast the output changes with each input number (local).',
};

/** The methods picked first for a kind of input. */
export function defaultMethods(facts: ModelFacts): ExplainMethod[] {
  if (facts.kind === 'table') return ['shap'];
  if (facts.kind === 'tokens') return ['occlusion'];
  return facts.convolutions.length ? ['ig', 'gradcam'] : ['ig'];
}
