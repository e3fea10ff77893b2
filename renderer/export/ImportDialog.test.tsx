import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { serializeDocument, type LoomDocument } from '../../shared/document';
import { createApi } from '../../shared/ipc/client';
import { IpcError } from '../../shared/ipc/rpc';
import { setApiForTests } from '../platform/api';
import { emptyDocument, useEditor } from '../store';
import { importCommand } from './commands';
import { ExportDialogs } from './ExportDialogs';
import { useExportUi } from './state';
import { installFakeApi } from './testApi';

const imported: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'tiny',
  nodes: [
    { id: 'in', type: 'Input', params: { shape: [4] } },
    { id: 'hidden', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } },
  ],
  edges: [{ from: 'in', to: 'hidden' }, { from: 'hidden', to: 'out' }],
};
const info = { mode: 'web' as const, version: '0', platform: 'linux', projectDir: '/home/me/proj' };
const state = () => useEditor.getState();

function open() {
  render(<ExportDialogs />);
  importCommand();
  return screen.findByTestId('import-dialog');
}

beforeEach(() => {
  useExportUi.setState({ open: null, exported: [] });
  state().loadDocument(emptyDocument(), null);
  vi.spyOn(window, 'confirm').mockReturnValue(true);
});
afterEach(() => {
  setApiForTests(null);
  delete window.api;
  vi.restoreAllMocks();
});

describe('Import dialog', () => {
  it('web mode: imports a project path and opens it as a new untitled, unsaved, laid-out document', async () => {
    const fake = installFakeApi({
      'app.info': () => info,
      'file.importModel': () => ({ canceled: false, name: 'tiny.loom', text: serializeDocument(imported), warnings: [] }),
    });
    state().loadDocument(emptyDocument('old'), 'old.loom');
    await open();
    const importBtn = screen.getByTestId('import-run');
    expect(importBtn).toBeDisabled();
    fireEvent.change(screen.getByLabelText(/Model file/), { target: { value: 'weights.h5' } });
    expect(screen.getByText(/Import reads \.json/)).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/Model file/), { target: { value: 'export/tiny-tfjs/model.json' } });
    fireEvent.click(importBtn);
    // No warnings, no weights: the dialog closes and the model is on the canvas.
    await waitFor(() => expect(screen.queryByTestId('import-dialog')).toBeNull());
    expect(fake.calls.find((c) => c.name === 'file.importModel')!.req).toEqual({ path: 'export/tiny-tfjs/model.json' });
    const s = state();
    expect(s.doc.nodes.map((n) => n.id)).toEqual(['in', 'hidden', 'out']);
    expect(s.filePath).toBeNull();
    expect(s.doc).not.toBe(s.savedDoc);
    expect(Object.keys(s.doc.layout ?? {}).sort()).toEqual(['hidden', 'in', 'out']);
    expect(s.notice?.text).toMatch(/Imported tiny/);
  });

  it('lists the layers that cannot be imported (nothing opened)', async () => {
    installFakeApi({
      'app.info': () => info,
      'file.importModel': () => {
        throw new IpcError('failed', '2 layers cannot be imported:\n  noise (GaussianNoise): not a Layerloom layer\n  gru (GRU): reset_after=True\nnoise (GaussianNoise): not a Layerloom layer\ngru (GRU): reset_after=True',
          ['noise (GaussianNoise): not a Layerloom layer', 'gru (GRU): reset_after=True']);
      },
    });
    const before = state().doc;
    await open();
    fireEvent.change(screen.getByLabelText(/Model file/), { target: { value: 'm.json' } });
    fireEvent.click(screen.getByTestId('import-run'));
    const err = await screen.findByTestId('import-error');
    expect(err).toHaveTextContent('2 layers cannot be imported');
    const items = [...screen.getByTestId('import-unsupported').querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual(['noise (GaussianNoise): not a Layerloom layer', 'gru (GRU): reset_after=True']);
    expect(state().doc).toBe(before);
  });

  it('shows what the import changed and that weights were not carried over', async () => {
    installFakeApi({
      'app.info': () => info,
      'file.importModel': () => ({ canceled: false, name: 'tiny.loom', text: serializeDocument(imported), warnings: ['hidden: dropout inside the recurrent layer was dropped'], weightsFound: true }),
    });
    useExportUi.setState({ exported: ['/home/me/proj/export/tiny-tfjs/model.json', '/home/me/proj/export/tiny-tfjs/weights.bin'] });
    await open();
    // Models exported in this session are offered (project-relative).
    fireEvent.click(await screen.findByRole('button', { name: 'export/tiny-tfjs/model.json' }));
    expect(screen.queryByRole('button', { name: /weights\.bin/ })).toBeNull();
    fireEvent.click(screen.getByTestId('import-run'));
    const result = await screen.findByTestId('import-result');
    expect(result).toHaveTextContent('3 layers');
    expect(screen.getByTestId('import-warnings')).toHaveTextContent('dropout inside the recurrent layer was dropped');
    expect(result).toHaveTextContent('not carried into the model');
    expect(state().doc.nodes).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(screen.queryByTestId('import-dialog')).toBeNull());
  });

  it('desktop: asks with the system dialog (no path); canceling changes nothing', async () => {
    const calls: unknown[] = [];
    window.api = createApi({
      invoke: async (name, payload) => {
        calls.push([name, payload]);
        return { ok: true, value: { canceled: true } };
      },
      subscribe: () => () => {},
    });
    setApiForTests(window.api);
    const before = state().doc;
    await open();
    fireEvent.click(screen.getByRole('button', { name: 'Choose file…' }));
    await waitFor(() => expect(calls).toEqual([['file.importModel', {}]]));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Choose file…' })).toBeEnabled());
    expect(screen.getByTestId('import-dialog')).toBeInTheDocument();
    expect(screen.queryByTestId('import-error')).toBeNull();
    expect(state().doc).toBe(before);
  });

  it('the menu command (Import Model…) and Ctrl+I open it', async () => {
    installFakeApi({ 'app.info': () => info });
    const { runMenuCommand } = await import('../editor/commands');
    const { handleShortcut } = await import('../editor/shortcuts');
    render(<ExportDialogs />);
    runMenuCommand('importModel');
    const dlg = await screen.findByTestId('import-dialog');
    fireEvent.keyDown(dlg, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('import-dialog')).toBeNull());
    handleShortcut(new KeyboardEvent('keydown', { key: 'i', ctrlKey: true }));
    await screen.findByTestId('import-dialog');
  });

  it('unsaved changes: declining the discard question imports nothing', async () => {
    const fake = installFakeApi({ 'app.info': () => info });
    state().updateDocument((d) => ({ ...d, name: 'edited' }));
    vi.spyOn(window, 'confirm').mockReturnValue(false);
    await open();
    fireEvent.change(screen.getByLabelText(/Model file/), { target: { value: 'm.json' } });
    fireEvent.click(screen.getByTestId('import-run'));
    await waitFor(() => expect(window.confirm).toHaveBeenCalled());
    expect(fake.calls.some((c) => c.name === 'file.importModel')).toBe(false);
    expect(state().doc.name).toBe('edited');
  });
});
