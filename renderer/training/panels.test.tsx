import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { undo, useEditor } from '../store';
import { irisMlpOnIris, wasmBackend } from '../test-fixtures';
import { shapeFits } from '../store/checks';
import { DataPanel } from './DataPanel';
import { EvaluatePanel } from './EvaluatePanel';
import { installFakeApi, type FakeApi } from '../test-api';
import { diffGraph, diffTraining, RunsPanel } from './RunsPanel';
import { TrainingPanel } from './TrainingPanel';
import { TryItPanel } from './TryItPanel';
import { alignSeries } from './Chart';
import { handleShortcut } from '../shell/shortcuts';
import { runMenuCommand } from '../shell/commands';
import { TrainButton } from './TrainButton';

const charts: { title: string; data: unknown[][] }[] = [];
vi.mock('uplot', () => ({
  default: class {
    entry: { title: string; data: unknown[][] };
    constructor(opts: { title: string }, data: unknown[][]) {
      this.entry = { title: opts.title, data };
      charts.push(this.entry);
    }
    setData(d: unknown[][]) { this.entry.data = d; }
    setSize() {}
    destroy() {}
  },
}));

const doc = irisMlpOnIris;
const backend = wasmBackend;
const evaluation = { runId: 'x', samples: 15, logs: { loss: 0.2, accuracy: 0.9333 }, classes: ['setosa', 'versicolor', 'virginica'], confusion: [[5, 0, 0], [0, 4, 1], [0, 0, 5]], perClass: [{ precision: 1, recall: 1, f1: 1, support: 5 }, { precision: 1, recall: 0.8, f1: 0.89, support: 5 }, { precision: 0.83, recall: 1, f1: 0.91, support: 5 }] };

let fake: FakeApi;
beforeEach(() => {
  charts.length = 0;
  useEditor.setState({ runs: [], currentRunId: null, selectedRuns: [], backend: null, trainingMessage: null });
  useEditor.getState().loadDocument(structuredClone(doc));
  fake = installFakeApi({
    'engine.backend': () => backend,
    'engine.train': (req) => ({ runId: req.runId! }),
    'engine.stop': () => ({ ok: true }),
    'engine.pause': () => ({ ok: true }),
    'engine.resume': () => ({ ok: true }),
    'engine.evaluate': (req) => ({ ...evaluation, runId: req.runId }),
    'engine.predict': () => ({ outputs: [[0.1, 0.7, 0.2]], labels: ['versicolor'], classes: ['setosa', 'versicolor', 'virginica'] }),
    'engine.confusionSamples': (req) => ({ samples: [{ index: 7, values: [5.9, 3.2, 4.8, 1.8], shape: [4], probabilities: [0.05, 0.3, 0.65] }].filter(() => req.trueClass === 1) }),
    // The engine splits with the request's training settings (as a run does): 15 test, then validation.
    'data.preview': (req) => ({ name: 'iris', count: 150, sampleShape: [4], inputShape: [4], task: 'classification', classes: ['setosa', 'versicolor', 'virginica'], split: { train: 135 - Math.round(135 * (req.training?.validationSplit ?? 0.2)), validation: Math.round(135 * (req.training?.validationSplit ?? 0.2)), test: 15 }, balance: { classes: ['setosa', 'versicolor', 'virginica'], all: [50, 50, 50] }, warnings: [{ code: 'duplicates', message: '2 of 15 test samples also appear (exactly) in the training split' }], samples: [{ index: 0, values: [5.1, 3.5, 1.4, 0.2], shape: [4], label: 0, className: 'setosa' }] }),
  });
});

async function trainToEnd() {
  const id = (await act(() => useEditor.getState().train()))!;
  act(() => {
    fake.emit('train.event', { type: 'start', runId: id, backend, totalParams: 15, epochs: 2, batchSize: 8, batchesPerEpoch: 4, seed: 1, data: { name: 'iris', train: 108, validation: 27, test: 15, inputShape: [4], classes: ['setosa', 'versicolor', 'virginica'] } });
    fake.emit('train.event', { type: 'batch', runId: id, epoch: 1, batch: 2, batches: 4, logs: { loss: 1.1, accuracy: 0.4 }, samplesPerSec: 250, etaSec: 65, elapsedSec: 0.2 });
    fake.emit('train.event', { type: 'epoch', runId: id, epoch: 1, epochs: 2, logs: { loss: 1, accuracy: 0.5, val_loss: 1.2, val_accuracy: 0.45 }, samplesPerSec: 250, etaSec: 1, elapsedSec: 0.4 });
  });
  return id;
}

