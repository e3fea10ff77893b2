import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from './index';
import { checkMemory, estimateTrainingMemory, formatMemory, largestBatchWithin, optimizerSlots } from './memory';
import { loadDocumentOrThrow, type LoomDocument } from '../document';

const GiB = 2 ** 30;
const template = (name: string) =>
  loadDocumentOrThrow(readFileSync(new URL(`../../assets/templates/${name}.loom`, import.meta.url), 'utf8'), name);

function chain(...nodes: [string, string, Record<string, unknown>][]): LoomDocument {
  return {
    format: 'layerloom.model', version: 1, name: 't',
    nodes: nodes.map(([id, type, params]) => ({ id, type, params })),
    edges: nodes.slice(1).map((n, i) => ({ from: nodes[i]![0], to: n[0] })),
  };
}

/** The MNIST CNN with its Dense layer at a million units: 3.1e9 parameters (it grew to 8.2 GB before being killed). */
function millionUnitCnn(): LoomDocument {
  const doc = template('mnist-cnn');
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === 'dense' ? { ...n, params: { ...n.params, units: 1_000_000 } } : n)) };
}

describe('training memory estimate', () => {
  it('counts weights, gradients, optimizer state and every output twice per sample (closed form)', () => {
    const a = analyze(chain(['in', 'Input', { shape: [4] }], ['h', 'Dense', { units: 3 }], ['out', 'Dense', { units: 2, activation: 'softmax' }]));
    const e = estimateTrainingMemory(a, { batchSize: 8, optimizer: 'adam' });
    // params (4·3 + 3) + (3·2 + 2) = 23; outputs per sample 4 + 3 + 2 = 9 floats, each kept with its gradient.
    expect(e).toMatchObject({ params: 23, weights: 92, gradients: 92, optimizerState: 184, activationsPerSample: 72, activations: 576, total: 944 });
    expect(e.largestParams).toEqual({ nodeId: 'h', type: 'Dense', params: 15 });
    expect(e.largestActivation).toMatchObject({ nodeId: 'in', shape: [4] });
    expect(estimateTrainingMemory(a, { batchSize: 8, optimizer: 'sgd' }).optimizerState).toBe(0);
    expect([optimizerSlots('adam'), optimizerSlots('rmsprop'), optimizerSlots('rmsprop', 0.9), optimizerSlots('adagrad'), optimizerSlots('sgd'), optimizerSlots('sgd', 0.9)])
      .toEqual([2, 1, 2, 1, 0, 1]);
  });

  it('counts what a recurrent layer keeps per time step', () => {
    const a = analyze(chain(['in', 'Input', { shape: [10, 3] }], ['rnn', 'LSTM', { units: 5 }], ['out', 'Dense', { units: 1 }]));
    const e = estimateTrainingMemory(a, { batchSize: 1, optimizer: 'sgd' });
    expect(e.activationsPerSample).toBe(4 * (2 * (30 + 5 + 1) + 10 * 5 * 7));
  });

  it('the million-unit Dense layer is refused on a 16 GiB machine, naming the layer to shrink', () => {
    const e = estimateTrainingMemory(analyze(millionUnitCnn()), { batchSize: 64, optimizer: 'adam' });
    expect(e.params).toBe(320 + 18_496 + (3136 + 1) * 1_000_000 + (1_000_000 + 1) * 10);
    expect(e.weights).toBe(e.params * 4);
    expect(e.total).toBeGreaterThan(46 * GiB);
    const v = checkMemory(e, { bytes: 16 * GiB, what: "this machine's memory (16 GiB)" });
    expect(v).toEqual({
      level: 'refuse', nodeId: 'dense',
      message: expect.stringMatching(/^Training this model needs about 47\.\d GiB \(weights 11\.7 GiB for 3\.15e9 parameters, their gradients 11\.7 GiB, the optimizer's state 23\.4 GiB, layer outputs [\d.]+ MiB at batch size 64\), more than this machine's memory \(16 GiB\): "dense" \(Dense\) holds 3\.14e9 of the 3\.15e9 parameters: give it fewer units/),
    });
  });

  it('a batch too large for its layer outputs is refused with a batch size that fits; above half the limit it warns', () => {
    const a = analyze(chain(['in', 'Input', { shape: [1] }], ['wide', 'Dense', { units: 65536, activation: 'relu' }], ['out', 'Dense', { units: 1 }]));
    const e = estimateTrainingMemory(a, { batchSize: 65536, optimizer: 'adam' });
    expect(e.activationsPerSample).toBe(4 * 2 * (1 + 65536 + 1));
    const limit = { bytes: 4 * GiB, what: 'the 4 GiB the WebAssembly backend can hold' };
    const v = checkMemory(e, limit);
    const fits = largestBatchWithin(e, 2 * GiB);
    expect(fits).toBe(Math.floor((2 * GiB - e.weights - e.gradients - e.optimizerState) / e.activationsPerSample));
    expect(v).toEqual({
      level: 'refuse', nodeId: 'wide',
      message: expect.stringContaining(`more than the 4 GiB the WebAssembly backend can hold: use a batch size of at most ${fits} (now 65536); the largest outputs are those of "wide" (Dense, [65536] per sample)`),
    });
    // Between half and all of the limit: a warning; below half: nothing to say.
    const warn = checkMemory(estimateTrainingMemory(a, { batchSize: 5000, optimizer: 'adam' }), limit);
    expect(warn).toMatchObject({ level: 'warn', message: expect.stringMatching(/more than half of the 4 GiB/) });
    expect(checkMemory(estimateTrainingMemory(a, { batchSize: 64, optimizer: 'adam' }), limit)).toEqual({ level: 'ok' });
  });

  it('every template fits comfortably at its own batch size', () => {
    for (const name of ['mnist-cnn', 'cifar-lenet', 'lstm-sequence', 'gru-model', 'transformer-classifier', 'residual-block']) {
      const doc = template(name);
      const e = estimateTrainingMemory(analyze(doc), { batchSize: doc.training?.batchSize ?? 32, optimizer: doc.training?.optimizer ?? 'adam' });
      expect(e.total, name).toBeGreaterThan(0);
      expect(e.total, name).toBeLessThan(0.5 * GiB);
    }
    expect([formatMemory(512), formatMemory(1536), formatMemory(3 * 2 ** 20), formatMemory(1.5 * GiB)]).toEqual(['512 B', '1.5 KiB', '3 MiB', '1.5 GiB']);
  });
});
