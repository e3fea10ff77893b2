/**
 * Pruning a trained model in the engine:
 *
 * - unstructured: magnitude masks on every Dense/convolution kernel (per layer or one global
 *   threshold), grown along TFMOT's polynomial schedule during fine-tuning and re-applied after
 *   every optimizer step, so a pruned weight is exactly 0 in every forward pass and at the end;
 * - structured: whole Conv/Dense channels removed (shared/compress/structured.ts), giving a smaller
 *   document compiled with the kept weights.
 */
import {
  applyChannelPlan, fineTuneSchedule, globalMasks, maskSparsity, maskUpdateDue, planChannelPruning, polynomialSparsity,
  type ChannelPlan, type Mask,
} from '../../../shared/compress';
import type { LoomDocument } from '../../../shared/document';
import { compileModel, type CompiledModel } from '../compile';
import { tf, type tfl } from '../tfjs';
import { readNodeWeights, writeNodeWeights } from './layers';
import { fit, totalSteps, type FitOptions } from './loop';

/** Layer types whose kernels are pruned (biases, normalisation and recurrent weights are not). */
const PRUNED_LAYERS = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D']);
const KERNELS = new Set(['kernel', 'depthwise_kernel', 'pointwise_kernel']);

type LayerVariable = tfl.LayersModel['weights'][number];

export interface KernelRef {
  nodeId: string;
  weight: string;
  variable: LayerVariable;
}

/** The prunable kernels of a compiled model. */
export function prunableKernels(compiled: CompiledModel): KernelRef[] {
  const out: KernelRef[] = [];
  for (const id of compiled.analysis.order) {
    if (!PRUNED_LAYERS.has(compiled.analysis.nodes[id]!.type)) continue;
    const layer = compiled.model.getLayer(compiled.layerNames[id]!);
    for (const v of layer.weights) {
      const weight = v.originalName.slice(layer.name.length + 1);
      if (KERNELS.has(weight)) out.push({ nodeId: id, weight, variable: v });
    }
  }
  return out;
}

/** Masks on a model's kernels, recomputed from magnitudes and applied to the variables. */
export class KernelMasks {
  private masks: Mask[] = [];
  private tensors: tf.Tensor[] = [];
  sparsity = 0;

  constructor(readonly kernels: KernelRef[], readonly scope: 'layer' | 'global') {
    if (kernels.length === 0) throw new Error('The model has no Dense or convolution kernels to prune');
  }

  /** Recompute the masks at `sparsity` (never un-pruning a weight) and zero the pruned weights. */
  update(sparsity: number): void {
    const values = this.kernels.map((k) => k.variable.read().dataSync() as Float32Array);
    const previous = this.masks;
    this.masks = this.scope === 'global'
      ? globalMasks(values.map((v, i) => ({ values: v, previous: previous[i] })), sparsity)
      : values.map((v, i) => globalMasks([{ values: v, previous: previous[i] }], sparsity)[0]!);
    tf.dispose(this.tensors);
    this.tensors = this.masks.map((m, i) => tf.tensor(Float32Array.from(m), this.kernels[i]!.variable.shape as number[]));
    this.sparsity = sparsity;
    this.apply();
  }

  /** w ← w · mask for every kernel. */
  apply(): void {
    this.kernels.forEach((k, i) => {
      const next = tf.tidy(() => tf.mul(k.variable.read(), this.tensors[i]!));
      k.variable.write(next);
      next.dispose();
    });
  }

  /** Copies of the current masks. */
  current(): Mask[] {
    return this.masks.map((m) => Uint8Array.from(m));
  }

  report(): { nodeId: string; weight: string; sparsity: number }[] {
    return this.kernels.map((k, i) => ({ nodeId: k.nodeId, weight: k.weight, sparsity: maskSparsity(this.masks[i]!) }));
  }

  dispose(): void {
    tf.dispose(this.tensors);
    this.tensors = [];
  }
}

/**
 * Prune `compiled` in place to `sparsity` while fine-tuning (`fit` options without the hooks): the
 * schedule of fineTuneSchedule over the loop's steps; with 0 epochs, one-shot. `onMasks` sees each
 * mask update (tests).
 */
export async function pruneWhileFineTuning(
  fitOptions: Omit<FitOptions, 'beforeStep' | 'afterStep'>, sparsity: number, scope: 'layer' | 'global', onMasks?: (step: number, masks: Mask[]) => void,
): Promise<{ history: { loss: number }[]; sparsity: ReturnType<KernelMasks['report']> }> {
  const masks = new KernelMasks(prunableKernels(fitOptions.compiled), scope);
  const schedule = fineTuneSchedule(sparsity, totalSteps(fitOptions));
  try {
    const history = await fit({
      ...fitOptions,
      beforeStep: (step) => {
        if (!maskUpdateDue(step, schedule)) return;
        masks.update(polynomialSparsity(step, schedule));
        onMasks?.(step, masks.current());
      },
      afterStep: () => masks.apply(),
    });
    if (masks.sparsity !== sparsity) {
      masks.update(sparsity); // no steps at all: one-shot
      onMasks?.(-1, masks.current());
    }
    return { history, sparsity: masks.report() };
  } finally {
    masks.dispose();
  }
}

/** The smaller model of a channel plan: its document, compiled with the kept weights. */
export function pruneChannels<D extends Pick<LoomDocument, 'nodes' | 'edges'>>(compiled: CompiledModel, doc: D, fraction: number, seed: number): { plan: ChannelPlan; doc: D; compiled: CompiledModel } {
  const weights = readNodeWeights(compiled);
  const plan = planChannelPruning(doc, weights, fraction);
  if (plan.cuts.length === 0) {
    throw new Error(`No layer can lose channels: ${plan.skipped.map((s) => `"${s.nodeId}": ${s.reason}`).join('; ') || 'the model has no Conv1D, Conv2D or Dense layer'}`);
  }
  const small = applyChannelPlan(doc, weights, plan);
  const smaller = compileModel(small.doc, { seed });
  try {
    writeNodeWeights(smaller, small.weights);
  } catch (e) {
    smaller.model.dispose();
    throw e;
  }
  return { plan, doc: small.doc, compiled: smaller };
}