describe('Training panel', () => {
  it('trains with one click: progress with epoch/batch, samples/s and ETA, live charts, backend badge, stop', async () => {
    render(<TrainingPanel />);
    await waitFor(() => expect(screen.getByTestId('backend-badge')).toHaveTextContent('wasm (not native)'));
    expect(screen.getByTestId('backend-badge').title).toMatch(/tfjs-node\) is not installed.*Install/);
    fireEvent.click(screen.getByTestId('train-button'));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'engine.train')).toBe(true));
    const id = useEditor.getState().currentRunId!;
    act(() => {
      fake.emit('train.event', { type: 'start', runId: id, backend, totalParams: 15, epochs: 2, batchSize: 8, batchesPerEpoch: 4, seed: 1, data: { name: 'iris', train: 108, validation: 27, test: 15, inputShape: [4] } });
      fake.emit('train.event', { type: 'batch', runId: id, epoch: 1, batch: 1, batches: 4, logs: { loss: 1.2, accuracy: 0.3 }, samplesPerSec: 250, etaSec: 300, elapsedSec: 5 });
    });
    // The first batch carries the warm-up (loading, compiling): no ETA from it.
    expect(screen.getByTestId('progress-text')).not.toHaveTextContent('ETA');
    // Then the pace: one batch in 10 s, 6 batches left.
    act(() => fake.emit('train.event', { type: 'batch', runId: id, epoch: 1, batch: 2, batches: 4, logs: { loss: 1.1, accuracy: 0.4 }, samplesPerSec: 250, etaSec: 65, elapsedSec: 15 }));
    expect(screen.getByTestId('progress-text')).toHaveTextContent('Epoch 1/2 · batch 2/4 · 250 samples/s · ETA 1:00');
    expect(screen.getByTestId('train-button')).toBeDisabled();
    expect(screen.getByTestId('chart-loss').dataset.points).toBe('2');
    act(() => fake.emit('train.event', { type: 'epoch', runId: id, epoch: 1, epochs: 2, logs: { loss: 1, accuracy: 0.5, val_loss: 1.2, val_accuracy: 0.45 }, samplesPerSec: 250, etaSec: 1, elapsedSec: 25 }));
    expect(screen.getByTestId('chart-loss').dataset.points).toBe('4');
    expect(charts.find((c) => c.title === 'Accuracy')!.data[0]).toEqual([0.25, 0.5, 1]);

    fireEvent.click(screen.getByTestId('pause-button'));
    act(() => fake.emit('train.event', { type: 'paused', runId: id }));
    expect(screen.getByTestId('run-status')).toHaveTextContent('Paused');
    fireEvent.click(screen.getByTestId('resume-button'));
    act(() => fake.emit('train.event', { type: 'resumed', runId: id }));
    fireEvent.click(screen.getByTestId('stop-button'));
    await waitFor(() => expect(fake.calls.map((c) => c.name)).toEqual(expect.arrayContaining(['engine.pause', 'engine.resume', 'engine.stop'])));
    act(() => fake.emit('train.event', { type: 'end', runId: id, reason: 'stopped', epochsCompleted: 1, logs: { loss: 1, val_accuracy: 0.45 }, elapsedSec: 0.5 }));
    expect(screen.getByTestId('run-status').dataset.status).toBe('stopped');
    expect(screen.getByTestId('final-metrics')).toHaveTextContent('val_accuracy 45.0%');
    expect(screen.getByTestId('train-button')).toBeEnabled();
  });

  it('shows the NaN message beside the chart, and marks the run stale when the graph is edited', async () => {
    render(<TrainingPanel />);
    const id = await trainToEnd();
    act(() => fake.emit('train.event', { type: 'error', runId: id, code: 'nan', message: 'The loss became NaN at epoch 1, batch 3: lower the learning rate (now 100, e.g. to 10)', epoch: 1, batch: 3 }));
    expect(screen.getByTestId('train-error')).toHaveTextContent(/NaN.*lower the learning rate/);
    expect(screen.getByTestId('chart-loss')).toBeInTheDocument();
    expect(screen.queryByTestId('stale')).toBeNull();
    act(() => useEditor.getState().setParam(['out'], 'units', 4));
    expect(screen.getByTestId('stale')).toHaveTextContent(/graph changed since Run 1/);
  });

  it('shows a diverged run (loss far above its start, not NaN) with its own heading and the engine message', async () => {
    render(<TrainingPanel />);
    const id = await trainToEnd();
    act(() => fake.emit('train.event', { type: 'error', runId: id, code: 'diverged', message: 'The loss diverged at epoch 1, batch 5 (from 2.31 before training to 14.6 over the last 5 batches): lower the learning rate (now 100, e.g. to 10)', epoch: 1, batch: 5 }));
    expect(screen.getByTestId('train-error')).toHaveTextContent(/^Training diverged \(the loss rose far above where it started\) and stopped\. The loss diverged at epoch 1, batch 5 .*now 100/);
    expect(screen.getByTestId('run-status').dataset.status).toBe('error');
  });

  it('edits hyper-parameters in the document', async () => {
    render(<TrainingPanel />);
    await screen.findByTestId('backend-badge'); // the panel asks the engine for its backend on mount
    const lr = screen.getByTestId('lr');
    fireEvent.change(lr, { target: { value: 'abc' } });
    fireEvent.blur(lr);
    expect(screen.getByRole('alert')).toHaveTextContent('a number');
    fireEvent.change(lr, { target: { value: '100' } });
    fireEvent.keyDown(lr, { key: 'Enter' });
    expect(useEditor.getState().doc.training?.learningRate).toBe(100);
    fireEvent.change(screen.getByLabelText('optimizer'), { target: { value: 'sgd' } });
    expect(useEditor.getState().doc.training?.optimizer).toBe('sgd');
    expect(screen.getByLabelText('momentum')).toBeInTheDocument();
  });

  it('sets the threads a run computes on, and shows the threads a run used', async () => {
    render(<TrainingPanel />);
    expect(screen.getByLabelText('threads')).toHaveValue('auto');
    fireEvent.change(screen.getByLabelText('threads'), { target: { value: '2' } });
    expect(useEditor.getState().doc.training?.threads).toBe(2);
    fireEvent.change(screen.getByLabelText('threads'), { target: { value: 'auto' } });
    expect(useEditor.getState().doc.training?.threads).toBeUndefined();
    const id = (await act(() => useEditor.getState().train()))!;
    act(() => fake.emit('train.event', { type: 'start', runId: id, backend: { ...backend, threads: 2 }, totalParams: 15, epochs: 2, batchSize: 8, batchesPerEpoch: 4, seed: 1, data: { name: 'iris', train: 108, validation: 27, test: 15, inputShape: [4] } }));
    expect(screen.getByText(/wasm ×2 threads/)).toBeInTheDocument();
  });
});

