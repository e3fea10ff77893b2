import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { serializeDocument, type LoomDocument } from '../../shared/document';
import { createApi } from '../../shared/ipc/client';
import { IpcError } from '../../shared/ipc/rpc';
import { setApiForTests } from '../platform/api';
import { emptyDocument, useEditor } from '../store';
import { importCommand } from '../shell/commands';
import { Dialogs } from '../shell/Dialogs';
import { useExported } from '../export/exported';
import { installFakeApi } from '../test-api';
import { setUnsavedPrompt } from '../shell/unsaved';

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
  render(<Dialogs />);
  // The command changes stores the mounted dialog reads: act() lets React apply that before asserting.
  act(() => importCommand());
  return screen.findByTestId('import-dialog');
}

beforeEach(() => {
  useExported.setState({ files: [] });
  useEditor.getState().openDialog(null);
  state().loadDocument(emptyDocument(), null);
  useEditor.setState({ runs: [], currentRunId: null });
  setUnsavedPrompt(async () => 'discard');
});
afterEach(() => {
  setUnsavedPrompt(null);
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
    fireEvent.change(screen.getByLabelText(/model file/i), { target: { value: 'weights.txt' } });
    expect(screen.getByText(/Import reads \.json/)).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/model file/i), { target: { value: 'export/tiny-tfjs/model.json' } });
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
    fireEvent.change(screen.getByLabelText(/model file/i), { target: { value: 'm.json' } });
    fireEvent.click(screen.getByTestId('import-run'));
    const err = await screen.findByTestId('import-error');
    expect(err).toHaveTextContent('2 layers cannot be imported');
    const items = [...screen.getByTestId('import-unsupported').querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual(['noise (GaussianNoise): not a Layerloom layer', 'gru (GRU): reset_after=True']);
    expect(state().doc).toBe(before);
  });

  it('shows what the import changed and the "Imported weights" run, kept beside the model on its first save', async () => {
    const run = { runId: 'imported-1', createdAt: '2026-11-23T04:00:00Z', source: 'model.json' };
    const fake = installFakeApi({
      'app.info': () => info,
      'file.importModel': () => ({ canceled: false, name: 'tiny.loom', text: serializeDocument(imported), warnings: ['hidden: dropout inside the recurrent layer was dropped'], weightsFound: true, run }),
      'runs.persistImported': () => ({ ok: true }),
    });
    useExported.setState({ files: ['/home/me/proj/export/tiny-tfjs/model.json', '/home/me/proj/export/tiny-tfjs/weights.bin'] });
    await open();
    // Models exported in this session are offered (project-relative).
    fireEvent.click(await screen.findByRole('button', { name: 'export/tiny-tfjs/model.json' }));
    expect(screen.queryByRole('button', { name: /weights\.bin/ })).toBeNull();
    fireEvent.click(screen.getByTestId('import-run'));
    const result = await screen.findByTestId('import-result');
    expect(result).toHaveTextContent('3 layers');
    expect(screen.getByTestId('import-warnings')).toHaveTextContent('dropout inside the recurrent layer was dropped');
    expect(screen.getByTestId('import-weights-run')).toHaveTextContent('Weights imported as run Imported weights (from model.json)');
    // The run is listed and current: Evaluate and Try it show it; Export offers it.
    const r = state().runs.find((x) => x.runId === 'imported-1')!;
    expect(r).toMatchObject({ label: 'Imported weights', status: 'completed', imported: { source: 'model.json' } });
    expect(r.end?.epochsCompleted).toBe(0);
    expect(state().currentRunId).toBe('imported-1');
    const { weightRuns } = await import('../export/actions');
    expect(weightRuns(state().runs, state().doc).map((x) => x.runId)).toEqual(['imported-1']);
    fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(screen.queryByTestId('import-dialog')).toBeNull());
    // A dataset chosen afterwards (Data tab) reaches the imported run, for Evaluate.
    state().setDataset({ source: 'builtin', name: 'iris' });
    expect(state().runs.find((x) => x.runId === 'imported-1')!.doc.dataset).toEqual({ source: 'builtin', name: 'iris' });
    // First save (as shell/commands' save does: savedDoc and filePath change, the document does not).
    useEditor.setState({ savedDoc: state().doc, filePath: 'tiny.loom' });
    await waitFor(() => expect(fake.calls.find((c) => c.name === 'runs.persistImported')?.req).toEqual({ runId: 'imported-1', docPath: 'tiny.loom' }));
    await waitFor(() => expect(state().runs.find((x) => x.runId === 'imported-1')!.fromDisk).toBe(true));
  });

  it('imported weights of a document replaced before it was saved are not written beside another model', async () => {
    const fake = installFakeApi({
      'app.info': () => info,
      'file.importModel': () => ({ canceled: false, name: 'tiny.loom', text: serializeDocument(imported), warnings: [], weightsFound: true, run: { runId: 'imported-2', createdAt: '2026-11-23T04:00:00Z', source: 'm.keras' } }),
      'runs.persistImported': () => ({ ok: true }),
    });
    await open();
    fireEvent.change(screen.getByLabelText(/model file/i), { target: { value: 'm.keras' } });
    fireEvent.click(screen.getByTestId('import-run'));
    await screen.findByTestId('import-weights-run');
    state().loadDocument(emptyDocument('other'), 'other.loom');
    useEditor.setState({ savedDoc: state().doc, filePath: 'other2.loom' });
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.calls.some((c) => c.name === 'runs.persistImported')).toBe(false);
  });

  it('lists placeholders (layers to replace) and why the weights did not become a run', async () => {
    installFakeApi({
      'app.info': () => info,
      'file.importModel': () => ({
        canceled: false, name: 'm.loom', text: serializeDocument(imported), weightsFound: true,
        warnings: ['1 layer could not be imported and is a placeholder (shown in red): pad (ZeroPadding1D: layer class "ZeroPadding1D" is not supported by Layerloom). Replace it before training or exporting.', 'noise: GaussianNoise(stddev=0.1) became Dropout(rate=0)'],
        placeholders: [{ layer: 'pad', className: 'ZeroPadding1D', reason: 'layer class "ZeroPadding1D" is not supported by Layerloom' }],
        weightsNote: 'The weights were not imported: replace the 1 unsupported layer first, then use File › Load Weights… with the same file.',
      }),
    });
    await open();
    fireEvent.change(screen.getByLabelText(/model file/i), { target: { value: 'm.json' } });
    fireEvent.click(screen.getByTestId('import-run'));
    const list = await screen.findByTestId('import-placeholders');
    expect(list).toHaveTextContent('pad (ZeroPadding1D): layer class "ZeroPadding1D" is not supported');
    expect(screen.getByTestId('import-warnings')).toHaveTextContent('became Dropout');
    expect(screen.getByTestId('import-warnings')).not.toHaveTextContent('placeholder');
    expect(screen.getByTestId('import-weights-note')).toHaveTextContent('replace the 1 unsupported layer first');
    expect(state().runs.some((r) => r.imported)).toBe(false);
  });

  it('web mode: the browser file picker uploads model.json and its .bin into one imports/ folder, then imports it', async () => {
    const uploads: { dir: string; name: string; done: boolean }[] = [];
    const fake = installFakeApi({
      'app.info': () => info,
      'file.upload': (req) => {
        uploads.push({ dir: req.dir, name: req.name, done: req.done });
        return { path: `${req.dir}/${req.name}`, bytes: 4 };
      },
      'file.importModel': () => ({ canceled: false, name: 'tiny.loom', text: serializeDocument(imported), warnings: [], weightsFound: true, run: { runId: 'imported-3', createdAt: '2026-11-23T04:00:00Z', source: 'model.json' } }),
    });
    await open();
    const files = [new File(['{"a":1}'], 'model.json', { type: 'application/json' }), new File([new Uint8Array([1, 2, 3, 4])], 'weights.bin')];
    fireEvent.change(screen.getByTestId('import-pick-input'), { target: { files } });
    await screen.findByTestId('import-weights-run');
    expect(uploads.map((u) => u.dir)).toEqual(['imports', 'imports']);
    const [a, b] = uploads.map((u) => u.name);
    expect(a).toMatch(/^model-\d{14}-[a-z0-9]+\/model\.json$/);
    expect(b).toBe(`${a!.split('/')[0]}/weights.bin`);
    expect(fake.calls.find((c) => c.name === 'file.importModel')!.req).toEqual({ path: `imports/${a}` });
  });

  it('a model picked in the browser keeps its file\'s name (not its upload folder\'s)', async () => {
    installFakeApi({
      'app.info': () => info,
      'file.upload': (req) => ({ path: `${req.dir}/${req.name}`, bytes: 4 }),
      // The engine names a model after its file, or a model.json after its folder: here the upload's.
      'file.importModel': (req) => ({ canceled: false, name: `${req.path!.split('/')[1]}.loom`, text: serializeDocument({ ...imported, name: req.path!.split('/')[1]! }), warnings: [] }),
    });
    await open();
    fireEvent.change(screen.getByTestId('import-pick-input'), { target: { files: [new File(['PK'], 'pose-classifier.keras')] } });
    await waitFor(() => expect(state().doc.name).toBe('pose-classifier'));
    expect(state().notice?.text).toMatch(/^Imported pose-classifier \(3 layers/);
  });

  it('a model.json without its weight file: one message, in Import and in Load Weights', async () => {
    installFakeApi({
      'app.info': () => info,
      'file.importModel': () => ({ canceled: false, name: 'tiny.loom', text: serializeDocument(imported), warnings: ['weights not loaded: group1-shard1of1.bin not found next to model.json'] }),
      'file.loadWeights': () => { throw new IpcError('failed', 'group1-shard1of1.bin not found next to model.json'); },
    });
    await open();
    fireEvent.change(screen.getByLabelText(/model file/i), { target: { value: 'imports/m/model.json' } });
    fireEvent.click(screen.getByTestId('import-run'));
    const note = await screen.findByTestId('import-weights-note');
    const said = 'The weights were not loaded: group1-shard1of1.bin was not found next to model.json. Choose model.json together with its weight file (select them all at once), or add them later with Load Weights.';
    expect(note).toHaveTextContent(said);
    expect(screen.queryByText(/The file has no weights/)).toBeNull(); // it had some: they were missing
    expect(screen.queryByTestId('import-warnings')).toBeNull();
    fireEvent.click(screen.getByTestId('open-load-weights'));
    await screen.findByTestId('weights-dialog');
    fireEvent.change(screen.getByLabelText(/file in the project folder/), { target: { value: 'imports/m/model.json' } });
    fireEvent.click(screen.getByTestId('weights-run'));
    expect(await screen.findByTestId('weights-error')).toHaveTextContent(said);
  });

  it('Load weights: reports every layer without a match (both shapes), or refuses with the list', async () => {
    let refuse = false;
    const fake = installFakeApi({
      'app.info': () => info,
      'file.loadWeights': () => {
        if (refuse) throw new IpcError('failed', 'No layer of the model matches the weights in other.weights.h5:\n  hidden: …', ['hidden: shape mismatch: layers/dense/vars/0 is [4, 2], the model expects [4, 8]', 'out: no weights at layers/dense_1']);
        return {
          canceled: false, run: { runId: 'imported-4', createdAt: '2026-11-23T04:00:00Z', source: 'm.weights.h5' }, matched: ['hidden'],
          problems: [{ layer: 'out', reason: 'shape mismatch: layers/dense_1/vars/0 is [8, 5], the model expects [8, 3]' }], unused: [], warnings: [],
        };
      },
    });
    state().loadDocument(imported, 'tiny.loom');
    await open();
    fireEvent.click(screen.getByTestId('open-load-weights'));
    await screen.findByTestId('weights-dialog');
    fireEvent.change(screen.getByLabelText(/file in the project folder/), { target: { value: 'w/m.weights.h5' } });
    fireEvent.click(screen.getByTestId('weights-run'));
    const result = await screen.findByTestId('weights-result');
    expect(result).toHaveTextContent('loaded as run Imported weights: 1 layer matched (hidden)');
    expect(screen.getByTestId('weights-problems')).toHaveTextContent('out: shape mismatch: layers/dense_1/vars/0 is [8, 5], the model expects [8, 3]');
    expect(fake.calls.find((c) => c.name === 'file.loadWeights')!.req).toEqual({ path: 'w/m.weights.h5', doc: imported, docPath: 'tiny.loom' });
    expect(state().currentRunId).toBe('imported-4');

    refuse = true;
    fireEvent.click(screen.getByTestId('weights-run'));
    const err = await screen.findByTestId('weights-error');
    expect(err).toHaveTextContent('No layer of the model matches the weights in other.weights.h5');
    expect([...screen.getByTestId('weights-problems').querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'hidden: shape mismatch: layers/dense/vars/0 is [4, 2], the model expects [4, 8]', 'out: no weights at layers/dense_1',
    ]);
    expect(state().runs.filter((r) => r.imported)).toHaveLength(1);
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
    const { runMenuCommand } = await import('../shell/commands');
    const { handleShortcut } = await import('../shell/shortcuts');
    render(<Dialogs />);
    act(() => runMenuCommand('importModel'));
    const dlg = await screen.findByTestId('import-dialog');
    fireEvent.keyDown(dlg, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('import-dialog')).toBeNull());
    act(() => handleShortcut(new KeyboardEvent('keydown', { key: 'i', ctrlKey: true })));
    await screen.findByTestId('import-dialog');
  });

  it('unsaved changes: declining the discard question imports nothing', async () => {
    const fake = installFakeApi({ 'app.info': () => info });
    state().updateDocument((d) => ({ ...d, name: 'edited' }));
    setUnsavedPrompt(null); // the in-app question, over the Import dialog
    await open();
    fireEvent.change(screen.getByLabelText(/model file/i), { target: { value: 'm.json' } });
    fireEvent.click(screen.getByTestId('import-run'));
    const question = await screen.findByTestId('unsaved-dialog');
    expect(question).toHaveTextContent('“edited” has changes that are not saved');
    expect(screen.getByTestId('import-dialog')).toBeInTheDocument();
    fireEvent.click(within(question).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('unsaved-dialog')).toBeNull());
    expect(fake.calls.some((c) => c.name === 'file.importModel')).toBe(false);
    expect(state().doc.name).toBe('edited');
  });
});
