import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CATALOG } from '../../shared/catalog';
import type { LoomDocument } from '../../shared/document';
import { undo, useEditor } from '../store';
import { analysisOf } from '../store/analysis';
import { Inspector } from './Inspector';
import { parseParamText } from './ParamField';

const doc: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'cnn',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [28, 28, 1] } },
    { id: 'c1', type: 'Conv2D', params: { filters: 32 } },
    { id: 'c2', type: 'Conv2D', params: { filters: 32 } },
    { id: 'pool', type: 'MaxPooling2D', params: {} },
  ],
  edges: [{ from: 'x', to: 'c1' }, { from: 'c1', to: 'c2' }, { from: 'c2', to: 'pool' }],
  layout: {},
};

const node = (id: string) => useEditor.getState().doc.nodes.find((n) => n.id === id)!;
const select = (...ids: string[]) => act(() => useEditor.getState().select(ids));

describe('generated inspector', () => {
  beforeEach(() => {
    useEditor.getState().loadDocument(structuredClone(doc));
  });

  it('shows the model when nothing is selected', () => {
    render(<Inspector />);
    expect(screen.getByLabelText('name')).toHaveValue('cnn');
    expect(screen.getByText(/4 layers, 3 connections/)).toBeInTheDocument();
  });

  it('generates one field per catalog param: numbers with ranges, enums as selects, bools as checkboxes, sizes as lists', () => {
    select('c1');
    render(<Inspector />);
    for (const p of CATALOG.Conv2D.params) expect(screen.getByText(p.name, { selector: 'label' })).toBeInTheDocument();
    expect(screen.getByLabelText(/^filters/)).toHaveValue('32');
    expect(screen.getByText(/whole number ≥ 1/)).toBeInTheDocument();
    const padding = screen.getByLabelText(/^padding/) as HTMLSelectElement;
    expect(padding.tagName).toBe('SELECT');
    expect([...padding.options].map((o) => o.value)).toEqual(['valid', 'same']);
    expect(screen.getByLabelText(/^useBias/)).toBeChecked();
    const kernel = screen.getByLabelText(/^kernelSize/);
    expect(kernel).toHaveValue('');
    expect(kernel).toHaveAttribute('placeholder', 'default: 3, 3'); // said to be the default, not looking like a value
    expect(screen.getByTestId('inspector-shape')).toHaveTextContent('(None, 26, 26, 32)');
  });

  it('validates as you type: invalid text stays with a message, valid text updates shapes downstream at once', async () => {
    const user = userEvent.setup();
    select('c1');
    render(<Inspector />);
    const filters = screen.getByLabelText(/^filters/);
    await user.clear(filters);
    await user.type(filters, '6x');
    expect(filters).toHaveValue('6x');
    expect(screen.getByRole('alert')).toHaveTextContent('“6x” is not a number');
    expect(node('c1').params.filters).toBe(6); // the last valid value; never the half-typed text
    await user.clear(filters);
    await user.type(filters, '0');
    expect(screen.getByRole('alert')).toHaveTextContent('filters must be at least 1, got 0');
    await user.clear(filters);
    await user.type(filters, '64');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(node('c1').params.filters).toBe(64);
    // Downstream: c2's parameter count follows c1's 64 channels.
    expect(analysisOf(useEditor.getState().doc).nodes.c2!.params).toBe(3 * 3 * 64 * 32 + 32);

    const kernel = screen.getByLabelText(/^kernelSize/);
    await user.type(kernel, '5, 5');
    expect(node('c1').params.kernelSize).toEqual([5, 5]);
    expect(screen.getByTestId('inspector-shape')).toHaveTextContent('(None, 24, 24, 64)');
    await user.clear(kernel);
    await user.type(kernel, '5, 5, 5');
    expect(screen.getByRole('alert')).toHaveTextContent(/list of 2 whole numbers/);
    expect(kernel).toHaveValue('5, 5, 5');
    expect(node('c1').params.kernelSize).toEqual([5, 5]);
  });

  it('edits enums and bools, and resets a param to its default', async () => {
    const user = userEvent.setup();
    select('c1');
    render(<Inspector />);
    await user.selectOptions(screen.getByLabelText(/^padding/), 'same');
    expect(node('c1').params.padding).toBe('same');
    expect(screen.getByTestId('inspector-shape')).toHaveTextContent('(None, 28, 28, 32)');
    await user.click(screen.getByLabelText(/^useBias/));
    expect(node('c1').params.useBias).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Reset padding' }));
    expect(node('c1').params).not.toHaveProperty('padding');
  });

  it('edits several selected nodes of one type as one undo step', async () => {
    const user = userEvent.setup();
    select('c1', 'c2');
    render(<Inspector />);
    expect(screen.getByText('Conv2D × 2')).toBeInTheDocument();
    const before = useEditor.temporal.getState().pastStates.length;
    await user.selectOptions(screen.getByLabelText(/^activation/), 'relu');
    expect(node('c1').params.activation).toBe('relu');
    expect(node('c2').params.activation).toBe('relu');
    expect(useEditor.temporal.getState().pastStates.length).toBe(before + 1);
    act(() => undo());
    expect(node('c1').params.activation).toBeUndefined();
    expect(node('c2').params.activation).toBeUndefined();
  });

  it('one typing session in a field is one undo step, and undo shows the old value in the field', async () => {
    const user = userEvent.setup();
    select('c1');
    render(<Inspector />);
    const filters = screen.getByLabelText(/^filters/);
    await user.clear(filters);
    await user.type(filters, '16');
    expect(node('c1').params.filters).toBe(16);
    act(() => undo());
    expect(node('c1').params.filters).toBe(32);
    expect(filters).toHaveValue('32');
  });

  it('shows errors with their quick fix and applies it', async () => {
    act(() => {
      useEditor.getState().updateDocument((d) => ({
        ...d,
        nodes: [...d.nodes, { id: 'r', type: 'Reshape', params: { targetShape: [100] } }],
        edges: [...d.edges, { from: 'pool', to: 'r' }],
      }));
      useEditor.getState().select(['r']);
    });
    render(<Inspector />);
    expect(screen.getByText(/cannot hold 4608 values/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /Set Reshape target to \[4608\]/ }));
    expect(node('r').params.targetShape).toEqual([4608]);
    expect(screen.getByTestId('inspector-shape')).toHaveTextContent('(None, 4608)');
  });

  it('parses list text in the forms people type', () => {
    const def = CATALOG.Input;
    const shape = def.params[0]!;
    expect(parseParamText(def, shape, '[28, 28, 1]').value).toEqual([28, 28, 1]);
    expect(parseParamText(def, shape, '28x28x1').value).toEqual([28, 28, 1]);
    expect(parseParamText(def, shape, '28, a').error).toMatch(/“a” is not a whole number/);
  });
});

describe('inspector name field', () => {
  beforeEach(() => {
    useEditor.getState().loadDocument(structuredClone(doc));
  });

  it('renames on Enter, follows another selected node and an undo, and names a clash', () => {
    select('c1');
    render(<Inspector />);
    const name = screen.getByLabelText('name');
    fireEvent.change(name, { target: { value: 'conv_a' } });
    fireEvent.keyDown(name, { key: 'Enter' });
    expect(node('conv_a').type).toBe('Conv2D');
    select('c2');
    expect(screen.getByLabelText('name')).toHaveValue('c2');
    fireEvent.change(screen.getByLabelText('name'), { target: { value: 'conv_a' } });
    fireEvent.keyDown(screen.getByLabelText('name'), { key: 'Enter' });
    expect(screen.getByRole('alert')).toHaveTextContent(/conv_a/);
    select('conv_a');
    expect(screen.getByLabelText('name')).toHaveValue('conv_a');
    act(() => undo());
    select('c1');
    expect(screen.getByLabelText('name')).toHaveValue('c1');
  });
});
