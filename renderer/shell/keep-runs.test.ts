/**
 * The save path takes the document's runs along (`runs.persist`): the first save of an untitled model
 * keeps the runs trained for it (a run still training once it ends, a failed one never), a Save As
 * copy of a saved model carries its run folders, and a failure is reported with the run kept.
 */
import { act, waitFor } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { setPlatform } from '../services/platform';
import { useEditor } from '../store';
import { installFakeApi, type FakeApi } from '../test-api';
import { saveAs } from './commands';

const doc: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'untitled',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [4] } }, { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } }],
  edges: [{ from: 'x', to: 'out' }],
  dataset: { source: 'builtin', name: 'iris' },
};
const evaluation = { runId: 'x', samples: 15, logs: { loss: 0.2, accuracy: 0.9 }, classes: ['a', 'b', 'c'], confusion: [[5, 0, 0], [0, 4, 1], [0, 0, 5]] };
const state = () => useEditor.getState();
const end = (runId: string) => ({ type: 'end' as const, runId, reason: 'completed' as const, epochsCompleted: 1, logs: { loss: 1 }, elapsedSec: 1 });

let fake: FakeApi;
let persistAnswer: (req: { runIds: string[] }) => { saved: string[]; failed: { runId: string; message: string }[] };
beforeEach(() => {
  setPlatform(null);
  persistAnswer = (req) => ({ saved: req.runIds, failed: [] });
  useEditor.setState({ runs: [], currentRunId: null, selectedRuns: [] });
  state().loadDocument(structuredClone(doc));
  fake = installFakeApi({
    'app.info': () => ({ mode: 'web', version: '0', platform: 'linux', projectDir: '/p' }),
    'engine.train': (req) => ({ runId: req.runId! }),
    'file.saveAs': (req) => ({ canceled: false, path: req.path!, name: req.path! }),
    'runs.persist': (req) => persistAnswer(req),
  });
});
afterEach(() => setPlatform(null));

const persisted = () => fake.calls.filter((c) => c.name === 'runs.persist').map((c) => c.req);

async function train(): Promise<string> {
  return (await act(() => state().train()))!;
}

describe('runs go with the file on Save As', () => {
  it('first save: finished runs of the untitled model are kept; one still training once it ends; a failed one never', async () => {
    const a = await train();
    act(() => fake.emit('train.event', end(a)));
    act(() => state().patchRun(a, { evaluation }));
    const failed = await train();
    act(() => fake.emit('train.event', { type: 'error', runId: failed, code: 'data', message: 'bad data' }));
    const running = await train();
    expect(await act(() => saveAs('iris.loom'))).toBe(true);
    await waitFor(() => expect(persisted()).toEqual([{ runIds: [a], docPath: 'iris.loom', evaluations: { [a]: evaluation } }]));
    await waitFor(() => expect(state().runs.find((r) => r.runId === a)).toMatchObject({ docPath: 'iris.loom', unsavedOf: undefined }));
    // The run that was training is written when it ends.
    act(() => fake.emit('train.event', end(running)));
    await waitFor(() => expect(persisted()[1]).toEqual({ runIds: [running], docPath: 'iris.loom' }));
    // Reopened later, the evaluation kept in run.json is shown again.
    act(() => useEditor.setState({ runs: [] }));
    act(() => state().mergeDiskRuns([{ runId: a, createdAt: '2026-11-23T05:00:00Z', doc, training: { epochs: 1 } as never, history: [{ loss: 1 }], logs: { loss: 1 }, evaluation }], 'iris.loom'));
    expect(state().runs[0]!.evaluation).toEqual(evaluation);
    // Saving again to the same file asks nothing more.
    expect(await act(() => saveAs('iris.loom'))).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(persisted()).toHaveLength(2);
  });

  it('Save As of a saved model carries its runs (fromPath); runs of another document stay out', async () => {
    const other = await train(); // trained for the untitled document that is replaced below
    act(() => fake.emit('train.event', end(other)));
    state().loadDocument(structuredClone({ ...doc, name: 'm' }), 'm.loom');
    const mine = await train();
    act(() => fake.emit('train.event', end(mine)));
    expect(await act(() => saveAs('copy.loom'))).toBe(true);
    await waitFor(() => expect(persisted()).toEqual([{ runIds: [mine], docPath: 'copy.loom', fromPath: 'm.loom' }]));
  });

  it('a run that cannot be kept stays in the session and the person is told', async () => {
    persistAnswer = (req) => ({ saved: [], failed: req.runIds.map((runId) => ({ runId, message: 'disk full' })) });
    const a = await train();
    act(() => fake.emit('train.event', end(a)));
    expect(await act(() => saveAs('iris.loom'))).toBe(true);
    await waitFor(() => expect(state().notice).toEqual({ text: 'Run 1 could not be kept beside iris.loom (it stays in this session): disk full', kind: 'error' }));
    expect(state().runs.find((r) => r.runId === a)!.unsavedOf).toBeDefined();
  });
});
