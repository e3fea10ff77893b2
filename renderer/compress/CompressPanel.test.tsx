import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { sampleCompressResult } from '../../shared/compress/test-report';
import type { CompressRunResult } from '../../shared/compress';
import { IpcError } from '../../shared/ipc/rpc';
import { undo, useEditor } from '../store';
import { effectiveTraining } from '../store/training';
import { installFakeApi, type FakeApi } from '../test-api';
import { irisMlpOnIris } from '../test-fixtures';
import { useCompress } from './actions';
import { CompressPanel, sourceRuns } from './CompressPanel';

/** Input [4] → Dense "h" (8 relu) → Dense "out" (3 softmax): "h" can lose channels. */
const mlp: LoomDocument = {
  ...irisMlpOnIris,
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [4] } },
    { id: 'h', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } },
  ],
  edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'out' }],
};

let fake: FakeApi;
let answer: { resolve(r: CompressRunResult): void; reject(e: unknown): void };

function addFinishedRun(runId: string, doc: LoomDocument) {
  const s = useEditor.getState();
  s.addRun({ runId, createdAt: '2026-01-01T00:00:00.000Z', doc, training: effectiveTraining(doc), session: s.docSession });
  s.applyRunEvent({ type: 'end', runId, reason: 'completed', epochsCompleted: 2, logs: { loss: 0.3, accuracy: 0.9 }, elapsedSec: 20 });
}

beforeEach(() => {
  useEditor.setState({ runs: [], currentRunId: null, selectedRuns: [], trainingMessage: null });
  useCompress.setState({ job: null, result: null, error: null });
  useEditor.getState().loadDocument(structuredClone(mlp));
  addFinishedRun('run-1', useEditor.getState().doc);
  fake = installFakeApi({
    'compress.run': () => new Promise<CompressRunResult>((resolve, reject) => { answer = { resolve, reject }; }),
    'engine.cancel': () => ({ ok: true }),
  });
});

const lastRequest = () => fake.calls.filter((c) => c.name === 'compress.run').at(-1)!.req;

