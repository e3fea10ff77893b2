/** Activation names (TF.js) mapped per target. Every catalog activation appears in every map. */
import type { ActivationName } from '../catalog';

/** PyTorch callables (helpers `hard_sigmoid`, `softmax_last`, `identity` are defined in model.py). */
export const TORCH_ACT: Record<ActivationName, string> = {
  linear: 'identity', relu: 'F.relu', relu6: 'F.relu6', elu: 'F.elu', selu: 'F.selu', sigmoid: 'torch.sigmoid',
  // TF.js hardSigmoid is clip(0.2x + 0.5, 0, 1); torch's F.hardsigmoid is relu6(x + 3) / 6 (a different slope).
  hardSigmoid: 'hard_sigmoid', tanh: 'torch.tanh', softmax: 'softmax_last', softplus: 'F.softplus',
  softsign: 'F.softsign', swish: 'F.silu', mish: 'F.mish',
  // TF.js gelu is the exact erf form (not the tanh approximation), as torch's default.
  gelu: 'F.gelu',
};

/** Keras 3 activation identifiers. hardSigmoid: Keras 3's hard_sigmoid is relu6(x+3)/6, so model.py defines TF.js's. */
export const KERAS_ACT: Record<ActivationName, string> = {
  linear: 'linear', relu: 'relu', relu6: 'relu6', elu: 'elu', selu: 'selu', sigmoid: 'sigmoid',
  hardSigmoid: 'tfjs_hard_sigmoid', tanh: 'tanh', softmax: 'softmax', softplus: 'softplus', softsign: 'softsign',
  swish: 'silu', mish: 'mish', gelu: 'tfjs_gelu',
};
