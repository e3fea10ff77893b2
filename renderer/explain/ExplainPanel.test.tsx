import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import type { Explanation } from '../../shared/explain/schema';
import { IpcError } from '../../shared/ipc/rpc';
import { useEditor } from '../store';
import type { RunView } from '../store/runs';
import { installFakeApi, type FakeApi } from '../test-api';
import { irisMlp } from '../test-fixtures';
import { EvaluatePanel } from '../training/EvaluatePanel';
import { TryItPanel } from '../training/TryItPanel';
import { ExplainPanel } from './ExplainPanel';
import { openExplain, resetExplain, useExplain } from './store';

const cnn: LoomDocument = {
  ...irisMlp, name: 'cnn', dataset: { source: 'builtin', name: 'digits' },
  nodes: [
    { id: 'img', type: 'Input', params: { shape: [4, 4, 1] } },
    { id: 'conv1', type: 'Conv2D', params: { filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' } },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } },
  ],
  edges: [{ from: 'img', to: 'conv1' }, { from: 'conv1', to: 'flat' }, { from: 'flat', to: 'out' }],
};
const mpg: LoomDocument = {
  ...irisMlp, name: 'mpg', dataset: { source: 'builtin', name: 'auto-mpg' },
  nodes: [{ id: 'x', type: 'Input', params: { shape: [3] } }, { id: 'y', type: 'Dense', params: { units: 1 } }],
  edges: [{ from: 'x', to: 'y' }],
};
const pixels = Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 255 : 0));

function addRun(doc: LoomDocument, evaluation?: RunView['evaluation']) {
  useEditor.getState().loadDocument(structuredClone(doc));
  const run: RunView = {
    runId: 'r1', label: 'Run 1', createdAt: '', doc, training: irisMlp.training!, status: 'completed', session: useEditor.getState().docSession,
    batches: { x: [], loss: [], accuracy: [] }, epochs: [], end: { type: 'end', runId: 'r1', reason: 'completed', epochsCompleted: 1, logs: {}, elapsedSec: 1 },
    ...(evaluation ? { evaluation } : {}),
  };
  useEditor.setState({ runs: [run], currentRunId: 'r1' });
}

const imageAnswer = (method: Explanation['method'], extra: Partial<Explanation> = {}): Explanation => ({
  method, target: { index: 2, label: 'two' }, output: 0.8, baseValue: method === 'ig' ? 0.1 : null,
  attributions: pixels.map((v) => v / 255 - 0.2), shape: method === 'gradcam' ? [4, 4] : [4, 4, 1],
  forwardPasses: method === 'ig' ? 51 : 1, elapsedSec: 0.02, ...extra,
});

let fake: FakeApi;
beforeEach(() => {
  resetExplain();
  useEditor.setState({ runs: [], currentRunId: null, bottomTab: 'summary' });
  fake = installFakeApi({ 'engine.cancel': () => ({ ok: true }) });
});