describe('Compress tab', () => {
  it('estimates from the document, runs with progress and ETA, then shows the table, chart, flagged class, changed samples, and the new run', async () => {
    render(<CompressPanel />);
    // 8·4+8 + 3·8+3 = 67 parameters: 268 B float. int8: h 32 + 4·8 (kernel, scales) + 8·4 + 4·8 (int32 bias, scales) = 128, out 24 + 12 + 12 + 12 = 60.
    expect(screen.getByTestId('compress-estimate')).toHaveTextContent('Weights 268 B → 188 B (1.43x smaller)');
    expect(screen.getByTestId('compress-estimate')).toHaveTextContent('No training: calibration, then the test split measured twice.');
    fireEvent.change(screen.getByLabelText('Calibration samples'), { target: { value: '200' } });
    fireEvent.click(screen.getByTestId('compress-run'));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'compress.run')).toBe(true));
    const req = lastRequest();
    expect(req).toMatchObject({ runId: 'run-1', method: 'int8', calibration: { samples: 200, method: 'minmax', activationDtype: 'uint8' } });
    expect(req.jobId).toMatch(/^job-/);
    expect(screen.getByTestId('compress-run')).toBeDisabled();

    act(() => fake.emit('job.progress', { jobId: req.jobId, done: 300, total: 1000, etaSec: 12, message: 'Calibrating activation ranges' }));
    act(() => fake.emit('job.progress', { jobId: 'someone-else', done: 1, total: 2 }));
    expect(screen.getByTestId('compress-progress-text')).toHaveTextContent('Calibrating activation ranges · 30 % · ETA 0:12');

    const result = sampleCompressResult();
    await act(async () => answer.resolve(result));
    expect(screen.queryByTestId('compress-progress')).toBeNull();
    const table = screen.getByTestId('compress-table');
    expect(within(table).getByTestId('row-accuracy')).toHaveTextContent('Test accuracy90.00 %85.00 %−5.00 pt');
    expect(within(table).getByTestId('row-bytes')).toHaveTextContent('3.9 KB1.0 KB3.88x smaller');
    expect(within(table).getByTestId('row-latency')).toHaveTextContent('not measured');
    expect(screen.getByTestId('bar-Weights').getAttribute('width')).toBe(String((1030 / 4000) * 180));
    expect(screen.getAllByTestId('class-flagged').map((r) => r.textContent)).toEqual(['⚠ c90.0 %60.0 %−30.00 pt10']);
    expect(screen.getByTestId('class-warning')).toHaveTextContent('Class "c" lost 30.0 points');
    const changed = screen.getAllByTestId('changed-sample');
    expect(changed.map((c) => c.textContent)).toEqual(['#7 · b: b → a', '#12 · c: c → a']);
    // Sample 7 came with its image; 12 did not.
    expect(changed[0]!.querySelector('canvas')).not.toBeNull();
    expect(changed[1]!.querySelector('canvas')).toBeNull();

    const added = useEditor.getState().runs.find((r) => r.runId === result.run.runId)!;
    expect(added).toMatchObject({ compressed: { method: 'int8', fromRunId: 'run-1' }, status: 'completed', end: { logs: { accuracy: 0.85, loss: 0.2 } } });
    expect(added.label).toBe('Run 1 · int8');
    // A quantized run is not offered as a source again.
    expect(sourceRuns(useEditor.getState().runs).map((r) => r.runId)).toEqual(['run-1']);
    fireEvent.click(screen.getByTestId('open-evaluate'));
    expect(useEditor.getState()).toMatchObject({ bottomTab: 'evaluate', currentRunId: result.run.runId });
    // The source stays the trained run (the quantized one is shown elsewhere, not compressed again).
    expect(screen.getByLabelText('Run to compress')).toHaveValue('run-1');
    fireEvent.click(screen.getByTestId('open-export'));
    expect(useEditor.getState().dialog).toBe('export');
  });

  it('Cancel sends engine.cancel for the job; the canceled job says nothing was written', async () => {
    render(<CompressPanel />);
    fireEvent.change(screen.getByLabelText('Method'), { target: { value: 'prune' } });
    expect(screen.getByTestId('compress-estimate')).toHaveTextContent('Fine-tuning 1 epoch: about 0:10 at the source run\'s pace');
    fireEvent.click(screen.getByTestId('compress-run'));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'compress.run')).toBe(true));
    expect(lastRequest()).toMatchObject({ method: 'prune', sparsity: 0.5, finetuneEpochs: 1, scope: 'layer' });
    fireEvent.click(screen.getByTestId('compress-cancel'));
    await waitFor(() => expect(fake.calls.find((c) => c.name === 'engine.cancel')?.req).toEqual({ jobId: lastRequest().jobId }));
    expect(screen.getByTestId('compress-progress-text')).toHaveTextContent('Canceling…');
    await act(async () => answer.reject(new IpcError('canceled', 'compress.run was canceled')));
    expect(screen.getByTestId('compress-error')).toHaveTextContent('Compression canceled: nothing was written.');
    expect(screen.getByTestId('compress-run')).not.toBeDisabled();
    expect(useEditor.getState().runs).toHaveLength(1);
  });

  it('channel pruning: the estimate names the new widths; "Use the smaller model" is one undoable edit, then Export is offered', async () => {
    render(<CompressPanel />);
    fireEvent.change(screen.getByLabelText('Method'), { target: { value: 'prune-channels' } });
    expect(screen.getByTestId('estimate-channels')).toHaveTextContent('h 8→4');
    expect(screen.getByTestId('estimate-channels')).toHaveTextContent('kept whole: out (it is a model output)');
    fireEvent.click(screen.getByTestId('compress-run'));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'compress.run')).toBe(true));
    const smaller = { ...mlp, nodes: mlp.nodes.map((n) => (n.id === 'h' ? { ...n, params: { ...n.params, units: 4 } } : n)) };
    const base = sampleCompressResult();
    await act(async () => answer.resolve({ ...base, report: { ...base.report, method: 'prune-channels', document: smaller, perClass: [], warnings: [] } }));

    expect(screen.getByTestId('open-export')).toBeDisabled();
    const original = useEditor.getState().doc;
    fireEvent.click(screen.getByTestId('use-smaller'));
    expect(useEditor.getState().doc.nodes.find((n) => n.id === 'h')!.params.units).toBe(4);
    expect(useEditor.getState().doc.layout).toEqual(original.layout);
    expect(screen.getByTestId('use-smaller')).toBeDisabled();
    expect(screen.getByTestId('open-export')).not.toBeDisabled();
    act(() => undo());
    expect(useEditor.getState().doc.nodes.find((n) => n.id === 'h')!.params.units).toBe(8);
    expect(screen.getByTestId('use-smaller')).not.toBeDisabled();

    // A canvas edited since the source run was trained is not overwritten.
    act(() => useEditor.getState().updateDocument((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === 'out' ? { ...n, params: { ...n.params, activation: 'sigmoid' } } : n)) })));
    expect(screen.getByTestId('use-smaller')).toBeDisabled();
    expect(screen.getByTestId('use-smaller').title).toMatch(/^The canvas changed since the source run was trained \(Dense "out" has activation/);
  });
});