describe('Training panel (regression)', () => {
  it('charts the loss and the mean absolute error per batch and per epoch', async () => {
    render(<TrainingPanel />);
    const id = (await act(() => useEditor.getState().train()))!;
    act(() => {
      fake.emit('train.event', { type: 'batch', runId: id, epoch: 1, batch: 1, batches: 2, logs: { loss: 4, mae: 1.8 }, samplesPerSec: 900, etaSec: 1, elapsedSec: 0.1 });
      fake.emit('train.event', { type: 'epoch', runId: id, epoch: 1, epochs: 2, logs: { loss: 3, mae: 1.5, val_loss: 3.5, val_mae: 1.6 }, samplesPerSec: 900, etaSec: 1, elapsedSec: 0.2 });
    });
    expect(screen.queryByTestId('chart-accuracy')).toBeNull();
    expect(screen.getByTestId('chart-mae').dataset.points).toBe('3');
  });
});

describe('Evaluate panel', () => {
  it('evaluates a finished run: test metrics, confusion matrix cells open their samples, per-class scores', async () => {
    const id = await trainToEnd();
    act(() => fake.emit('train.event', { type: 'end', runId: id, reason: 'completed', epochsCompleted: 2, logs: { loss: 0.3 }, elapsedSec: 1 }));
    render(<EvaluatePanel />);
    await waitFor(() => expect(screen.getByTestId('test-metrics')).toHaveTextContent('Test set: 15 samples · loss 0.2000 · accuracy 93.3%'));
    expect(screen.getByTestId('cell-0-1')).toBeDisabled();
    fireEvent.click(screen.getByTestId('cell-1-2'));
    await waitFor(() => expect(screen.getAllByTestId('cell-sample')).toHaveLength(1));
    expect(screen.getByTestId('cell-samples')).toHaveTextContent('True “versicolor”, predicted “virginica” (misclassified)');
    expect(screen.getByTestId('cell-samples')).toHaveTextContent('#7 · 65.0%');
    expect(screen.getByTestId('per-class')).toHaveTextContent('versicolor100.0%80.0%');
  });
});

