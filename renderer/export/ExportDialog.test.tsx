import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { loadDocumentOrThrow, type LoomDocument } from '../../shared/document';
import { EXPORT_FORMATS } from '../../shared/formats/registry';
import { IpcError } from '../../shared/ipc/rpc';
import { setApiForTests } from '../platform/api';
import { bundledTemplates } from '../services/platform';
import { useEditor } from '../store';
import type { RunView } from '../store/runs';
import { exportCommand } from './commands';
import { ExportDialogs } from './ExportDialogs';
import { useExportUi } from './state';
import { installFakeApi } from './testApi';

const mnist = () => loadDocumentOrThrow(bundledTemplates().find((t) => t.id === 'mnist-cnn')!.text);

/** ONNX recurrent ops have no softsign: this model is exportable everywhere but ONNX. */
const softsignLstm: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'rnn',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [5, 3] } },
    { id: 'rnn', type: 'LSTM', params: { units: 2, activation: 'softsign' } },
    { id: 'out', type: 'Dense', params: { units: 2 } },
  ],
  edges: [{ from: 'x', to: 'rnn' }, { from: 'rnn', to: 'out' }],
};

const run = (doc: LoomDocument, over: Partial<RunView> = {}): RunView => ({
  runId: 'run-1', label: 'Run 1', createdAt: '2026-11-23T03:00:00Z', doc, training: {} as RunView['training'], status: 'completed',
  batches: { x: [], loss: [], accuracy: [] }, epochs: [], ...over,
});

function open(doc: LoomDocument, filePath: string | null = null) {
  useEditor.getState().loadDocument(doc, filePath);
  render(<ExportDialogs />);
  // The command changes stores the mounted dialog reads: act() lets React apply that before asserting.
  act(() => exportCommand());
  return screen.findByTestId('export-dialog');
}
const exportButton = () => screen.getByTestId('export-run');

beforeEach(() => {
  useEditor.setState({ runs: [] });
  useExportUi.setState({ open: null, exported: [] });
});
afterEach(() => setApiForTests(null));

