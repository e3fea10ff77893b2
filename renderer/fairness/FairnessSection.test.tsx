/**
 * Evaluate › Fairness against a fake engine whose answers are real reports (shared/fairness on
 * made-up predictions): the attributes offered, the audit request and its progress, table, chart,
 * warnings, reweighing as a new run, thresholds as labelled post-processing, comparing two runs.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { auditGroups, classGrouping, defineAttribute, groupBy, type FairnessReport, type ThresholdRule } from '../../shared/fairness';
import { useEditor } from '../store';
import type { RunView } from '../store/runs';
import { installFakeApi, type FakeApi } from '../test-api';
import { FairnessSection } from './FairnessSection';
import { overallAccuracy, useFairness } from './fairness-logic';
import { ThresholdDecision } from './ThresholdDecision';

const doc: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'hiring',
  nodes: [{ id: 'in', type: 'Input', params: { shape: [2] } }, { id: 'p', type: 'Dense', params: { units: 1, activation: 'sigmoid' } }],
  edges: [{ from: 'in', to: 'p' }],
  training: { optimizer: 'adam', learningRate: 0.05, momentum: 0, nesterov: false, loss: 'binaryCrossentropy', metrics: ['accuracy'], batchSize: 64, epochs: 2, validationSplit: 0.25, shuffle: true },
  dataset: { source: 'csv', path: 'hiring.csv', target: 'hired', features: ['score', 'zip'], task: 'classification' },
};

/** A real report: 60 A (selected 30) and 12 B (selected 3: a small group with a large gap). */
function report(selectedB: number): FairnessReport {
  const groups = [...Array<string>(60).fill('A'), ...Array<string>(12).fill('B')];
  const yTrue = groups.map((_, i) => i % 2);
  const yPred = groups.map((g, i) => (g === 'A' ? i % 2 : Number(i - 60 < selectedB)));
  return auditGroups({ task: 'classification', classes: ['0', '1'], yTrue, yPred }, groupBy(defineAttribute('group', groups), groups),
    { bootstrap: { samples: 50, seed: 0, stratified: false }, minSupport: 30, split: 'test' });
}

const rule: ThresholdRule = {
  grouping: [{ kind: 'categorical', column: 'group' }], positiveClass: '1', objective: 'demographicParity', tolerance: 0.05,
  thresholds: [{ group: 'A', threshold: 0.55 }, { group: 'B', threshold: 0.3 }], fallbackThreshold: 0.5,
  validation: { samples: 60, before: { accuracy: 0.8, difference: 0.2 }, after: { accuracy: 0.78, difference: 0.03 } },
};

function finishedRun(runId: string, label: string, extra: Partial<RunView> = {}): RunView {
  return {
    runId, label, createdAt: '2024-01-01T00:00:00Z', doc, training: { ...doc.training! } as RunView['training'], status: 'completed',
    batches: { x: [], loss: [], accuracy: [] }, epochs: [], session: useEditor.getState().docSession,
    end: { type: 'end', runId, reason: 'completed', epochsCompleted: 2, logs: { loss: 0.4 }, elapsedSec: 1 }, ...extra,
  };
}

let fake: FakeApi;
beforeEach(() => {
  useEditor.getState().loadDocument(structuredClone(doc));
  useEditor.setState({ runs: [finishedRun('run-1', 'Run 1')], currentRunId: 'run-1', trainingMessage: null });
  useFairness.setState({ attrs: [], reports: {}, rules: {}, compareWith: null });
  fake = installFakeApi({
    'data.describeCsv': () => ({ rows: 72, columns: ['group', 'score', 'zip', 'hired'].map((name) => ({ name, kind: 'numeric', distinct: 2, empty: 0, examples: ['1'] })), suggestedTarget: 'hired' }),
    'fairness.audit': (req) => (req.runId === 'run-1' ? (req.thresholds ? report(6) : report(3)) : report(5)),
    'fairness.thresholds': () => rule,
    'engine.train': (req) => ({ runId: req.runId! }),
  });
});

const runOf = (id: string) => useEditor.getState().runs.find((r) => r.runId === id)!;

async function auditByGroup() {
  const pick = await screen.findByTestId('fairness-attribute');
  await waitFor(() => expect(within(pick).getAllByRole('option').map((o) => o.textContent)).toEqual(['choose…', 'group', 'score', 'zip', 'the true class']));
  fireEvent.change(pick, { target: { value: 'group' } });
  fireEvent.click(screen.getByTestId('fairness-audit'));
  await screen.findByTestId('fairness-table');
}

