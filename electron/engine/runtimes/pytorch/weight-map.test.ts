/**
 * The state dict of every layer example and template reads back into exactly the engine's weights:
 * random weights → PyTorch state dict (the exporter's conversion) → safetensors → back, bit for bit.
 * A constant the model must keep (a plain nn.LSTM's second bias) that changed is refused by name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makePlan, pytorchStateDict } from '../../../../shared/formats';
import { decodeSafetensors, encodeSafetensors } from '../../../../shared/runtime/safetensors';
import { nodeWeightsFromState, stateDictInverse } from '../../../../shared/runtime/weight-map';
import { initBackend } from '../../backend';
import { compileModel } from '../../compile';
import { exampleCases, extraCases, templateCases } from '../../formats/test-cases';
import { nodeWeights, randomizeWeights } from '../../formats/weights';

describe('PyTorch state dict → engine weights', () => {
  beforeAll(() => initBackend('cpu'));

  const cases = [...templateCases(), ...exampleCases(), ...extraCases()];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const compiled = compileModel(c.doc, { seed: 7 });
    try {
      randomizeWeights(compiled.model, 11);
      const weights = nodeWeights(compiled);
      const plan = makePlan(c.doc);
      const inverse = stateDictInverse(plan, weights);
      const file = encodeSafetensors(pytorchStateDict(plan, weights).map(([name, tensor]) => ({ name, tensor })));
      const back = nodeWeightsFromState(inverse, decodeSafetensors(file).tensors);
      const withWeights = Object.keys(weights).filter((id) => weights[id]!.length);
      expect(Object.keys(back).sort()).toEqual(withWeights.sort());
      for (const id of withWeights) {
        expect(back[id]!.map((t) => t.shape)).toEqual(weights[id]!.map((t) => t.shape));
        back[id]!.forEach((t, i) => expect(t.data).toEqual(weights[id]![i]!.data));
      }
    } finally {
      compiled.model.dispose();
    }
  });

  it('refuses a state dict whose fixed values changed, naming the entry', () => {
    const c = templateCases().find((x) => x.name === 'template-lstm-sequence')!;
    const compiled = compileModel(c.doc, { seed: 1 });
    try {
      const plan = makePlan(c.doc);
      const weights = nodeWeights(compiled);
      const state = new Map(pytorchStateDict(plan, weights).map(([k, t]) => [k, { ...t, data: Float32Array.from(t.data) }]));
      state.get('lstm1.bias_hh_l0')!.data[3] = 0.5;
      expect(() => nodeWeightsFromState(stateDictInverse(plan, weights), state, 'w.safetensors'))
        .toThrow('w.safetensors: lstm1.bias_hh_l0[3] is 0.5, but the model keeps it at 0 (it must not be trained)');
      state.delete('lstm2.weight_ih_l0');
      expect(() => nodeWeightsFromState(stateDictInverse(plan, weights), state, 'w.safetensors')).toThrow('w.safetensors has no lstm2.weight_ih_l0');
    } finally {
      compiled.model.dispose();
    }
  });
});