describe('Export dialog', () => {
  it('lists every format of the registry with its description, files and what is verified; previews model.py', async () => {
    installFakeApi({});
    await open(mnist());
    for (const f of EXPORT_FORMATS) expect(screen.getByTestId(`export-format-${f.id}`)).toHaveTextContent(f.label);
    // PyTorch is chosen first: its description, files, verification and model.py preview.
    const pt = EXPORT_FORMATS.find((f) => f.id === 'pytorch')!;
    expect(screen.getByText(pt.description)).toBeInTheDocument();
    expect(screen.getByText(pt.verified)).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'Files written' })).getByText('weights.pt')).toBeInTheDocument();
    const code = screen.getByTestId('export-preview');
    expect(code.textContent).toContain('class ');
    expect(code.textContent).toContain('nn.Module');
    expect(screen.getByRole('tab', { name: 'model.py' })).toHaveAttribute('aria-selected', 'true');
    fireEvent.click(screen.getByRole('tab', { name: 'train.py' }));
    expect(screen.getByTestId('export-preview').textContent).toContain('torchrun');
    // Keras: its own model.py; TF.js: the quantization option and a model.json preview; ONNX: binary only.
    fireEvent.click(screen.getByLabelText('Keras 3 (Python)'));
    expect(screen.getByTestId('export-preview').textContent).toContain('keras');
    expect(screen.queryByLabelText('Quantization')).toBeNull();
    fireEvent.click(screen.getByLabelText('TensorFlow.js'));
    expect(screen.getByLabelText('Quantization')).toBeInTheDocument();
    expect(screen.getByTestId('export-preview').textContent).toContain('layers-model');
    fireEvent.click(screen.getByLabelText('ONNX'));
    expect(screen.queryByTestId('export-preview')).toBeNull();
    expect(exportButton()).toBeEnabled();
  });

  it('lists unsupported layers before exporting and disables Export with the reason', async () => {
    installFakeApi({});
    await open(softsignLstm);
    expect(screen.getByTestId('export-format-onnx')).toHaveTextContent('1 unsupported');
    expect(screen.getByTestId('export-format-pytorch')).not.toHaveTextContent('unsupported');
    expect(exportButton()).toBeEnabled();
    fireEvent.click(screen.getByLabelText('ONNX'));
    const list = screen.getByTestId('export-unsupported');
    expect(list).toHaveTextContent('rnn');
    expect(list).toHaveTextContent('LSTM');
    expect(list).toHaveTextContent('softsign');
    expect(exportButton()).toBeDisabled();
    expect(screen.getByTestId('export-disabled-reason')).toHaveTextContent('ONNX cannot express one layer');
  });

  it('a model with errors cannot be exported: the reason is shown', async () => {
    installFakeApi({});
    const broken = structuredClone(softsignLstm);
    broken.nodes[2]!.params = { units: -3 };
    await open(broken);
    expect(screen.getByTestId('export-blocker')).toHaveTextContent(/fix them before exporting/);
    expect(exportButton()).toBeDisabled();
  });

  it('exports with the options and the latest matching run; shows the files, folder, weights and notes', async () => {
    const fake = installFakeApi({
      'export.run': (req) => ({
        canceled: false, outDir: '/p/export/mnist-tfjs', files: ['/p/export/mnist-tfjs/model.json', '/p/export/mnist-tfjs/weights.bin', '/p/export/mnist-tfjs/README.md'],
        weights: req.runId ? 'trained' : 'initial', notes: ['quantized to float16'],
      }),
    });
    const doc = mnist();
    const other = structuredClone(doc);
    other.nodes = other.nodes.slice(0, 2);
    useEditor.setState({ runs: [
      run(doc, { runId: 'run-old', label: 'Run 1', createdAt: '2026-11-23T01:00:00Z' }),
      run(doc, { runId: 'run-new', label: 'Run 2', createdAt: '2026-11-23T02:00:00Z' }),
      run(other, { runId: 'run-other', label: 'Run 3', createdAt: '2026-11-23T02:30:00Z' }),
      run(doc, { runId: 'run-live', label: 'Run 4', createdAt: '2026-11-23T02:40:00Z', status: 'running' }),
    ] });
    await open(doc, 'mnist.loom');
    fireEvent.click(screen.getByLabelText('TensorFlow.js'));
    const weights = screen.getByLabelText('Weights') as HTMLSelectElement;
    expect([...weights.options].map((o) => o.value)).toEqual(['run-new', 'run-old', '']);
    expect(weights.value).toBe('run-new');
    fireEvent.change(screen.getByLabelText('Quantization'), { target: { value: 'float16' } });
    fireEvent.click(exportButton());
    const result = await screen.findByTestId('export-result');
    expect(fake.calls.find((c) => c.name === 'export.run')!.req).toMatchObject({ format: 'tfjs', docPath: 'mnist.loom', runId: 'run-new', quantize: 'float16' });
    expect(result).toHaveTextContent('Exported 3 files');
    expect(screen.getByTestId('export-outdir')).toHaveTextContent('/p/export/mnist-tfjs');
    for (const f of ['model.json', 'weights.bin', 'README.md']) expect(within(result).getByText(f)).toBeInTheDocument();
    expect(screen.getByTestId('export-weights')).toHaveTextContent('Weights: trained (Run 2)');
    expect(result).toHaveTextContent('(TensorFlow.js)');
    expect(result).toHaveTextContent('quantized to float16');
    expect(useExportUi.getState().exported).toContain('/p/export/mnist-tfjs/model.json');
  });

  it('offers runs saved beside the document in earlier sessions (runs.list), newest first by default', async () => {
    const doc = mnist();
    installFakeApi({
      'runs.list': () => ({ runs: [
        { runId: 'run-disk', createdAt: '2026-11-22T10:00:00Z', doc, training: {}, history: [{ loss: 0.5 }], logs: { loss: 0.5 }, reason: 'completed' },
      ] }),
    });
    await open(doc, 'mnist.loom');
    const weights = screen.getByLabelText('Weights') as HTMLSelectElement;
    await waitFor(() => expect(weights.value).toBe('run-disk'));
    expect(screen.queryByTestId('export-no-runs')).toBeNull();
  });

  it('an unsaved model offers this session\'s trained run (the engine holds its weights)', async () => {
    const fake = installFakeApi({
      'export.run': () => ({ canceled: false, outDir: '/p/export/m-tfjs', files: ['/p/export/m-tfjs/model.json'], weights: 'trained', notes: [] }),
    });
    const doc = mnist();
    useEditor.setState({ runs: [run(doc)] });
    await open(doc, null);
    // A person who trained and then exported used to get the untrained weights: the run was not offered.
    expect((screen.getByLabelText('Weights') as HTMLSelectElement).value).toBe('run-1');
    expect(screen.queryByTestId('export-no-runs')).toBeNull();
    fireEvent.click(exportButton());
    await screen.findByTestId('export-result');
    expect(fake.calls.find((c) => c.name === 'export.run')!.req).toMatchObject({ runId: 'run-1' });
    expect(fake.calls.find((c) => c.name === 'export.run')!.req).not.toHaveProperty('docPath');
    expect(screen.getByTestId('export-weights')).toHaveTextContent('Weights: trained (Run 1)');
  });

  it('an unsaved model without a finished run exports its initial weights and says so; data.npz is optional', async () => {
    const fake = installFakeApi({
      'export.run': () => ({ canceled: false, outDir: '/p/export/m-pytorch', files: ['/p/export/m-pytorch/model.py'], weights: 'initial', notes: [] }),
    });
    const doc = mnist();
    useEditor.setState({ runs: [run(doc, { status: 'error' })] });
    await open(doc, null);
    expect(screen.getByTestId('export-no-runs')).toHaveTextContent('No finished training run of this exact model');
    expect(screen.getByTestId('export-no-runs')).toHaveTextContent('Save the model to keep its runs');
    expect((screen.getByLabelText('Weights') as HTMLSelectElement).value).toBe('');
    const data = screen.getByLabelText(/Include the training data/) as HTMLInputElement;
    expect(data.checked).toBe(true);
    fireEvent.click(data);
    fireEvent.click(exportButton());
    await screen.findByTestId('export-result');
    const req = fake.calls.find((c) => c.name === 'export.run')!.req;
    expect(req).toMatchObject({ format: 'pytorch', includeData: false });
    expect(req.runId).toBeUndefined();
    expect(req.docPath).toBeUndefined();
    expect(screen.getByTestId('export-weights')).toHaveTextContent('initial, untrained');
  });

  it('an export error stays in the dialog with its details', async () => {
    installFakeApi({
      'export.run': () => {
        throw new IpcError('failed', 'cannot read the run weights: weights.bin is missing', ['run-1/weights.bin']);
      },
    });
    await open(mnist());
    fireEvent.click(exportButton());
    const err = await screen.findByTestId('export-error');
    expect(err).toHaveTextContent('PyTorch export failed');
    expect(err).toHaveTextContent('weights.bin is missing');
    expect(err).toHaveTextContent('run-1/weights.bin');
    expect(screen.getByTestId('export-dialog')).toBeInTheDocument();
    await waitFor(() => expect(exportButton()).toBeEnabled());
  });

  it('keys pressed in the dialog never reach the canvas shortcuts (Delete does not delete the selected layer)', async () => {
    installFakeApi({});
    const { handleShortcut } = await import('../editor/shortcuts');
    window.addEventListener('keydown', handleShortcut);
    try {
      const doc = mnist();
      await open(doc);
      act(() => useEditor.setState({ selectedNodes: [doc.nodes[1]!.id] }));
      fireEvent.keyDown(screen.getByLabelText('PyTorch'), { key: 'Delete' });
      fireEvent.keyDown(screen.getByLabelText('PyTorch'), { key: 'Backspace' });
      expect(useEditor.getState().doc.nodes).toHaveLength(doc.nodes.length);
      // Outside the dialog the same key deletes (the listener is live).
      fireEvent.keyDown(document.body, { key: 'Delete' });
      expect(useEditor.getState().doc.nodes).toHaveLength(doc.nodes.length - 1);
    } finally {
      window.removeEventListener('keydown', handleShortcut);
    }
  });

  it('the menu command and Ctrl+E open it; Escape closes it', async () => {
    installFakeApi({});
    const { runMenuCommand } = await import('../editor/commands');
    const { handleShortcut } = await import('../editor/shortcuts');
    render(<ExportDialogs />);
    act(() => runMenuCommand('export'));
    const dlg = await screen.findByTestId('export-dialog');
    fireEvent.keyDown(dlg, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('export-dialog')).toBeNull());
    act(() => handleShortcut(new KeyboardEvent('keydown', { key: 'e', ctrlKey: true })));
    await screen.findByTestId('export-dialog');
  });
});