describe('Try it panel', () => {
  it('predicts from typed feature values and shows class probabilities', async () => {
    const id = await trainToEnd();
    act(() => fake.emit('train.event', { type: 'end', runId: id, reason: 'completed', epochsCompleted: 2, logs: { loss: 0.3 }, elapsedSec: 1 }));
    render(<TryItPanel />);
    await waitFor(() => expect(screen.getByTestId('feature-3')).toHaveAttribute('placeholder', '0.2'));
    fireEvent.change(screen.getByTestId('feature-0'), { target: { value: '5.9' } });
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    await waitFor(() => expect(screen.getByTestId('prediction')).toHaveTextContent('Prediction: versicolor (70.0%)'));
    // The other fields were empty: they take the data's first sample (5.1, 3.5, 1.4, 0.2), shown as their placeholders.
    expect(fake.calls.find((c) => c.name === 'engine.predict')!.req.inputs).toEqual([[5.9, 3.5, 1.4, 0.2]]);
    expect(screen.getByTestId('probabilities').querySelectorAll('li')).toHaveLength(3);
  });

  it('names each feature field after its column (the run\'s dataset, as the Data tab reads it)', async () => {
    const preview = fake.handlers['data.preview']!;
    fake.handlers['data.preview'] = (req) => ({ ...(preview(req, undefined as never) as object), featureNames: ['sepal length', 'sepal width', 'petal length', 'petal width'] }) as never;
    const id = await trainToEnd();
    act(() => fake.emit('train.event', { type: 'end', runId: id, reason: 'completed', epochsCompleted: 2, logs: { loss: 0.3 }, elapsedSec: 1 }));
    render(<TryItPanel />);
    fireEvent.change(await screen.findByLabelText('petal length'), { target: { value: '4.8' } });
    expect(screen.getByTestId('feature-2')).toHaveValue('4.8');
    expect(screen.getByText('sepal width')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    await waitFor(() => expect(fake.calls.find((c) => c.name === 'engine.predict')!.req.inputs).toEqual([[5.1, 3.5, 4.8, 0.2]]));
  });

  it('says so when a dropped file is not an image', async () => {
    act(() => useEditor.getState().setParam(['x'], 'shape', [2, 2, 1]));
    const id = await trainToEnd();
    act(() => fake.emit('train.event', { type: 'end', runId: id, reason: 'completed', epochsCompleted: 2, logs: { loss: 0.3 }, elapsedSec: 1 }));
    render(<TryItPanel />);
    const notImage = new File(['hello'], 'notes.txt', { type: 'text/plain' });
    vi.stubGlobal('createImageBitmap', () => Promise.reject(new DOMException('The source image could not be decoded.', 'InvalidStateError')));
    try {
      fireEvent.drop(screen.getByTestId('draw-pad'), { dataTransfer: { files: [notImage] } });
      expect(await screen.findByTestId('drop-error')).toHaveTextContent('notes.txt is not an image this browser can read: drop a PNG or JPEG.');
      expect(fake.calls.some((c) => c.name === 'engine.predict')).toBe(false);
      fireEvent.click(screen.getByTestId('clear-pad'));
      expect(screen.queryByTestId('drop-error')).toBeNull();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('Data panel', () => {
  it('regression data with a crossentropy loss: says so and offers meanSquaredError (undoable)', async () => {
    fake.handlers['data.preview'] = () => ({ name: 'auto-mpg', count: 392, sampleShape: [4], task: 'regression', split: { train: 251, validation: 63, test: 78 } });
    act(() => useEditor.getState().setTrainingParam('loss', 'binaryCrossentropy'));
    render(<DataPanel />);
    expect(await screen.findByTestId('loss-mismatch')).toHaveTextContent('The auto-mpg data is a regression task (numeric targets) but the loss is binaryCrossentropy');
    fireEvent.click(screen.getByRole('button', { name: 'Set loss to meanSquaredError' }));
    expect(useEditor.getState().doc.training?.loss).toBe('meanSquaredError');
    await waitFor(() => expect(screen.queryByTestId('loss-mismatch')).toBeNull());
    act(() => undo());
    expect(useEditor.getState().doc.training?.loss).toBe('binaryCrossentropy');
  });

  it('previews the dataset: summary with split sizes, balance, warnings; a shape mismatch offers to set the Input shape', async () => {
    act(() => useEditor.getState().setParam(['x'], 'shape', [8]));
    render(<DataPanel />);
    await waitFor(() => expect(screen.getByTestId('data-summary')).toHaveTextContent('iris: 150 samples · sample shape [4] · 3 classes · split: 108 train / 27 validation / 15 test'));
    expect(fake.calls.find((c) => c.name === 'data.preview')!.req.training).toMatchObject({ validationSplit: 0.2, shuffle: true });
    expect(screen.getByTestId('dataset-select')).toHaveAttribute('title', 'iris — 4 features, 3 species'); // cut off in the narrow column
    expect(screen.getByTestId('data-warning-duplicates')).toHaveTextContent(/also appear/);
    expect(screen.getByTestId('class-balance').children).toHaveLength(3);
    expect(screen.getByTestId('data-preview')).toHaveTextContent('setosa');
    fireEvent.click(screen.getByRole('button', { name: 'Set Input shape to [4]' }));
    expect(useEditor.getState().doc.nodes[0]!.params!.shape).toEqual([4]);
    await waitFor(() => expect(screen.queryByTestId('shape-mismatch')).toBeNull());
    fireEvent.change(screen.getByTestId('dataset-select'), { target: { value: 'blobs' } });
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'builtin', name: 'blobs' });
  });

  it('edits augmentation options and previews augmented samples live', async () => {
    fake.handlers['data.preview'] = () => ({ name: 'digits', count: 10, sampleShape: [2, 2, 1], task: 'classification', classes: ['0', '1'], split: { train: 9, validation: 0, test: 1 }, samples: [{ index: 0, values: [0, 255, 255, 0], shape: [2, 2, 1], label: 0, className: '0' }] });
    fake.handlers['data.augmentPreview'] = (req) => ({ shape: [2, 2, 1], samples: Array.from({ length: req.count ?? 8 }, () => [0, 128, 255, 0]) });
    act(() => useEditor.getState().setDataset({ source: 'builtin', name: 'digits' }));
    act(() => useEditor.getState().setParam(['x'], 'shape', [2, 2, 1]));
    render(<DataPanel />);
    const rotation = await screen.findByLabelText('rotation (°)');
    fireEvent.change(rotation, { target: { value: '15' } });
    fireEvent.keyDown(rotation, { key: 'Enter' });
    expect(useEditor.getState().doc.dataset).toMatchObject({ augmentation: { rotation: 15, horizontalFlip: false } });
    await waitFor(() => expect(screen.getByTestId('augment-preview').children).toHaveLength(8), { timeout: 3000 });
    expect(fake.calls.find((c) => c.name === 'data.augmentPreview')!.req.dataset.augmentation.rotation).toBe(15);
    fireEvent.change(rotation, { target: { value: '0' } });
    fireEvent.keyDown(rotation, { key: 'Enter' });
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'builtin', name: 'digits' });
  });

  it('imports a CSV: picks a file from the ones beside the model, names the target column', async () => {
    fake.handlers['data.files'] = () => ({ dir: '/p', files: [{ path: 'houses.csv', kind: 'csv' }, { path: 'photos', kind: 'folder' }] });
    render(<DataPanel />);
    fireEvent.change(screen.getByLabelText('source'), { target: { value: 'csv' } });
    await waitFor(() => expect(document.querySelectorAll('#ds-path-choices option')).toHaveLength(1));
    expect(document.querySelector('#ds-path-choices option')).toHaveAttribute('value', 'houses.csv');
    fake.handlers['data.describeCsv'] = (req) => {
      if (req.path !== 'houses.csv') throw new Error(`Cannot read the CSV file ${req.path}`);
      return { rows: 3, columns: [{ name: 'rooms', kind: 'numeric', distinct: 3, empty: 0, examples: ['3', '4'] }, { name: 'town', kind: 'categorical', distinct: 2, empty: 0, examples: ['A', 'B'] }, { name: 'price', kind: 'numeric', distinct: 3, empty: 0, examples: ['100', '200'] }], suggestedTarget: 'price' };
    };
    fireEvent.change(screen.getByLabelText('CSV file'), { target: { value: 'nope.csv' } });
    expect(await screen.findByText('Cannot read the CSV file nope.csv')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('CSV file'), { target: { value: 'houses.csv' } });
    const target = await screen.findByLabelText('target column (3 rows)');
    expect(target).toHaveValue('price');
    expect(screen.getByText(/town one-hot encoded/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Use this data' }));
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'csv', path: 'houses.csv', target: 'price' });
  });

  it('accepts what the engine accepts as a fitting shape', () => {
    expect(shapeFits([28, 28, 1], [28, 28, 1])).toBe(true);
    expect(shapeFits([28, 28, 1], [784])).toBe(true);
    expect(shapeFits([28, 28, 1], [28, 28])).toBe(true);
    expect(shapeFits([28, 28, 1], [32, 32, 3])).toBe(false);
  });
});

describe('Runs panel', () => {
  it('lists runs, overlays the ticked ones and diffs two (hyper-parameters and graph)', async () => {
    const a = await trainToEnd();
    act(() => fake.emit('train.event', { type: 'end', runId: a, reason: 'completed', epochsCompleted: 1, logs: { loss: 1 }, elapsedSec: 1 }));
    act(() => {
      useEditor.getState().setTrainingParam('learningRate', 0.1);
      useEditor.getState().setParam(['out'], 'units', 5);
    });
    await trainToEnd();
    render(<RunsPanel />);
    expect(screen.getAllByTestId('run-row')).toHaveLength(2);
    fireEvent.click(screen.getByLabelText('compare Run 1'));
    fireEvent.click(screen.getByLabelText('compare Run 2'));
    expect(screen.getByTestId('runs-overlay')).toBeInTheDocument();
    expect(screen.getByTestId('run-diff')).toHaveTextContent('learningRate: 0.01 → 0.1');
    expect(screen.getByTestId('run-diff')).toHaveTextContent('out.units: 3 → 5');
    // Never saved: the panel says the runs are kept in the session until the first save writes them.
    expect(screen.getByTestId('runs-session-only')).toHaveTextContent('written beside the file when you save it');
    act(() => useEditor.setState({ filePath: 'm.loom' }));
    expect(screen.queryByTestId('runs-session-only')).toBeNull();
  });

  it('diffs graphs: added/removed layers and connections', () => {
    const b: LoomDocument = { ...doc, nodes: [...doc.nodes, { id: 'd', type: 'Dropout', params: { rate: 0.5 } }], edges: [{ from: 'x', to: 'd' }, { from: 'd', to: 'out' }] };
    const lines = diffGraph(doc, b).map((d) => `${d.kind} ${d.what}`);
    expect(lines).toEqual(['added layer d (Dropout)', 'removed connection x → out', 'added connection x → d', 'added connection d → out']);
    const run = (t: Partial<LoomDocument['training']>) => ({ training: { ...doc.training!, ...t }, doc } as never);
    expect(diffTraining(run({}), run({ epochs: 5 }))).toEqual([{ kind: 'changed', what: 'epochs', a: '2', b: '5' }]);
  });
});

describe('chart data', () => {
  it('aligns per-batch and per-epoch points on one x axis', () => {
    expect(alignSeries([0.5, 1, 1.5], [[3, 2, 1]], [[2.5], [2.8]])).toEqual([[0.5, 1, 1.5], [3, 2, 1], [null, 2.5, null], [null, 2.8, null]]);
  });
});

describe('Train from anywhere', () => {
  it('Ctrl/Cmd+Enter trains (even from a text field), the toolbar button turns into Stop, menu stop stops', async () => {
    render(<TrainButton />);
    const input = document.createElement('input');
    document.body.appendChild(input);
    const e = new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, cancelable: true });
    Object.defineProperty(e, 'target', { value: input });
    act(() => handleShortcut(e));
    expect(e.defaultPrevented).toBe(true);
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'engine.train')).toBe(true));
    expect(useEditor.getState().bottomTab).toBe('training');
    expect(screen.getByTestId('toolbar-stop')).toBeInTheDocument();
    act(() => useEditor.getState().setParam(['out'], 'units', 4));
    expect(screen.getByTestId('toolbar-stale')).toHaveTextContent('edited since Run 1');
    act(() => runMenuCommand('stop'));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'engine.stop')).toBe(true));
    input.remove();
  });
});
