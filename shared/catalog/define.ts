/**
 * `defineLayer` turns one catalog entry into a `LayerDef` whose types come from its declarations:
 * the param list types the rules' `p`, the weights rule names the weights. Parameter counts are
 * the sizes of the declared weights, so a layer's weights and its counts cannot disagree.
 */
import type { LayerDef, ParamSpec, ShapeContext, ParamsFrom, WeightRole, WeightSpec } from './types';
import { product } from './rules';

type Entry<T extends string, P extends readonly ParamSpec[], W extends string> = Omit<LayerDef<T, P, W>, 'infer'>;

export function defineLayer<const T extends string, const P extends readonly ParamSpec[], W extends string = never>(
  entry: Entry<T, P, W>,
): LayerDef<T, P, W> {
  return {
    ...entry,
    infer(ctx: ShapeContext<ParamsFrom<P>>) {
      const out = entry.output(ctx);
      let params = 0;
      let nonTrainable = 0;
      for (const w of entry.weights(ctx)) {
        if (w.trainable) params += product(w.shape);
        else nonTrainable += product(w.shape);
      }
      return { ...out, params, ...(nonTrainable ? { nonTrainable } : {}) };
    },
  };
}

/** A trainable weight (`trainable: false` for statistics such as moving averages). */
export const weight = <const N extends string>(name: N, role: WeightRole, shape: number[], trainable = true): WeightSpec<N> =>
  ({ name, role, shape, trainable });

/** The weights rule of a layer without weights. */
export const noWeights = (): readonly WeightSpec<never>[] => [];
