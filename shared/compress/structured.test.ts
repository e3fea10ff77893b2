import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../analysis';
import { applyChannelPlan, channelRoute, planChannelPruning, routeIndices, sliceAxis, zeroPrunedContributions } from './structured';
import { randomWeights, parseTemplate } from './test-docs';

const template = (name: string) => parseTemplate(readFileSync(join(import.meta.dirname, '../../assets/templates', `${name}.loom`), 'utf8'));

describe('structured pruning plan', () => {
  it('MNIST CNN: both convolutions and the hidden Dense are prunable, the output is not', () => {
    const doc = template('mnist-cnn');
    const plan = planChannelPruning(doc, randomWeights(doc), 0.5);
    expect(plan.cuts.map((c) => [c.nodeId, c.param, c.before, c.keep.length])).toEqual([
      ['conv1', 'filters', 32, 16], ['conv2', 'filters', 64, 32], ['dense', 'units', 128, 64],
    ]);
    expect(plan.skipped).toEqual([{ nodeId: 'digit', reason: 'it is a model output' }]);
    // conv2's channels reach the Dense through pool2 and the Flatten: 7·7 positions per channel.
    expect(plan.cuts[1]!.route).toEqual([{ nodeId: 'dense', role: 'rows', positions: 49 }]);
  });

  it('merges, Reshape and softmax activations stop it, with the reason', () => {
    const doc = template('residual-block');
    const plan = planChannelPruning(doc, randomWeights(doc), 0.5);
    expect(plan.cuts.map((c) => c.nodeId)).toEqual(['conv_a']);
    expect(plan.skipped).toEqual([
      { nodeId: 'stem', reason: 'it feeds the merge layer Add "skip"' },
      { nodeId: 'conv_b', reason: 'it feeds the merge layer Add "skip"' },
      { nodeId: 'digit', reason: 'it is a model output' },
    ]);
    const soft = {
      nodes: [{ id: 'x', type: 'Input', params: { shape: [4] } }, { id: 'd', type: 'Dense', params: { units: 3 } }, { id: 's', type: 'Activation', params: { activation: 'softmax' } }, { id: 'o', type: 'Dense', params: { units: 2 } }],
      edges: [{ from: 'x', to: 'd' }, { from: 'd', to: 's' }, { from: 's', to: 'o' }],
    };
    expect(channelRoute(soft, 'd')).toBe('Activation "s" after it cannot drop channels');
  });

  it('the smaller document infers the smaller shapes, and every weight fits them', () => {
    const doc = template('mnist-cnn');
    const weights = randomWeights(doc);
    const plan = planChannelPruning(doc, weights, 0.5);
    const small = applyChannelPlan(doc, weights, plan);
    const a = analyze(small.doc);
    expect(a.errors).toEqual([]);
    const expected = randomWeights(small.doc); // the shapes a compiled smaller model has
    for (const [id, ws] of Object.entries(expected)) {
      for (const [name, t] of Object.entries(ws)) expect([id, name, small.weights[id]![name]!.shape]).toEqual([id, name, t.shape]);
    }
    const params = Object.values(small.weights).flatMap((w) => Object.values(w)).reduce((s, t) => s + t.values.length, 0);
    expect(params).toBe(a.totalParams);
    expect(a.flops / analyze(doc).flops).toBeLessThan(0.3);
  });

  it('kept weights are the original ones: a Dense after Flatten keeps rows p·C + c', () => {
    const t = { shape: [2, 3, 2], values: Float32Array.from({ length: 12 }, (_, i) => i) };
    expect(Array.from(sliceAxis(t, 1, [0, 2]).values)).toEqual([0, 1, 4, 5, 6, 7, 10, 11]);
    expect(routeIndices({ positions: 3 }, 4, [1, 3])).toEqual([1, 3, 5, 7, 9, 11]);
    const doc = template('mnist-cnn');
    const weights = randomWeights(doc);
    const plan = planChannelPruning(doc, weights, 0.5);
    const small = applyChannelPlan(doc, weights, plan);
    const keep2 = plan.cuts[1]!.keep;
    const dense = weights.dense!.kernel!;
    const row = 5 * 64 + keep2[3]!; // position 5, 4th kept channel
    expect(small.weights.dense!.kernel!.values.subarray((5 * 32 + 3) * 64, (5 * 32 + 3) * 64 + 64)).toEqual(
      sliceAxis({ shape: [1, 128], values: dense.values.subarray(row * 128, row * 128 + 128) }, 1, plan.cuts[2]!.keep).values);
  });

  it('zeroPrunedContributions zeroes exactly the consumers\' rows of pruned channels', () => {
    const doc = template('mnist-cnn');
    const weights = randomWeights(doc);
    const plan = planChannelPruning(doc, weights, 0.5);
    const z = zeroPrunedContributions(weights, plan);
    const k = z.conv2!.kernel!; // [3, 3, 32, 64]: input channel = axis 2
    const keep1 = new Set(plan.cuts[0]!.keep);
    let wrong = 0, zeros = 0;
    for (let i = 0; i < k.values.length; i++) {
      const cin = Math.floor(i / 64) % 32;
      const want = keep1.has(cin) ? weights.conv2!.kernel!.values[i] : 0;
      if (k.values[i] !== want) wrong++;
      if (k.values[i] === 0) zeros++;
    }
    expect(wrong).toBe(0);
    expect(zeros).toBe(k.values.length / 2);
    expect(z.conv1).toEqual(weights.conv1);
  });
});
