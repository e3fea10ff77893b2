import { generatePytorch } from './model-py';
import { pytorchStateDict } from './state-dict';
import { samePads } from '../plan';
import type { LoomDocument } from '../../document/schema';

const chain = (input: number[], nodes: { id: string; type: string; params: Record<string, unknown> }[]): LoomDocument => ({
  format: 'layerloom.model', version: 1, name: 'unit',
  nodes: [{ id: 'x', type: 'Input', params: { shape: input } }, ...nodes],
  edges: nodes.map((n, i) => ({ from: i === 0 ? 'x' : nodes[i - 1]!.id, to: n.id })),
});

describe('PyTorch generator (pure)', () => {
  it('converts BatchNormalization momentum (1 - Keras) and keeps epsilon', () => {
    const code = generatePytorch(chain([4, 4, 3], [{ id: 'bn', type: 'BatchNormalization', params: { momentum: 0.9, epsilon: 1e-5 } }])).modelPy;
    expect(code).toContain('self.bn = nn.BatchNorm2d(3, eps=0.00001, momentum=0.1)');
  });

  it('pads "same" like TensorFlow: the odd pixel goes after', () => {
    expect(samePads(9, 2, 2)).toEqual([0, 1]);
    expect(samePads(8, 3, 2)).toEqual([0, 1]);
    expect(samePads(7, 3, 1, 2)).toEqual([2, 2]);
    const code = generatePytorch(chain([8, 8, 1], [{ id: 'c', type: 'Conv2D', params: { filters: 2, kernelSize: 2, padding: 'same' } }])).modelPy;
    expect(code).toContain('self.c(F.pad(x_node_nchw, (0, 1, 0, 1)))');
  });

  it('permutes to channels-last before Flatten so Dense weights keep Keras order', () => {
    const code = generatePytorch(chain([4, 4, 1], [
      { id: 'c', type: 'Conv2D', params: { filters: 2, kernelSize: 3 } },
      { id: 'f', type: 'Flatten', params: {} },
    ])).modelPy;
    expect(code).toMatch(/c_nhwc = c\.permute\(0, 2, 3, 1\)\n\s+f = torch\.flatten\(c_nhwc, 1\)/);
  });

  it('writes the explicit GRU (reset_after=False) and maps LSTM gates i,f,c,o 1:1 with one bias', () => {
    const doc = chain([3, 2], [{ id: 'g', type: 'GRU', params: { units: 2 } }]);
    expect(generatePytorch(doc).modelPy).toContain('self.g = Recurrent("gru", 2, 2');
    const lstm = chain([3, 2], [{ id: 'l', type: 'LSTM', params: { units: 1 } }]);
    const k = { shape: [2, 4], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    const rk = { shape: [1, 4], data: Float32Array.from([9, 10, 11, 12]) };
    const b = { shape: [4], data: Float32Array.from([13, 14, 15, 16]) };
    const sd = Object.fromEntries(pytorchStateDict(lstm, { x: [], l: [k, rk, b] }).map(([n, t]) => [n, Array.from(t.data)]));
    expect(sd['l.weight_ih_l0']).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
    expect(sd['l.bias_ih_l0']).toEqual([13, 14, 15, 16]);
    expect(sd['l.bias_hh_l0']).toEqual([0, 0, 0, 0]);
  });

  it('leaves an Input wired to nothing out of the exported model', () => {
    const doc = chain([3], [{ id: 'd', type: 'Dense', params: { units: 2 } }]);
    doc.nodes.push({ id: 'spare', type: 'Input', params: { shape: [5] } });
    const code = generatePytorch(doc).modelPy;
    expect(code).toContain('def forward(self, x_node):');
    expect(code).toContain('OUTPUTS = ["d"]');
  });
});
