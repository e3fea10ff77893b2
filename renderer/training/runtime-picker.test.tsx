import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { RuntimeSettings } from '../../shared/runtime/options';
import { runtimeSettingsOf } from '../../shared/runtime/options';
import { useEditor } from '../store';
import { installFakeApi, type FakeApi } from '../test-api';
import { irisMlpOnIris } from '../test-fixtures';
import { TrainingPanel } from './TrainingPanel';

vi.mock('uplot', () => ({
  default: class {
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

const saved: RuntimeSettings = runtimeSettingsOf({ choice: 'pytorch', device: 'cpu', processes: 2, python: '/opt/py/bin/python3' });
const pytorchBackend = { name: 'pytorch' as const, native: true as const, device: 'cpu', processes: 2, torch: '1.13.1', threads: 2 };

let fake: FakeApi;
let settings: { runtime?: RuntimeSettings };
beforeEach(() => {
  settings = { runtime: saved };
  // The first test reads the settings file (once per session); later ones start from its answer.
  useEditor.setState({ runs: [], currentRunId: null, backend: null, trainingMessage: null, ...(fake ? { runtime: saved } : {}) });
  useEditor.getState().loadDocument(structuredClone(irisMlpOnIris));
  fake = installFakeApi({
    'engine.backend': () => ({ name: 'wasm', native: false }),
    'engine.train': (req) => ({ runId: req.runId! }),
    'settings.get': () => ({ theme: 'system', recentFiles: [], snapToGrid: false, ui: {}, ...settings }),
    'settings.set': (patch) => {
      settings = { ...settings, ...(patch.runtime ? { runtime: patch.runtime } : {}) };
      return { theme: 'system', recentFiles: [], snapToGrid: false, ui: {}, ...settings };
    },
  });
});

const lastSaved = () => fake.calls.filter((c) => c.name === 'settings.set').at(-1)?.req.runtime as RuntimeSettings | undefined;

describe('Training panel: runtime picker', () => {
  it('reads the runtime from the settings file and trains with it; the document carries none of it', async () => {
    render(<TrainingPanel />);
    await waitFor(() => expect(screen.getByTestId('runtime-pytorch')).toBeChecked());
    expect(screen.getByTestId('runtime-device')).toHaveValue('cpu');
    expect(screen.getByTestId('runtime-processes')).toHaveValue('2');
    expect(screen.getByTestId('runtime-python')).toHaveValue('/opt/py/bin/python3');
    fireEvent.click(screen.getByTestId('train-button'));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'engine.train')).toBe(true));
    const req = fake.calls.find((c) => c.name === 'engine.train')!.req;
    expect(req.runtime).toBe('pytorch');
    expect(JSON.stringify(req.doc)).not.toMatch(/python|pytorch|device/);
  });

  it('switching runtime and options saves the settings file, never the document', async () => {
    render(<TrainingPanel />);
    await waitFor(() => expect(screen.getByTestId('runtime-pytorch')).toBeChecked());
    const before = useEditor.getState().doc;
    fireEvent.change(screen.getByTestId('runtime-device'), { target: { value: 'cuda' } });
    await waitFor(() => expect(lastSaved()).toMatchObject({ choice: 'pytorch', device: 'cuda', processes: 2 }));
    fireEvent.click(screen.getByTestId('runtime-app'));
    await waitFor(() => expect(lastSaved()).toMatchObject({ choice: 'app', device: 'cuda' }));
    expect(screen.queryByTestId('runtime-device')).toBeNull();
    expect(useEditor.getState().doc).toBe(before);
    fireEvent.click(screen.getByTestId('train-button'));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'engine.train')).toBe(true));
    expect(fake.calls.find((c) => c.name === 'engine.train')!.req.runtime).toBeUndefined();
  });

  it('Check reports the PyTorch version, or the cause and the install line', async () => {
    fake.handlers['settings.checkRuntime'] = (rt) => (rt.python === '/nope'
      ? { ok: false, python: '/nope', message: 'PyTorch cannot be loaded by /nope on this computer (ModuleNotFoundError: No module named torch)', install: '"/nope" -m pip install torch numpy' }
      : { ok: true, python: rt.python, torch: '1.13.1', message: `PyTorch 1.13.1 with ${rt.python} on this computer (devices: CPU)` });
    render(<TrainingPanel />);
    await waitFor(() => expect(screen.getByTestId('runtime-pytorch')).toBeChecked());
    fireEvent.click(screen.getByTestId('runtime-check-button'));
    await waitFor(() => expect(screen.getByTestId('runtime-check')).toHaveTextContent('PyTorch 1.13.1 with /opt/py/bin/python3'));
    fireEvent.change(screen.getByTestId('runtime-python'), { target: { value: '/nope' } });
    fireEvent.click(screen.getByTestId('runtime-check-button'));
    await waitFor(() => expect(screen.getByTestId('runtime-install')).toHaveTextContent('"/nope" -m pip install torch numpy'));
    expect(screen.getByTestId('runtime-check')).toHaveTextContent('No module named torch');
  });

  it('adds a remote host only when it cannot carry ssh options, and trains there', async () => {
    render(<TrainingPanel />);
    await waitFor(() => expect(screen.getByTestId('runtime-pytorch')).toBeChecked());
    fireEvent.change(screen.getByLabelText('where'), { target: { value: '+add' } });
    fireEvent.change(screen.getByLabelText('user@host'), { target: { value: '-oProxyCommand=evil' } });
    fireEvent.click(screen.getByText('Save host'));
    expect(screen.getByRole('alert')).toHaveTextContent('host must look like user@host');
    expect(lastSaved()?.hosts ?? []).toEqual([]);
    fireEvent.change(screen.getByLabelText('user@host'), { target: { value: 'me@gpu:2222' } });
    fireEvent.change(screen.getByLabelText('remote folder'), { target: { value: '~/runs' } });
    fireEvent.click(screen.getByText('Save host'));
    await waitFor(() => expect(lastSaved()).toMatchObject({ where: 'me@gpu:2222', hosts: [{ host: 'me@gpu:2222', dir: 'runs', keep: false }] }));
    expect(screen.getByLabelText('where')).toHaveValue('me@gpu:2222');
    expect(screen.queryByTestId('runtime-python')).toBeNull(); // the remote machine's python3
  });

  it('a PyTorch run shows where it trained; a refused host key shows its message', async () => {
    render(<TrainingPanel />);
    await waitFor(() => expect(screen.getByTestId('runtime-pytorch')).toBeChecked());
    const id = (await act(() => useEditor.getState().train()))!;
    act(() => fake.emit('train.event', { type: 'start', runId: id, backend: pytorchBackend, totalParams: 15, epochs: 1, batchSize: 8, batchesPerEpoch: 4, seed: 1, data: { name: 'iris', train: 108, validation: 27, test: 15, inputShape: [4] } }));
    expect(screen.getByTestId('run-backend')).toHaveTextContent('pytorch (cpu) ×2');
    expect(screen.getByTestId('backend-badge')).toHaveTextContent('pytorch (cpu) ×2');
    act(() => fake.emit('train.event', { type: 'error', runId: id, code: 'hostKey', message: 'The host key of me@gpu is not known (checked against ~/.ssh/known_hosts), so the connection was refused: verify the machine\'s fingerprint, then add it' }));
    expect(screen.getByTestId('train-error')).toHaveTextContent('The host key of me@gpu is not known');
  });
});
