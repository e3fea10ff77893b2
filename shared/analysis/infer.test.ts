import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, applyFix, blockingErrors } from './index';
import { loadDocumentOrThrow, type LoomDocument } from '../document';

const template = (name: string) =>
  loadDocumentOrThrow(readFileSync(new URL(`../../assets/templates/${name}.loom`, import.meta.url), 'utf8'), name);

function doc(nodes: [string, string, Record<string, unknown>?][], edges: [string, string, number?][]): LoomDocument {
  return {
    format: 'layerloom.model', version: 1, name: 't',
    nodes: nodes.map(([id, type, params]) => ({ id, type, params: params ?? {} })),
    edges: edges.map(([from, to, toPort]) => (toPort === undefined ? { from, to } : { from, to, toPort })),
  };
}
const chain = (...nodes: [string, string, Record<string, unknown>?][]) =>
  doc(nodes, nodes.slice(1).map((n, i) => [nodes[i]![0], n[0]]));

describe('shape inference', () => {
  it('matches the Keras summary of the MNIST CNN, node by node', () => {
    const a = analyze(template('mnist-cnn'));
    expect(a.errors).toEqual([]);
    const rows = Object.values(a.nodes).map((n) => [n.id, n.outputShape, n.params]);
    expect(rows).toEqual([
      ['image', [28, 28, 1], 0], ['conv1', [28, 28, 32], 320], ['pool1', [14, 14, 32], 0],
      ['conv2', [14, 14, 64], 18496], ['pool2', [7, 7, 64], 0], ['flatten', [3136], 0],
      ['dense', [128], 401536], ['digit', [10], 1290],
    ]);
    expect(a.totalParams).toBe(421642);
    expect(a.outputs).toEqual(['digit']);
    expect(a.inputs).toEqual(['image']);
  });

  it('counts recurrent weights exactly as Keras/TF.js (LSTM 4 gates, SimpleRNN one bias, GRU 3 gates)', () => {
    const p = (type: string, params: Record<string, unknown>) =>
      analyze(chain(['x', 'Input', { shape: [10, 8] }], ['r', type, params])).nodes.r!.params;
    expect(p('LSTM', { units: 16 })).toBe(4 * (16 * (8 + 16) + 16));
    expect(p('SimpleRNN', { units: 16 })).toBe(16 * (8 + 16) + 16);
    expect(p('GRU', { units: 16 })).toBe(3 * (16 * (8 + 16) + 16));
    expect(p('Bidirectional', { layer: 'LSTM', units: 4 })).toBe(2 * 4 * (4 * 12 + 4));
    expect(p('MultiHeadAttention', { numHeads: 2, keyDim: 4 })).toBe(3 * (8 * 8 + 8) + (8 * 8 + 8));
  });

  it('counts BatchNormalization moving statistics as non-trainable', () => {
    const a = analyze(chain(['x', 'Input', { shape: [4, 4, 6] }], ['bn', 'BatchNormalization']));
    expect(a.nodes.bn).toMatchObject({ params: 24, trainableParams: 12, nonTrainableParams: 12 });
    expect(a).toMatchObject({ totalParams: 24, trainableParams: 12, nonTrainableParams: 12 });
  });

  it('says "insert Flatten" for Dense on a feature map, and the quick fix clears it', () => {
    const d = chain(['x', 'Input', { shape: [8, 8, 64] }], ['fc', 'Dense', { units: 10 }]);
    const [e] = analyze(d).errors;
    expect(e).toMatchObject({ nodeId: 'fc', message: 'Dense expects a 1-D input per sample but gets [8, 8, 64]: insert Flatten' });
    const fixed = applyFix(d, 'fc', e!.fix!);
    const a = analyze(fixed);
    expect(a.errors).toEqual([]);
    expect(a.nodes.fc!.outputShape).toEqual([10]);
    expect(a.nodes.flatten!.outputShape).toEqual([4096]);
  });

  it("reports the tutorial's Reshape [2304] on the Reshape node with the right size", () => {
    const d = template('cifar-shape-mistake');
    const a = analyze(d);
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]).toMatchObject({ nodeId: 'reshape', field: 'targetShape', message: 'Reshape to [2304] cannot hold 4096 values (input [8, 8, 64])' });
    expect(a.errors[0]!.fix).toMatchObject({ kind: 'setParam', value: [4096], label: 'Set Reshape target to [4096]' });
    // downstream nodes have no shape but no duplicate errors either
    expect(a.nodes.fc!.outputShape).toBeNull();
    expect(a.nodes.fc!.errors).toEqual([]);
    expect(analyze(applyFix(d, 'reshape', a.errors[0]!.fix!)).errors).toEqual([]);
  });

  it('reports cycles and self-loops on the nodes involved, never throwing', () => {
    const d = doc([['x', 'Input', { shape: [3] }], ['a', 'Dense'], ['b', 'Dense'], ['c', 'Dense'], ['s', 'Add']],
      [['x', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'c'], ['x', 's'], ['s', 's']]);
    const a = analyze(d);
    const byNode = Object.fromEntries(a.errors.map((e) => [e.nodeId, e.message]));
    expect(byNode.a).toMatch(/part of a cycle "a" → "b" → "a"|part of a cycle "b" → "a" → "b"/);
    expect(byNode.b).toMatch(/cycle/);
    expect(byNode.s).toBe('"s" is connected to itself: remove that edge');
    expect(byNode.c).toMatch(/upstream layer is part of a cycle/);
  });

  it('reports a missing Input, nodes without input, and unconnected Inputs', () => {
    expect(analyze(chain(['a', 'Dense'], ['b', 'Dense'])).errors.map((e) => e.message)).toContain(
      'The model has no Input node: add an Input layer and connect it to the first layer');
    const d = doc([['x', 'Input', { shape: [3] }], ['y', 'Input', { shape: [3] }], ['a', 'Dense'], ['lonely', 'Dense']], [['x', 'a']]);
    const msgs = analyze(d).errors.map((e) => `${e.nodeId}: ${e.message}`);
    expect(msgs).toContain('lonely: Dense "lonely" has no input: connect a layer to it');
    expect(msgs).toContain('y: Input "y" is not connected to any layer');
  });

  it('reports merge shape mismatches and wrong input counts', () => {
    const d = doc([['x', 'Input', { shape: [4] }], ['y', 'Input', { shape: [5] }], ['add', 'Add'], ['one', 'Concatenate'], ['two', 'Dense']],
      [['x', 'add'], ['y', 'add'], ['x', 'one'], ['x', 'two'], ['y', 'two']]);
    const byNode = Object.fromEntries(analyze(d).errors.map((e) => [e.nodeId, e.message]));
    expect(byNode.add).toBe('Add needs inputs of the same shape, but input 1 is [4] and input 2 is [5]');
    expect(byNode.one).toBe('Concatenate "one" needs at least 2 inputs but has 1: connect another layer');
    expect(byNode.two).toBe('Dense "two" takes 1 input but has 2');
  });

  it('orders merge inputs by edge order, or by toPort when given', () => {
    const nodes: [string, string, Record<string, unknown>?][] = [['a', 'Input', { shape: [2, 3] }], ['b', 'Input', { shape: [5, 3] }], ['q', 'MultiHeadAttention', { numHeads: 1, keyDim: 2 }]];
    expect(analyze(doc(nodes, [['a', 'q'], ['b', 'q']])).nodes.q!.outputShape).toEqual([2, 3]);
    expect(analyze(doc(nodes, [['b', 'q'], ['a', 'q']])).nodes.q!.outputShape).toEqual([5, 3]);
    expect(analyze(doc(nodes, [['b', 'q', 1], ['a', 'q', 0]])).nodes.q!.outputShape).toEqual([2, 3]);
  });

  it('handles several inputs and outputs with a skip connection', () => {
    const d = doc([['img', 'Input', { shape: [8, 8, 3] }], ['meta', 'Input', { shape: [4] }], ['c', 'Conv2D', { filters: 3, padding: 'same' }],
      ['skip', 'Add'], ['f', 'Flatten'], ['cat', 'Concatenate'], ['cls', 'Dense', { units: 3, activation: 'softmax' }], ['reg', 'Dense', { units: 1 }]],
      [['img', 'c'], ['c', 'skip'], ['img', 'skip'], ['skip', 'f'], ['f', 'cat'], ['meta', 'cat'], ['cat', 'cls'], ['cat', 'reg']]);
    const a = analyze(d);
    expect(blockingErrors(a)).toEqual([]);
    expect(a.inputs).toEqual(['img', 'meta']);
    expect(a.outputs).toEqual(['cls', 'reg']);
    expect(a.nodes.cat!.outputShape).toEqual([196]);
    expect(a.totalParams).toBe(84 + 196 * 3 + 3 + 197);
  });

  it('reports unknown layer types and bad params on their node', () => {
    const d = chain(['x', 'Input', { shape: [3] }], ['w', 'Wobble'], ['y', 'Dense', { units: -2 }]);
    const errs = analyze(d).errors;
    expect(errs[0]).toMatchObject({ nodeId: 'w', field: 'type' });
    expect(errs[0]!.message).toMatch(/Unknown layer type "Wobble"/);
    const d2 = chain(['x', 'Input', { shape: [3] }], ['y', 'Dense', { units: -2 }]);
    expect(analyze(d2).errors[0]).toMatchObject({ nodeId: 'y', field: 'units', message: 'Dense "y": units must be at least 1, got -2' });
  });

  it('explains windows that do not fit and offers padding "same"', () => {
    const a = analyze(chain(['x', 'Input', { shape: [4, 4, 1] }], ['c', 'Conv2D', { kernelSize: 5 }]));
    expect(a.errors[0]!.message).toMatch(/kernel \[5, 5\] does not fit the input \[4, 4\]/);
    expect(a.errors[0]!.fix).toMatchObject({ kind: 'setParam', param: 'padding', value: 'same' });
  });

  it('infers a 10,000-node chain (iteratively, no recursion limits)', () => {
    const nodes: [string, string, Record<string, unknown>?][] = [['x', 'Input', { shape: [4] }]];
    for (let i = 0; i < 10_000; i++) nodes.push([`d${i}`, i % 2 ? 'Dense' : 'Activation', i % 2 ? { units: 4 } : {}]);
    const a = analyze(chain(...nodes));
    expect(a.errors).toEqual([]);
    expect(a.totalParams).toBe(5000 * 20);
  });
});
