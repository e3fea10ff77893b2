import { act, fireEvent, render, screen } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { useEditor } from '../store';
import { dataSampleKey, editorAnalysis } from '../store/checks';
import { Inspector } from './Inspector';
import { Problems } from './Problems';

const csv = { source: 'csv' as const, path: 'data/customers.csv', target: 'churn' };
const mlp: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'mlp',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [4] } }, { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } }],
  edges: [{ from: 'x', to: 'out' }],
  layout: {},
  dataset: csv,
};
const s = () => useEditor.getState();
const sample = (shape: number[]) => act(() => s().setDataSample({ key: dataSampleKey(csv), shape }));
const inputShape = () => s().doc.nodes.find((n) => n.type === 'Input')!.params!.shape;

describe('the Input follows the data', () => {
  beforeEach(() => {
    s().loadDocument(structuredClone(mlp));
    s().setDataSample(null);
  });

  it('a mismatch shows on the Input before Train, with "Set Input shape to [7]"', () => {
    sample([7]);
    act(() => s().select(['x']));
    render(<><Inspector /><Problems /></>);
    expect(editorAnalysis(s().doc, s().dataSample).nodes.x!.errors[0]).toMatchObject({ severity: 'warning', message: expect.stringMatching(/samples have shape \[7\] but this Input expects \[4\]/) });
    const fixes = screen.getAllByRole('button', { name: /Set Input shape to \[7\]/ });
    expect(fixes).toHaveLength(2); // in the inspector and in Problems
    fireEvent.click(fixes[0]!);
    expect(inputShape()).toEqual([7]);
    expect(screen.queryByRole('button', { name: /Set Input shape/ })).toBeNull();
  });

  it('a sample shape of another dataset is not used', () => {
    act(() => s().setDataSample({ key: dataSampleKey({ ...csv, path: 'other.csv' }), shape: [7] }));
    expect(editorAnalysis(s().doc, s().dataSample).errors).toEqual([]);
  });

  it('a new Input takes the data\'s sample shape', () => {
    sample([7]);
    act(() => s().removeElements(['x']));
    const id = s().addNode('Input');
    expect(s().doc.nodes.find((n) => n.id === id)!.params).toEqual({ shape: [7] });
    // Without data, the catalog's default applies (nothing written).
    act(() => s().setDataSample(null));
    const other = s().addNode('Input');
    expect(s().doc.nodes.find((n) => n.id === other)!.params).toEqual({});
  });

  it('a Dense after an Input of the wrong rank is fixed at the Input, not by inserting Flatten', () => {
    act(() => s().setParam(['x'], 'shape', [28, 28, 1]));
    act(() => s().select(['out']));
    render(<Inspector />);
    fireEvent.click(screen.getByRole('button', { name: /Set Input shape to \[784\]/ }));
    expect(inputShape()).toEqual([784]);
    expect(s().doc.nodes.map((n) => n.type)).toEqual(['Input', 'Dense']); // no Flatten
    // With data of shape [7], the fix is the data's shape.
    act(() => s().setParam(['x'], 'shape', [28, 28, 1]));
    sample([7]);
    fireEvent.click(screen.getByRole('button', { name: /Set Input shape to \[7\]/ }));
    expect(inputShape()).toEqual([7]);
  });
});