describe('Evaluate › Fairness', () => {
  it('audits by a kept-aside column: request, table with intervals, chart with whiskers, small-group and gap warnings', async () => {
    render(<FairnessSection run={runOf('run-1')} />);
    await auditByGroup();
    const req = fake.calls.find((c) => c.name === 'fairness.audit')!.req;
    expect(req).toMatchObject({ runId: 'run-1', sensitive: [{ kind: 'column', column: 'group' }], bootstrap: { samples: 1000 } });
    expect(req.jobId).toMatch(/^job-/);
    const rows = screen.getAllByTestId('fairness-row');
    expect(rows.map((r) => r.querySelector('th')!.textContent)).toEqual(['A', 'B']);
    expect(rows[1]).toHaveTextContent('12 small');
    const expected = report(3);
    // Values and intervals as the report has them (selection rate of B = 3/12).
    expect(rows[1]).toHaveTextContent(`0.250 [${expected.groups[1]!.ci.selectionRate![0].toFixed(3)}, ${expected.groups[1]!.ci.selectionRate![1].toFixed(3)}]`);
    expect(screen.getAllByTestId('fairness-bar')).toHaveLength(2);
    expect(screen.getAllByTestId('fairness-whisker').length).toBeGreaterThan(0);
    expect(screen.getByTestId('summary-demographicParityDifference')).toHaveTextContent('0.250');
    const warnings = screen.getByTestId('fairness-warnings');
    expect(warnings).toHaveTextContent(/B/);
    expect(warnings).toHaveTextContent(/percentage points/);
    // The chart follows the chosen metric.
    fireEvent.change(screen.getByTestId('fairness-metric'), { target: { value: 'accuracy' } });
    expect(screen.getByTestId('fairness-chart')).toHaveAttribute('aria-label', 'accuracy per group with 95 % intervals');
  });

  it('shows the job\'s progress while auditing and cancels it by its id', async () => {
    let answer: (r: FairnessReport) => void = () => {};
    fake.handlers['fairness.audit'] = () => new Promise<FairnessReport>((r) => { answer = r; });
    fake.handlers['engine.cancel'] = () => ({ ok: true });
    render(<FairnessSection run={runOf('run-1')} />);
    fireEvent.change(await screen.findByTestId('fairness-attribute'), { target: { value: 'group' } });
    await waitFor(() => expect(screen.getByTestId('fairness-audit')).toBeEnabled());
    fireEvent.click(screen.getByTestId('fairness-audit'));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'fairness.audit')).toBe(true));
    const jobId = fake.calls.find((c) => c.name === 'fairness.audit')!.req.jobId;
    act(() => fake.emit('job.progress', { jobId, done: 300, total: 1000, message: 'Bootstrap resamples', etaSec: 2 }));
    expect(screen.getByTestId('fairness-progress')).toHaveTextContent('Bootstrap resamples… 300/1000 (about 2 s left)');
    fireEvent.click(within(screen.getByTestId('fairness-progress')).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(fake.calls.find((c) => c.name === 'engine.cancel')?.req).toEqual({ jobId }));
    await act(async () => answer(report(3)));
    await screen.findByTestId('fairness-table');
  });

  it('reweighing trains a new run of the audited model with the option, then compares the two runs', async () => {
    const { rerender } = render(<FairnessSection run={runOf('run-1')} />);
    await auditByGroup();
    fireEvent.click(screen.getByTestId('fairness-reweigh'));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'engine.train')).toBe(true));
    const train = fake.calls.find((c) => c.name === 'engine.train')!.req;
    expect(train.overrides).toEqual({ reweighing: { sensitive: [{ kind: 'column', column: 'group' }] } });
    expect(train.doc.nodes).toEqual(doc.nodes);
    const id = useEditor.getState().currentRunId!;
    expect(id).not.toBe('run-1');
    expect(runOf(id).training.reweighing).toEqual({ sensitive: [{ kind: 'column', column: 'group' }] });
    // The new run ends; its audit is compared with Run 1's (kept from before).
    act(() => useEditor.getState().patchRun(id, { status: 'completed', label: 'Run 2', end: { type: 'end', runId: id, reason: 'completed', epochsCompleted: 2, logs: { loss: 0.4 }, elapsedSec: 1 } }));
    rerender(<FairnessSection run={runOf(id)} />);
    expect(screen.getByTestId('fairness-reweighed')).toHaveTextContent('This run trained with reweighing by group.');
    fireEvent.click(screen.getByTestId('fairness-audit'));
    const rows = await screen.findAllByTestId('fairness-compare-row');
    expect(rows.map((r) => r.querySelector('th')!.textContent)).toEqual(['● Run 1', '● Run 2 (reweighed by group)']);
    expect(rows[0]).toHaveTextContent('0.250'); // Run 1's gap
    expect(rows[1]).toHaveTextContent(report(5).summary.demographicParityDifference!.toFixed(3));
    expect(rows[1]).toHaveTextContent(overallAccuracy(report(5))!.toFixed(3));
    expect(screen.getAllByTestId('fairness-compare-point')).toHaveLength(2);
    expect(screen.getByTestId('fairness-compare-with')).toHaveValue('run-1');
  });

  it('group thresholds: fitted on the validation split, audited as post-processing, labelled as not applied to predictions', async () => {
    render(<FairnessSection run={runOf('run-1')} />);
    await auditByGroup();
    fireEvent.change(screen.getByTestId('fairness-objective'), { target: { value: 'equalizedOdds' } });
    fireEvent.click(screen.getByTestId('fairness-thresholds'));
    const shown = await screen.findByTestId('fairness-rule');
    expect(fake.calls.find((c) => c.name === 'fairness.thresholds')!.req).toMatchObject({ objective: 'equalizedOdds', sensitive: [{ kind: 'column', column: 'group' }] });
    expect(fake.calls.filter((c) => c.name === 'fairness.audit').at(-1)!.req.thresholds).toEqual(rule);
    expect(shown).toHaveTextContent('A > 0.55, B > 0.30');
    expect(shown).toHaveTextContent("applied in Try it (where you choose the group) for this session; Evaluate's figures and the exports still predict with 0.5 for everyone");
    const rows = await screen.findAllByTestId('fairness-compare-row');
    expect(rows.map((r) => r.querySelector('th')!.textContent)).toEqual(['● Run 1', '● Run 1 + group thresholds']);
  });

  it('Try it applies the fitted rule to the group the person chooses (post-processing of that run only)', () => {
    useFairness.setState({ rules: { 'run-1|group': rule } });
    const { unmount } = render(<ThresholdDecision runId="run-1" classes={['0', '1']} probs={[0.5, 0.5]} />);
    expect(screen.getByTestId('tryit-threshold-decision')).toHaveTextContent('0'); // A: 0.5 ≤ 0.55
    expect(screen.getByTestId('tryit-thresholds')).toHaveTextContent('P(1) 0.500 ≤ 0.55');
    fireEvent.change(screen.getByTestId('tryit-threshold-group'), { target: { value: 'B' } });
    expect(screen.getByTestId('tryit-threshold-decision')).toHaveTextContent('1'); // B: 0.5 > 0.30
    unmount();
    render(<ThresholdDecision runId="run-2" classes={['0', '1']} probs={[0.5, 0.5]} />);
    expect(screen.queryByTestId('tryit-thresholds')).toBeNull(); // another run: no rule
  });

  it('by the true class: no reweighing (it would only rebalance the classes) and no thresholds', async () => {
    const yTrue = Array.from({ length: 80 }, (_, i) => i % 2);
    fake.handlers['fairness.audit'] = () => auditGroups({ task: 'classification', classes: ['0', '1'], yTrue, yPred: yTrue }, classGrouping(yTrue, ['0', '1']),
      { bootstrap: { samples: 20, seed: 0, stratified: false }, minSupport: 30, split: 'test' });
    render(<FairnessSection run={runOf('run-1')} />);
    fireEvent.change(await screen.findByTestId('fairness-attribute'), { target: { value: '(class)' } });
    fireEvent.click(screen.getByTestId('fairness-audit'));
    await screen.findByTestId('fairness-table');
    expect(fake.calls.find((c) => c.name === 'fairness.audit')!.req.sensitive).toEqual([{ kind: 'class' }]);
    expect(screen.queryByTestId('fairness-reweigh')).toBeNull();
    expect(screen.queryByTestId('fairness-thresholds')).toBeNull();
  });

  it('offers a built-in table\'s columns without reading a file, and only the class for images', async () => {
    const arrests = finishedRun('run-a', 'Run A', { doc: { ...doc, dataset: { source: 'builtin', name: 'arrests' } } });
    const { unmount } = render(<FairnessSection run={arrests} />);
    const pick = await screen.findByTestId('fairness-attribute');
    await waitFor(() => expect(within(pick).getAllByRole('option').map((o) => o.textContent)).toContain('colour'));
    expect(fake.calls.some((c) => c.name === 'data.describeCsv')).toBe(false);
    unmount();
    render(<FairnessSection run={finishedRun('run-i', 'Run I', { doc: { ...doc, dataset: { source: 'images', path: 'photos' } } })} />);
    expect(within(await screen.findByTestId('fairness-attribute')).getAllByRole('option').map((o) => o.textContent)).toEqual(['choose…', 'the true class']);
    expect(screen.getByText(/need a metadata CSV/)).toBeInTheDocument();
  });
});