describe('reaching the Explain tab', () => {
  it('Evaluate: a misclassified cell’s sample has Why?, which opens the tab on that test sample', async () => {
    const evaluation = { runId: 'r1', samples: 9, logs: { accuracy: 0.8 }, classes: ['zero', 'one', 'two'], confusion: [[3, 0, 0], [0, 2, 1], [0, 0, 3]] };
    addRun(cnn, evaluation);
    fake.handlers['engine.confusionSamples'] = () => ({ samples: [{ index: 41, values: pixels, shape: [4, 4, 1], probabilities: [0.1, 0.2, 0.7] }] });
    render(<EvaluatePanel />);
    fireEvent.click(await screen.findByTestId('cell-1-2'));
    fireEvent.click(await screen.findByTestId('why-button'));
    expect(useEditor.getState().bottomTab).toBe('explain');
    expect(useExplain.getState().subject).toMatchObject({
      runId: 'r1', input: { kind: 'sample', index: 41, split: 'test' }, preview: { values: pixels, shape: [4, 4, 1] },
      caption: 'test sample #41 (true “one”, predicted “two”)', classes: ['zero', 'one', 'two'],
    });
  });

  it('Try it: the person’s row, with Explain… after the prediction', async () => {
    addRun(mpg);
    fake.handlers['data.preview'] = () => ({ name: 'auto-mpg', count: 3, sampleShape: [3], featureNames: ['a', 'b', 'c'], task: 'regression', samples: [] });
    fake.handlers['engine.predict'] = () => ({ outputs: [[21.5]] });
    render(<TryItPanel />);
    for (const [i, v] of ['1', '2', '3'].entries()) fireEvent.change(screen.getByTestId(`feature-${i}`), { target: { value: v } });
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    fireEvent.click(await screen.findByTestId('tryit-explain'));
    expect(useExplain.getState().subject).toMatchObject({ input: { kind: 'values', values: [1, 2, 3] }, caption: 'your row' });
    expect(useEditor.getState().bottomTab).toBe('explain');
  });

  it('with nothing chosen, a test sample by its number', () => {
    addRun(cnn);
    render(<ExplainPanel />);
    fireEvent.change(screen.getByTestId('explain-sample-index'), { target: { value: '12' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use this sample' }));
    expect(useExplain.getState().subject).toMatchObject({ input: { kind: 'sample', index: 12 }, caption: 'test sample #12' });
    expect(screen.getByTestId('method-picker')).toBeInTheDocument();
  });
});

describe('explaining an image', () => {
  it('shows the cost first, runs IG and Grad-CAM side by side, the completeness gap with "use more steps", opacity', async () => {
    addRun(cnn);
    fake.handlers['explain.run'] = (req) => (req.spec.method === 'ig'
      ? imageAnswer('ig', { completenessGap: (req.spec.steps ?? 50) === 50 ? 0.03 : 0.002, details: { steps: req.spec.steps ?? 50 } })
      : imageAnswer(req.spec.method, { details: { layer: 'conv1' } }));
    act(() => openExplain({ runId: 'r1', input: { kind: 'sample', index: 3 }, preview: { values: pixels, shape: [4, 4, 1] }, caption: 'test sample #3', classes: ['zero', 'one', 'two'] }));
    render(<ExplainPanel />);
    // IG and Grad-CAM are picked for a convolutional image model; their costs are shown before running.
    expect(screen.getByTestId('pick-ig')).toBeChecked();
    expect(screen.getByTestId('pick-gradcam')).toBeChecked();
    expect(screen.getByTestId('cost-ig')).toHaveTextContent('51');
    expect(screen.getByTestId('explain-cost')).toHaveTextContent('52 forward passes');
    fireEvent.click(screen.getByTestId('explain-run'));
    await screen.findByTestId('heatmap-gradcam');
    expect(screen.getByTestId('heatmap-ig')).toBeInTheDocument();
    const runs = fake.calls.filter((c) => c.name === 'explain.run');
    expect(runs.map((c) => c.req.spec.method)).toEqual(['ig', 'gradcam']);
    expect(runs[0]!.req).toMatchObject({ runId: 'r1', input: { kind: 'sample', index: 3 } });
    expect(runs[0]!.req.jobId).toMatch(/^job-/);
    expect(screen.getByTestId('completeness-gap')).toHaveTextContent('3.0%');
    // Above 1 %: more steps (×4) re-run IG only.
    fireEvent.click(screen.getByTestId('more-steps'));
    await waitFor(() => expect(screen.getByTestId('completeness-gap')).toHaveTextContent('0.2%'));
    expect(fake.calls.filter((c) => c.name === 'explain.run').at(-1)!.req.spec).toEqual({ method: 'ig', steps: 200 });
    expect(screen.queryByTestId('more-steps')).toBeNull();
    fireEvent.change(screen.getByTestId('explain-opacity'), { target: { value: '0.3' } });
    expect(screen.getByTestId('heatmap-ig')).toHaveAttribute('data-opacity', '0.3');
    // The target picker asks again for another class.
    fireEvent.change(screen.getByTestId('explain-target'), { target: { value: '1' } });
    expect(screen.queryByTestId('result-ig')).toBeNull();
    fireEvent.click(screen.getByTestId('explain-run'));
    await screen.findByTestId('heatmap-ig');
    expect(fake.calls.filter((c) => c.name === 'explain.run').at(-1)!.req.target).toBe(1);
  });

  it('progress with ETA while it runs; Cancel stops it and the rest of the series', async () => {
    addRun(cnn);
    let reject: (e: Error) => void = () => undefined;
    fake.handlers['explain.run'] = (req) => {
      setTimeout(() => fake.emit('job.progress', { jobId: req.jobId!, done: 10, total: 51, etaSec: 65 }), 0);
      return new Promise((_, rej) => { reject = rej; });
    };
    fake.handlers['engine.cancel'] = () => {
      reject(new IpcError('canceled', 'The operation was canceled'));
      return { ok: true };
    };
    act(() => openExplain({ runId: 'r1', input: { kind: 'sample', index: 3 }, caption: 'test sample #3' }));
    render(<ExplainPanel />);
    fireEvent.click(screen.getByTestId('explain-run'));
    await waitFor(() => expect(screen.getByTestId('explain-progress-text')).toHaveTextContent('10 / 51 · ETA 1:05'));
    expect(screen.getByTestId('explain-progress')).toHaveTextContent('Integrated Gradients (1 of 2)');
    expect(screen.getByTestId('explain-run')).toBeDisabled();
    fireEvent.click(screen.getByTestId('explain-cancel'));
    await waitFor(() => expect(screen.queryByTestId('explain-progress')).toBeNull());
    const jobId = fake.calls.find((c) => c.name === 'explain.run')!.req.jobId;
    expect(fake.calls.find((c) => c.name === 'engine.cancel')!.req).toEqual({ jobId });
    // Grad-CAM was not started after the cancel, and a cancel is not an error.
    expect(fake.calls.filter((c) => c.name === 'explain.run')).toHaveLength(1);
    expect(screen.queryByTestId('explain-error')).toBeNull();
  });

  it('an engine error is shown with the method; the sanity check flags a map that ignores the weights', async () => {
    addRun(cnn);
    fake.handlers['explain.run'] = (req) => {
      if (req.spec.method === 'gradcam') throw new IpcError('failed', 'Grad-CAM needs a convolution layer');
      return imageAnswer('ig', { completenessGap: 0.001 });
    };
    fake.handlers['explain.sanity'] = () => ({ method: 'ig', steps: [{ layer: 'out', spearman: 0.99 }, { layer: 'conv1', spearman: 0.97 }], flagged: true, threshold: 0.5, forwardPasses: 153, elapsedSec: 0.3 });
    act(() => openExplain({ runId: 'r1', input: { kind: 'sample', index: 3 }, caption: 'test sample #3' }));
    render(<ExplainPanel />);
    fireEvent.click(screen.getByTestId('explain-run'));
    expect(await screen.findByTestId('explain-error')).toHaveTextContent('Grad-CAM (2 of 2): Grad-CAM needs a convolution layer');
    fireEvent.click(screen.getByTestId('sanity-ig'));
    const sanity = await screen.findByTestId('sanity');
    expect(sanity).toHaveAttribute('data-flagged', 'true');
    expect(sanity).toHaveTextContent('Does not depend on what the model learned');
    expect(sanity).toHaveTextContent('out 0.99 → conv1 0.97');
  });
});

describe('explaining a table row', () => {
  it('SHAP bars with feature names and values, efficiency, CSV export; the global importance chart', async () => {
    addRun(mpg);
    fake.handlers['explain.run'] = () => ({
      method: 'shap', target: { index: 0, label: 'mpg' }, output: 20, baseValue: 23.5, attributions: [-4, 0.5, 0], shape: [3],
      featureNames: ['weight', 'year', 'origin'], featureValues: [3500, 76, 1], completenessGap: 0, details: { exact: true }, forwardPasses: 800, elapsedSec: 0.1,
    });
    fake.handlers['explain.global'] = (req) => ({ method: req.method, featureNames: ['weight', 'year', 'origin'], importance: [3, 1, 0], spread: [0.5, 0.2, 0], samples: 50, forwardPasses: 40000, elapsedSec: 1 });
    act(() => openExplain({ runId: 'r1', input: { kind: 'values', values: [3500, 76, 1] }, preview: { values: [3500, 76, 1], shape: [3] }, caption: 'your row' }));
    render(<ExplainPanel />);
    expect(screen.getByTestId('pick-shap')).toBeChecked();
    expect(screen.queryByTestId('pick-gradcam')).toBeNull();
    expect(screen.getByTestId('cost-shap')).toHaveTextContent('800'); // 2^3 coalitions × 100 background rows
    fireEvent.click(screen.getByTestId('explain-run'));
    const bars = await screen.findAllByTestId('attribution-bar');
    expect(bars.map((b) => [b.dataset.feature, Number(b.dataset.value)])).toEqual([['weight', -4], ['year', 0.5], ['origin', 0]]);
    expect(screen.getByTestId('attribution-bars')).toHaveTextContent('weight = 3500');
    expect(screen.getByTestId('efficiency')).toHaveTextContent('base value 23.5 + Σ attributions -3.5 = 20; model output 20 (gap 0, exact)');

    let downloaded: { name: string; blob: Blob } | null = null;
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloaded = { name: this.download, blob: (URL.createObjectURL as ReturnType<typeof vi.fn>).mock.calls.at(-1)![0] as Blob };
    });
    fireEvent.click(screen.getByTestId('export-csv-shap'));
    click.mockRestore();
    expect(downloaded!.name).toBe('shap-your-row-target-mpg.csv');
    expect(await downloaded!.blob.text()).toBe('feature,value,attribution\nweight,3500,-4\nyear,76,0.5\norigin,1,0\n(base value),,23.5\n(output),,20\n');

    fireEvent.click(screen.getByTestId('global-run-shap'));
    const chart = await screen.findByTestId('global-chart-shap');
    expect(within(chart).getAllByTestId('global-bar').map((b) => b.dataset.feature)).toEqual(['weight', 'year', 'origin']);
    expect(fake.calls.find((c) => c.name === 'explain.global')!.req).toMatchObject({ runId: 'r1', method: 'shap' });
  });
});

describe('explaining token ids', () => {
  it('offers only the methods that work on token ids and tints each token by its attribution', async () => {
    const text: LoomDocument = {
      ...irisMlp, name: 'text', dataset: { source: 'builtin', name: 'text-sentiment' },
      nodes: [
        { id: 'ids', type: 'Input', params: { shape: [4], dtype: 'int32' } },
        { id: 'emb', type: 'Embedding', params: { inputDim: 50, outputDim: 4 } },
        { id: 'flat', type: 'Flatten', params: {} },
        { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } },
      ],
      edges: [{ from: 'ids', to: 'emb' }, { from: 'emb', to: 'flat' }, { from: 'flat', to: 'out' }],
    };
    addRun(text);
    fake.handlers['explain.run'] = () => ({ method: 'occlusion', target: { index: 1, label: 'positive' }, output: 0.9, baseValue: null, attributions: [0.4, -0.2, 0, 0.1], shape: [4], forwardPasses: 5, elapsedSec: 0.01 });
    act(() => openExplain({ runId: 'r1', input: { kind: 'values', values: [7, 12, 0, 3] }, preview: { values: [7, 12, 0, 3], shape: [4] }, caption: 'your row' }));
    render(<ExplainPanel />);
    expect(screen.getByTestId('pick-occlusion')).toBeChecked();
    expect(['pick-ig', 'pick-gradient', 'pick-smoothgrad', 'pick-gradcam'].map((id) => screen.queryByTestId(id))).toEqual([null, null, null, null]);
    fireEvent.click(screen.getByTestId('explain-run'));
    const strip = await screen.findByTestId('token-strip');
    const tokens = Array.from(strip.querySelectorAll('span'));
    expect(tokens.map((t) => [t.textContent, Number(t.dataset.value)])).toEqual([['7', 0.4], ['12', -0.2], ['0', 0], ['3', 0.1]]);
    expect(tokens[0]!.style.background).toBe('rgba(220, 38, 38, 0.8)');
    expect(tokens[1]!.style.background).toBe('rgba(37, 99, 235, 0.4)');
  });
});
