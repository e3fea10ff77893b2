import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { useEditor } from '../store';
import { installFakeApi } from '../test-api';
import { DataPanel } from './DataPanel';

vi.mock('uplot', () => ({ default: class { setData() {} setSize() {} destroy() {} } }));

const doc: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'shapes',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [8, 8, 1] } }, { id: 'f', type: 'Flatten', params: {} }, { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } }],
  edges: [{ from: 'x', to: 'f' }, { from: 'f', to: 'out' }],
  dataset: { source: 'images', path: 'data/shapes' },
};
const good = { name: 'shapes', count: 6, sampleShape: [8, 8, 1], task: 'classification', classes: ['dark', 'light'] };

describe('Data panel: errors where the person looks', () => {
  beforeEach(() => useEditor.getState().loadDocument(structuredClone(doc)));

  it('a file fixed on disk is read again: "Use this data" on the same path, or "Read again", clears the stale error', async () => {
    let fixed = false;
    const fake = installFakeApi({
      'data.files': () => ({ dir: '/p', files: [] }),
      'data.preview': () => {
        if (!fixed) throw new Error('data/shapes/dark/1.png: corrupt or truncated PNG');
        return good as never;
      },
    });
    const previews = () => fake.calls.filter((c) => c.name === 'data.preview').length;
    render(<DataPanel />);
    const error = await screen.findByTestId('data-error');
    expect(error).toHaveTextContent('data/shapes/dark/1.png: corrupt or truncated PNG');
    fixed = true;
    const before = previews();
    fireEvent.click(screen.getByRole('button', { name: 'Use this data' })); // the same folder again
    await screen.findByTestId('data-summary');
    expect(previews()).toBeGreaterThan(before);
    expect(screen.queryByTestId('data-error')).toBeNull();

    fixed = false;
    fireEvent.click(screen.getByRole('button', { name: 'Use this data' }));
    await screen.findByTestId('data-error');
    fixed = true;
    fireEvent.click(screen.getByTestId('data-reread'));
    await screen.findByTestId('data-summary');
    expect(screen.queryByTestId('data-error')).toBeNull();
  });

  it('a slow read shows progress until the data arrives', async () => {
    let answer: (v: unknown) => void = () => undefined;
    installFakeApi({
      'data.files': () => ({ dir: '/p', files: [] }),
      'data.preview': () => new Promise((r) => { answer = r; }) as never,
    });
    render(<DataPanel />);
    const loading = await screen.findByTestId('data-loading');
    expect(loading).toHaveTextContent('Loading the data…');
    expect(screen.getByRole('progressbar', { name: 'Loading the data' })).toBeInTheDocument();
    answer(good);
    await waitFor(() => expect(screen.queryByTestId('data-loading')).toBeNull());
    expect(screen.getByTestId('data-summary')).toHaveTextContent('6 samples');
  });
});
