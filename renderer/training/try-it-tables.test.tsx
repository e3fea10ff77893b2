import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { useEditor } from '../store';
import { installFakeApi } from '../test-api';
import { irisMlp } from '../test-fixtures';
import { DataPanel } from './DataPanel';
import { fieldsOf, inputOf } from './FeatureForm';
import { formatValue } from './format';
import { classBars } from './prediction';
import { TryItPanel } from './TryItPanel';

vi.mock('uplot', () => ({ default: class { setData() {} setSize() {} destroy() {} } }));

const f32 = (v: number) => Math.fround(v);
const customers: LoomDocument = {
  ...irisMlp, name: 'customers',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [4] } }, { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } }],
  dataset: { source: 'csv', path: 'customers.csv', target: 'churn' },
};
const names = ['age', 'plan=basic', 'plan=pro', 'income'];
const sample = { index: 0, values: [f32(6.3), 0, 1, f32(1234.56)], shape: [4], label: 1, className: 'yes' };

function addRun(doc: LoomDocument, imported = false) {
  const s = useEditor.getState();
  s.loadDocument(structuredClone(doc));
  if (imported) s.addImportedRun({ runId: 'imp', createdAt: '2026-01-01T00:00:00Z', source: 'pose.keras', doc, training: irisMlp.training! });
  else useEditor.setState({ runs: [{ runId: 'r1', label: 'Run 1', createdAt: '', doc, training: irisMlp.training!, status: 'completed', session: useEditor.getState().docSession, batches: { x: [], loss: [], accuracy: [] }, epochs: [], end: { type: 'end', runId: 'r1', reason: 'completed', epochsCompleted: 1, logs: {}, elapsedSec: 1 } }] });
  useEditor.getState().setCurrentRun(imported ? 'imp' : 'r1');
}

describe('numbers as the person wrote them', () => {
  it('shows the shortest decimal of a float32 value', () => {
    expect(formatValue(f32(6.3))).toBe('6.3');
    expect(formatValue(f32(0.1))).toBe('0.1');
    expect(formatValue(f32(1234.56))).toBe('1234.56');
    expect(formatValue(f32(0.000123))).toBe('0.000123');
    expect(formatValue(3)).toBe('3');
  });

  it('in the Data preview table', async () => {
    installFakeApi({
      'data.files': () => ({ dir: '/p', files: [] }),
      'data.describeCsv': () => ({ rows: 1, delimiter: ',', columns: [] }) as never,
      'data.preview': () => ({ name: 'customers.csv', count: 1, sampleShape: [4], featureNames: names, task: 'classification', classes: ['no', 'yes'], samples: [sample] }) as never,
    });
    useEditor.getState().loadDocument(structuredClone(customers));
    render(<DataPanel />);
    const table = await screen.findByTestId('data-preview');
    expect(table).toHaveTextContent('6.3');
    expect(table).toHaveTextContent('1234.56');
    expect(table).not.toHaveTextContent('6.30000');
  });
});

describe('Try it for tables', () => {
  it('groups a one-hot column into one field of its categories', () => {
    const fields = fieldsOf(4, names, sample.values);
    expect(fields).toEqual([
      { kind: 'number', name: 'age', index: 0 },
      { kind: 'category', name: 'plan', index: 1, categories: ['basic', 'pro'] },
      { kind: 'number', name: 'income', index: 3 },
    ]);
    expect(inputOf(4, fields, { 1: 'basic', 0: '40' }, sample.values)).toEqual([40, 1, 0, f32(1234.56)]);
    // Not one-hot in the data: plain numbers.
    expect(fieldsOf(4, ['a', 'k=1', 'k=2', 'b'], [1, 0.5, 0.5, 2]).map((f) => f.kind)).toEqual(['number', 'number', 'number', 'number']);
  });

  it('a categorical column is one drop-down; numbers show as written; the prediction sends the one-hot input', async () => {
    const fake = installFakeApi({
      'data.preview': () => ({ name: 'customers.csv', featureNames: names, samples: [sample] }) as never,
      'engine.predict': () => ({ outputs: [[0.2, 0.8]], classes: ['no', 'yes'], labels: ['yes'] }),
    });
    addRun(customers);
    render(<TryItPanel />);
    const plan = await screen.findByRole('combobox', { name: 'plan' });
    expect(within(plan).getAllByRole('option').map((o) => o.textContent)).toEqual(['basic', 'pro']);
    expect(plan).toHaveValue('pro'); // the first sample's
    expect(screen.getByTestId('feature-0')).toHaveAttribute('placeholder', '6.3');
    expect(screen.getByTestId('feature-3')).toHaveAttribute('placeholder', '1234.56');
    fireEvent.change(plan, { target: { value: 'basic' } });
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    await waitFor(() => expect(screen.getByTestId('prediction')).toHaveTextContent('Prediction: yes (80.0%)'));
    expect(fake.calls.find((c) => c.name === 'engine.predict')!.req.inputs).toEqual([[f32(6.3), 1, 0, f32(1234.56)]]);
  });
});

describe('Try it on an imported classifier', () => {
  const pose: LoomDocument = { ...customers, name: 'pose', dataset: undefined, nodes: [{ id: 'x', type: 'Input', params: { shape: [3] } }, { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } }] };

  it('shows class bars numbered 0..n−1 when the file names no classes, never a raw vector', async () => {
    installFakeApi({ 'engine.predict': () => ({ outputs: [[0.1, 0.7, 0.2]] }) });
    addRun(pose, true);
    render(<TryItPanel />);
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    await waitFor(() => expect(screen.getByTestId('prediction')).toHaveTextContent('Prediction: 1 (70.0%)'));
    expect([...screen.getByTestId('probabilities').querySelectorAll('.ll-prob-label')].map((e) => e.textContent)).toEqual(['1', '2', '0']);
  });

  it('class names from the run when the engine gives them; a regression stays numbers; one sigmoid is two classes', () => {
    expect(classBars([0.1, 0.9], pose, ['cat', 'dog'])).toMatchObject({ classes: ['cat', 'dog'], label: 'dog' });
    const linear: LoomDocument = { ...pose, nodes: [{ id: 'x', type: 'Input', params: { shape: [3] } }, { id: 'out', type: 'Dense', params: { units: 2 } }] };
    expect(classBars([3.5, -2], linear)).toBeNull();
    const sigmoid: LoomDocument = { ...pose, nodes: [{ id: 'x', type: 'Input', params: { shape: [3] } }, { id: 'out', type: 'Dense', params: { units: 1, activation: 'sigmoid' } }] };
    expect(classBars([0.75], sigmoid)).toMatchObject({ classes: ['0', '1'], probs: [0.25, 0.75], label: '1' });
  });
});
