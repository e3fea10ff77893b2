import { act, fireEvent, render, screen } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { useEditor } from '../store';
import { bottomPanelHeight } from '../store/view';
import { installFakeApi } from '../test-api';
import { trainCommand } from '../training/TrainingPanel';
import { BottomPanel } from './BottomPanel';

vi.mock('uplot', () => ({ default: class { setData() {} setSize() {} destroy() {} } }));

const doc: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'iris',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [4] } }, { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } }],
  edges: [{ from: 'x', to: 'out' }],
  dataset: { source: 'builtin', name: 'iris' },
};

const shown = () => bottomPanelHeight(useEditor.getState());
const tab = (name: string) => fireEvent.click(screen.getByRole('tab', { name }));

beforeEach(() => {
  useEditor.getState().loadDocument(structuredClone(doc));
  useEditor.setState({ bottomTab: 'summary', bottomOpen: true, bottomHeight: 210, bottomTall: 0, bottomTallOff: false, runs: [], currentRunId: null });
  installFakeApi({
    'engine.backend': () => ({ name: 'wasm', native: false }),
    'engine.train': (req) => ({ runId: req.runId! }),
    'data.files': () => ({ dir: '/p', files: [] }),
    'data.preview': () => ({ name: 'iris', count: 150, sampleShape: [4], inputShape: [4], task: 'classification', classes: ['a', 'b', 'c'] }),
  });
  if (!Element.prototype.setPointerCapture) Element.prototype.setPointerCapture = () => undefined;
});

describe('Bottom panel height', () => {
  it('is tall only while a tab that needs it is shown, then the person\'s own height again', () => {
    render(<BottomPanel />);
    expect(shown()).toBe(210);
    for (const name of ['Data', 'Training', 'Evaluate']) {
      tab(name);
      expect(shown()).toBe(380);
      tab('Summary');
      expect(shown()).toBe(210);
    }
    // Train from the toolbar/keyboard: tall while the Training tab shows, the person's height is untouched.
    act(() => trainCommand());
    expect(shown()).toBe(380);
    tab('Problems');
    expect(shown()).toBe(210);
    expect(useEditor.getState().bottomHeight).toBe(210);
  });

  it('a height the person drags is kept, on tall tabs too', () => {
    render(<BottomPanel />);
    tab('Data');
    const edge = screen.getByRole('separator', { name: 'Resize the bottom panel' });
    // Dragged down by 100 px from the tall 380: the person wants 280 here.
    fireEvent.pointerDown(edge, { clientY: 400, pointerId: 1 });
    fireEvent.pointerMove(edge, { clientY: 500, pointerId: 1 });
    expect(shown()).toBe(280);
    tab('Summary');
    expect(shown()).toBe(280);
    tab('Training');
    expect(shown()).toBe(280);
  });

  it('a person\'s taller height is never lowered by a tall tab', () => {
    useEditor.setState({ bottomHeight: 500 });
    render(<BottomPanel />);
    tab('Data');
    expect(shown()).toBe(500);
    tab('Summary');
    expect(shown()).toBe(500);
  });
});
