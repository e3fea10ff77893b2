import { act, fireEvent, render, screen } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { useEditor } from '../store';
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

const shown = () => useEditor.getState().bottomHeight;
const tab = (name: string) => fireEvent.click(screen.getByRole('tab', { name }));
let fake: ReturnType<typeof installFakeApi>;
const saved = () => fake.calls.filter((c) => c.name === 'settings.set').map((c) => c.req);

beforeEach(() => {
  useEditor.getState().loadDocument(structuredClone(doc));
  useEditor.setState({ bottomTab: 'summary', bottomOpen: true, bottomHeight: 290, runs: [], currentRunId: null });
  fake = installFakeApi({
    'engine.backend': () => ({ name: 'wasm', native: false }),
    'engine.train': (req) => ({ runId: req.runId! }),
    'data.files': () => ({ dir: '/p', files: [] }),
    'data.preview': () => ({ name: 'iris', count: 150, sampleShape: [4], inputShape: [4], task: 'classification', classes: ['a', 'b', 'c'] }),
    'settings.set': () => ({ theme: 'system', recentFiles: [], snapToGrid: false, ui: {} }),
  });
  if (!Element.prototype.setPointerCapture) Element.prototype.setPointerCapture = () => undefined;
});

describe('Bottom panel height', () => {
  it('is the same on every tab: showing Data, Training or Evaluate never grows it (the canvas keeps its room)', () => {
    render(<BottomPanel />);
    for (const name of ['Data', 'Training', 'Runs', 'Evaluate', 'Try it', 'Summary']) {
      tab(name);
      expect(shown()).toBe(290);
    }
    act(() => trainCommand());
    expect(shown()).toBe(290);
  });

  it('the person drags or keys it, on any tab, and it is remembered in settings', async () => {
    render(<BottomPanel />);
    tab('Data');
    const edge = screen.getByRole('separator', { name: 'Resize the bottom panel' });
    fireEvent.pointerDown(edge, { clientY: 400, pointerId: 1 });
    fireEvent.pointerMove(edge, { clientY: 500, pointerId: 1 });
    fireEvent.pointerUp(edge, { pointerId: 1 });
    expect(shown()).toBe(190);
    tab('Training');
    expect(shown()).toBe(190);
    await vi.waitFor(() => expect(saved()).toContainEqual({ ui: { 'editor.bottomHeight': 190 } }));
    fireEvent.keyDown(edge, { key: 'ArrowUp' });
    fireEvent.keyDown(edge, { key: 'PageUp' });
    expect(shown()).toBe(310);
    expect(edge).toHaveAttribute('aria-valuenow', '310');
    await vi.waitFor(() => expect(saved()).toContainEqual({ ui: { 'editor.bottomHeight': 310 } }));
  });
});
