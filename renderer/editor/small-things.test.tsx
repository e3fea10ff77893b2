import { act, fireEvent, render, screen } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { undo, useEditor } from '../store';
import { layerCount } from '../ui/format';
import { ReconnectOffer } from './Canvas';
import { analysisOf } from '../store/analysis';
import { positionsOf } from '../store/layout';
import { FlowCache } from './derive';
import { keyParamsLabel } from './format';
import { Inspector } from './Inspector';

vi.mock('uplot', () => ({ default: class { setData() {} setSize() {} destroy() {} } }));

const chain: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'chain',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [8] } },
    { id: 'h', type: 'Dense', params: { units: 4 } },
    { id: 'drop', type: 'Dropout', params: {} },
    { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } },
  ],
  edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'drop' }, { from: 'drop', to: 'out' }],
  layout: {},
};
const s = () => useEditor.getState();

describe('small things', () => {
  beforeEach(() => s().loadDocument(structuredClone(chain)));

  it('deleting a middle layer of a chain offers to reconnect its neighbours', () => {
    render(<ReconnectOffer />);
    act(() => { s().select(['drop']); s().deleteSelection(); });
    const offer = screen.getByTestId('reconnect-offer');
    expect(offer).toHaveTextContent('Deleted drop. Reconnect h → out?');
    expect(s().doc.edges).toEqual([{ from: 'x', to: 'h' }]); // not done unasked
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }));
    expect(s().doc.edges).toEqual([{ from: 'x', to: 'h' }, { from: 'h', to: 'out' }]);
    expect(screen.queryByTestId('reconnect-offer')).toBeNull();
    undo(); // the reconnection is its own step
    expect(s().doc.edges).toEqual([{ from: 'x', to: 'h' }]);
    // Deleting an end of the chain offers nothing; undoing a delete withdraws the offer.
    act(() => { s().select(['out']); s().deleteSelection(); });
    expect(screen.queryByTestId('reconnect-offer')).toBeNull();
    act(() => { s().loadDocument(structuredClone(chain)); s().select(['h']); s().deleteSelection(); });
    expect(screen.getByTestId('reconnect-offer')).toBeInTheDocument();
    act(() => undo());
    expect(screen.queryByTestId('reconnect-offer')).toBeNull();
  });

  it('a Dense card shows the value in the file (-5) and the inspector its error, not the default', () => {
    act(() => s().setParam(['h'], 'units', -5));
    expect(keyParamsLabel('Dense', { units: 32, activation: 'linear', useBias: true }, { units: -5 })).toMatch(/^units -5/);
    const card = new FlowCache().deriveNodes(s().doc, analysisOf(s().doc), positionsOf(s().doc), new Set(), new Map()).find((n) => n.id === 'h')!;
    expect(card.data.keyParams).toMatch(/^units -5/);
    expect(card.data.error).toMatch(/units must be at least 1, got -5/);
    act(() => s().select(['h']));
    render(<Inspector />);
    expect(screen.getByLabelText(/^units/)).toHaveValue('-5');
    expect(screen.getAllByRole('alert').map((a) => a.textContent).join(' ')).toMatch(/units must be at least 1, got -5/);
  });

  it('"1 layer", not "1 layers"', () => {
    expect(layerCount(1)).toBe('1 layer');
    expect(layerCount(0)).toBe('0 layers');
    expect(layerCount(1200)).toBe('1,200 layers');
  });
});
