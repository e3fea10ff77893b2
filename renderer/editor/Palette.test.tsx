import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CATALOG, CATEGORIES, LAYER_TYPES } from '../../shared/catalog';
import { emptyDocument, useEditor } from '../store';
import { Palette } from './Palette';

describe('palette', () => {
  beforeEach(() => {
    useEditor.getState().loadDocument(emptyDocument());
  });

  it('lists every catalog layer under its category, with its doc', () => {
    render(<Palette />);
    for (const c of CATEGORIES) expect(screen.getByRole('button', { name: new RegExp(c) })).toBeInTheDocument();
    for (const t of LAYER_TYPES) {
      const item = screen.getByTestId(`palette-${t}`);
      expect(item).toHaveAttribute('draggable', 'true');
      expect(within(item).getByRole('tooltip')).toHaveTextContent(CATALOG[t].doc);
    }
  });

  it('filters by search text and adds the first match after the selection with Enter', async () => {
    const user = userEvent.setup();
    const input = useEditor.getState().addNode('Input', { params: { shape: [8] } });
    render(<Palette />);
    await user.type(screen.getByLabelText('Search layers'), 'dense');
    expect(screen.getAllByRole('listitem').map((li) => li.dataset.testid)).toEqual(['palette-Dense', 'palette-Flatten']); // name first, then docs mentioning it
    await user.keyboard('{Enter}');
    const { doc, selectedNodes } = useEditor.getState();
    expect(doc.nodes.map((n) => n.type)).toEqual(['Input', 'Dense']);
    expect(doc.edges).toEqual([{ from: input, to: 'dense' }]);
    expect(selectedNodes).toEqual(['dense']);
  });

  it('Enter adds the first match that fits the selected layer (MaxPooling2D after a Conv2D), highlighted; else the first', async () => {
    const user = userEvent.setup();
    const input = useEditor.getState().addNode('Input', { params: { shape: [28, 28, 1] } });
    useEditor.getState().addNode('Conv2D', { after: input });
    render(<Palette />);
    const search = screen.getByLabelText('Search layers');
    await user.type(search, 'maxpool');
    expect(screen.getByTestId('palette-MaxPooling1D')).not.toHaveClass('enter-target'); // listed first, but wants [steps, channels]
    expect(screen.getByTestId('palette-MaxPooling2D')).toHaveClass('enter-target');
    await user.keyboard('{Enter}');
    expect(useEditor.getState().doc.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'MaxPooling2D']);
    // Nothing named "input" accepts a feature map: the first match (Input itself) stays the target.
    await user.clear(search);
    await user.type(search, 'input');
    expect(screen.getByTestId('palette-Input')).toHaveClass('enter-target');
    // Dense does not fit a feature map either, but it is the only name match: added (its error offers Flatten).
    await user.clear(search);
    await user.type(search, 'dense{Enter}');
    expect(useEditor.getState().doc.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'MaxPooling2D', 'Dense']);
  });

  it('double-click adds after the selected node; the new node becomes the selection (a chain)', () => {
    useEditor.getState().addNode('Input', { params: { shape: [8] } });
    render(<Palette />);
    fireEvent.doubleClick(screen.getByTestId('palette-Dense'));
    fireEvent.doubleClick(screen.getByTestId('palette-Dropout'));
    fireEvent.keyDown(screen.getByTestId('palette-Dense'), { key: 'Enter' });
    const { doc } = useEditor.getState();
    expect(doc.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['input->dense', 'dense->dropout', 'dropout->dense_2']);
  });

  it('puts the layer type on the drag data', () => {
    render(<Palette />);
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), effectAllowed: '' };
    fireEvent.dragStart(screen.getByTestId('palette-Conv2D'), { dataTransfer });
    expect(data.get('application/x-layerloom-layer')).toBe('Conv2D');
  });
});
