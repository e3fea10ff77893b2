import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { DatasetConfig, LoomDocument } from '../../shared/document';
import { getApi } from '../platform/api';
import { pickAndUploadData } from '../platform/upload';
import { undo, useEditor } from '../store';
import { columnRoles, guessTask, withOneHot, withRole, type CsvColumn } from './CsvColumns';
import { DataPanel } from './DataPanel';
import { assignXY } from './data-source';
import { installFakeApi, type FakeApi } from '../test-api';

vi.mock('uplot', () => ({ default: class { setData() {} setSize() {} destroy() {} } }));

const doc: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'houses',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [4] } }, { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } }],
  edges: [{ from: 'x', to: 'out' }],
  dataset: { source: 'builtin', name: 'iris' },
};

const columns: CsvColumn[] = [
  { name: 'id', kind: 'numeric', distinct: 40, empty: 0, examples: ['1', '2', '3'] },
  { name: 'rooms', kind: 'numeric', distinct: 5, empty: 0, examples: ['3', '4'] },
  { name: 'town', kind: 'categorical', distinct: 3, empty: 0, examples: ['A', 'B'] },
  { name: 'zip', kind: 'numeric', distinct: 4, empty: 0, examples: ['1000', '2000'] },
  { name: 'sold', kind: 'categorical', distinct: 2, empty: 0, examples: ['yes', 'no'] },
];
const describe_ = { rows: 40, delimiter: ',', columns, suggestedTarget: 'sold' };

/** What the engine's preview would say about the features (one input per numeric feature, one per category of a one-hot one). */
function previewOf(ds: DatasetConfig) {
  if (ds.source !== 'csv') return { name: ds.source, count: 10, sampleShape: [2, 2, 1], task: 'classification' as const, classes: ['a', 'b'] };
  const features = ds.features ?? columns.filter((c) => c.name !== ds.target).map((c) => c.name);
  const names = features.flatMap((f) => {
    const c = columns.find((x) => x.name === f)!;
    return c.kind === 'categorical' || ds.categorical?.includes(f) ? Array.from({ length: c.distinct }, (_, i) => `${f}=${i}`) : [f];
  });
  return { name: 'houses.csv', count: 40, sampleShape: [names.length], featureNames: names, task: ds.task ?? 'classification', classes: ds.task === 'regression' ? undefined : ['no', 'yes'], split: { train: 32, validation: 0, test: 8 } };
}

let fake: FakeApi;
beforeEach(() => {
  useEditor.getState().loadDocument(structuredClone(doc));
  fake = installFakeApi({
    'data.preview': (req) => previewOf(req.dataset) as never,
    'data.files': () => ({ dir: '/p', files: [] }),
    'data.describeCsv': (req) => {
      if (req.path !== 'data/houses.csv') throw new Error(`Cannot read the CSV file ${req.path}`);
      return describe_ as never;
    },
  });
});

describe('Data panel: Choose… (data.pick)', () => {
  it('a picked CSV becomes the dataset with the suggested target; its columns table sets roles, one-hot and task in the document (undoable)', async () => {
    fake.handlers['data.pick'] = () => ({ canceled: false, path: 'data/houses.csv' });
    render(<DataPanel />);
    fireEvent.change(screen.getByLabelText('source'), { target: { value: 'csv' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose CSV file…' }));
    await waitFor(() => expect(useEditor.getState().doc.dataset).toEqual({ source: 'csv', path: 'data/houses.csv', target: 'sold' }));
    expect(fake.calls.find((c) => c.name === 'data.pick')!.req).toEqual({ kind: 'csv' });
    // The list of files beside the model is read again (an upload adds to it); "Use this data" is for typed paths.
    await waitFor(() => expect(fake.calls.filter((c) => c.name === 'data.files').length).toBeGreaterThanOrEqual(2));
    expect(screen.queryByRole('button', { name: 'Use this data' })).toBeNull();
    expect(screen.getByLabelText('CSV file')).toHaveValue('data/houses.csv');
    await screen.findByTestId('csv-columns');
    expect(screen.getByLabelText('role of sold')).toHaveValue('target');
    expect(screen.getByLabelText('one-hot town')).toBeChecked();
    expect(screen.getByLabelText('one-hot town')).toBeDisabled();
    // 4 feature columns: id, rooms, zip, and town one-hot (3) = 6 inputs.
    await waitFor(() => expect(screen.getByTestId('data-summary')).toHaveTextContent('40 samples · sample shape [6] · 6 features · 2 classes'));

    fireEvent.change(screen.getByLabelText('role of id'), { target: { value: 'ignore' } });
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'csv', path: 'data/houses.csv', target: 'sold', features: ['rooms', 'town', 'zip'] });
    fireEvent.click(screen.getByLabelText('one-hot zip'));
    expect(useEditor.getState().doc.dataset).toMatchObject({ features: ['rooms', 'town', 'zip'], categorical: ['zip'] });
    await waitFor(() => expect(screen.getByTestId('data-summary')).toHaveTextContent('sample shape [8] · 8 features · 2 classes'));
    // The Input no longer fits: the panel offers to fix it.
    expect(screen.getByTestId('shape-mismatch')).toHaveTextContent('Set Input shape to [8]');

    // Regression is impossible for a text target; a numeric target can be either.
    expect(screen.getByRole('option', { name: /regression/ })).toBeDisabled();
    fireEvent.change(screen.getByLabelText('role of rooms'), { target: { value: 'target' } });
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'csv', path: 'data/houses.csv', target: 'rooms', features: ['town', 'zip', 'sold'], categorical: ['zip'] });
    fireEvent.change(screen.getByLabelText('task'), { target: { value: 'regression' } });
    expect(useEditor.getState().doc.dataset).toMatchObject({ target: 'rooms', task: 'regression' });
    await waitFor(() => expect(screen.getByTestId('data-summary')).toHaveTextContent('· regression'));

    act(() => undo());
    expect(useEditor.getState().doc.dataset).not.toHaveProperty('task');
    act(() => undo());
    expect(useEditor.getState().doc.dataset).toMatchObject({ target: 'sold', categorical: ['zip'] });
  });

  it('a picked CSV\'s row-number column (the engine\'s suggestedIgnore) is ignored by default, and the person is told', async () => {
    fake.handlers['data.pick'] = () => ({ canceled: false, path: 'data/houses.csv' });
    fake.handlers['data.describeCsv'] = () => ({ ...describe_, suggestedIgnore: ['id'] }) as never;
    render(<DataPanel />);
    fireEvent.change(screen.getByLabelText('source'), { target: { value: 'csv' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose CSV file…' }));
    await waitFor(() => expect(useEditor.getState().doc.dataset).toEqual({ source: 'csv', path: 'data/houses.csv', target: 'sold', features: ['rooms', 'town', 'zip'] }));
    await screen.findByTestId('csv-columns');
    expect(screen.getByLabelText('role of id')).toHaveValue('ignore');
    expect(screen.getByTestId('csv-id-note-id')).toHaveTextContent('“id” looks like a row number or id (whole numbers, every one different): ignored');
    // The person may still use it: then the note asks instead.
    fireEvent.change(screen.getByLabelText('role of id'), { target: { value: 'feature' } });
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'csv', path: 'data/houses.csv', target: 'sold' });
    expect(screen.getByTestId('csv-id-note-id')).toHaveTextContent('set it to ignore?');
  });

  it('refuses to leave no feature column, naming why', async () => {
    act(() => useEditor.getState().setDataset({ source: 'csv', path: 'data/houses.csv', target: 'sold', features: ['rooms'] }));
    render(<DataPanel />);
    await screen.findByTestId('csv-columns');
    fireEvent.change(screen.getByLabelText('role of rooms'), { target: { value: 'ignore' } });
    expect(screen.getByTestId('csv-refusal')).toHaveTextContent('keep at least one feature column besides the target "sold"');
    expect(useEditor.getState().doc.dataset).toMatchObject({ features: ['rooms'] });
  });

  it('when the engine refuses the columns, the table stays so the person can fix them', async () => {
    fake.handlers['data.preview'] = (req) => {
      const ds = req.dataset as { features?: string[] };
      if (!ds.features) throw new Error('houses.csv: the column "id" has 1500 different text values, too many to one-hot encode');
      return previewOf(req.dataset) as never;
    };
    act(() => useEditor.getState().setDataset({ source: 'csv', path: 'data/houses.csv', target: 'sold' }));
    render(<DataPanel />);
    expect(await screen.findByTestId('data-error')).toHaveTextContent('"id" has 1500 different text values');
    fireEvent.change(await screen.findByLabelText('role of id'), { target: { value: 'ignore' } });
    await waitFor(() => expect(screen.queryByTestId('data-error')).toBeNull());
    expect(screen.getByTestId('data-summary')).toHaveTextContent('sample shape [5] · 5 features');
  });

  it('an image folder and a .npy pair picked in one go become the dataset; canceling changes nothing', async () => {
    fake.handlers['data.pick'] = (req) => (req.kind === 'folder' ? { canceled: false, path: 'data/shapes' } : { canceled: false, path: 'data/y_train.npy', paths: ['data/y_train.npy', 'data/x_train.npy'] });
    render(<DataPanel />);
    fireEvent.change(screen.getByLabelText('source'), { target: { value: 'images' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose image folder…' }));
    await waitFor(() => expect(useEditor.getState().doc.dataset).toEqual({ source: 'images', path: 'data/shapes' }));
    fireEvent.change(screen.getByLabelText('source'), { target: { value: 'npy' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose x .npy…' }));
    await waitFor(() => expect(useEditor.getState().doc.dataset).toEqual({ source: 'npy', x: 'data/x_train.npy', y: 'data/y_train.npy' }));
    fake.handlers['data.pick'] = () => ({ canceled: true });
    fireEvent.click(screen.getByRole('button', { name: 'Choose y .npy…' }));
    await waitFor(() => expect(fake.calls.filter((c) => c.name === 'data.pick')).toHaveLength(3));
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'npy', x: 'data/x_train.npy', y: 'data/y_train.npy' });
  });

  it('a picked CSV the engine cannot read is said once, under the file field; the dataset is unchanged', async () => {
    fake.handlers['data.pick'] = () => ({ canceled: false, path: 'data/empty.csv' });
    render(<DataPanel />);
    fireEvent.change(screen.getByLabelText('source'), { target: { value: 'csv' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose CSV file…' }));
    expect(await screen.findByText('Cannot read the CSV file data/empty.csv')).toBeInTheDocument();
    await act(() => new Promise((r) => setTimeout(r, 400))); // the field's debounced (300 ms) check has run too, inside act
    expect(screen.getAllByText(/Cannot read the CSV file data\/empty\.csv/)).toHaveLength(1);
    expect(screen.queryByTestId('pick-error')).toBeNull();
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'builtin', name: 'iris' });
  });

  it('with a bad CSV in use, a second pick that fails keeps the field on the file in use and names the failing one', async () => {
    useEditor.getState().setDataset({ source: 'csv', path: 'data/bad1.csv', target: 'sold' });
    fake.handlers['data.describeCsv'] = (req) => {
      if (req.path === 'data/bad1.csv') return describe_ as never;
      throw new Error('bad2.csv is empty.');
    };
    fake.handlers['data.preview'] = () => {
      throw new Error('bad1.csv line 3, column "rooms": "oops" is not a number (fix the value, or mark the column as categorical).');
    };
    fake.handlers['data.pick'] = () => ({ canceled: false, path: 'data/bad2.csv' });
    render(<DataPanel />);
    expect(screen.getByLabelText('CSV file')).toHaveValue('data/bad1.csv');
    expect(await screen.findByTestId('data-error')).toHaveTextContent('bad1.csv line 3');
    fireEvent.click(screen.getByRole('button', { name: 'Choose CSV file…' }));
    expect(await screen.findByTestId('csv-pick-error')).toHaveTextContent('bad2.csv is empty. (still using data/bad1.csv)');
    await act(() => new Promise((r) => setTimeout(r, 400))); // the field's debounced (300 ms) check has run too, inside act
    expect(screen.getByLabelText('CSV file')).toHaveValue('data/bad1.csv');
    expect(screen.getByTestId('data-error')).toHaveTextContent('bad1.csv line 3');
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'csv', path: 'data/bad1.csv', target: 'sold' });
    // A message that does not name the file gets its name.
    fake.handlers['data.describeCsv'] = (req) => {
      if (req.path === 'data/bad1.csv') return describe_ as never;
      throw new Error('the file is not UTF-8');
    };
    fireEvent.click(screen.getByRole('button', { name: 'Choose CSV file…' }));
    await waitFor(() => expect(screen.getByTestId('csv-pick-error')).toHaveTextContent('data/bad2.csv: the file is not UTF-8 (still using data/bad1.csv)'));
  });

  it('an image folder\'s colour is a choice that applies to the chosen folder at once (undoable)', async () => {
    fake.handlers['data.pick'] = () => ({ canceled: false, path: 'data/shapes' });
    render(<DataPanel />);
    fireEvent.change(screen.getByLabelText('source'), { target: { value: 'images' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose image folder…' }));
    await waitFor(() => expect(useEditor.getState().doc.dataset).toEqual({ source: 'images', path: 'data/shapes' }));
    const color = screen.getByLabelText('color');
    expect(color.tagName).toBe('SELECT'); // a text field took "RGB" and silently dropped it
    expect([...(color as HTMLSelectElement).options].map((o) => o.value)).toEqual(['', 'grayscale', 'rgb']);
    fireEvent.change(color, { target: { value: 'rgb' } });
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'images', path: 'data/shapes', color: 'rgb' });
    fireEvent.change(color, { target: { value: '' } });
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'images', path: 'data/shapes' });
    act(() => undo());
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'images', path: 'data/shapes', color: 'rgb' });
  });

  it('web mode: shows the upload progress, then an error naming the file when the upload fails', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake.handlers['file.upload'] = async (chunk) => {
      await gate;
      if (chunk.name === 'bad.csv') throw new Error('disk full');
      return { path: `data/${chunk.name}`, bytes: 1 };
    };
    // The web-mode picker answers data.pick in the page: here with a file instead of a real dialog.
    fake.handlers['data.pick'] = (req) => pickAndUploadData(req, getApi(), async () => [new File(['a,b\n1,2\n'], 'bad.csv')]);
    render(<DataPanel />);
    fireEvent.change(screen.getByLabelText('source'), { target: { value: 'csv' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose CSV file…' }));
    expect(await screen.findByTestId('upload-progress')).toHaveTextContent('Uploading bad.csv… 0%');
    expect(screen.getByRole('button', { name: 'Choose CSV file…' })).toBeDisabled();
    release();
    expect(await screen.findByTestId('pick-error')).toHaveTextContent('uploading "bad.csv" failed: disk full');
    expect(screen.queryByTestId('upload-progress')).toBeNull();
    expect(useEditor.getState().doc.dataset).toEqual({ source: 'builtin', name: 'iris' });
  });
});

describe('Data panel: augmentation', () => {
  it('warns, without forbidding it, when horizontal flip is on for data the engine says is orientation-sensitive (digits)', async () => {
    useEditor.getState().setDataset({ source: 'builtin', name: 'digits' });
    let sensitive = true;
    fake.handlers['data.preview'] = () => ({ name: 'digits', count: 10, sampleShape: [2, 2, 1], task: 'classification', classes: ['0', '1'], ...(sensitive ? { orientationSensitive: true } : {}) }) as never;
    fake.handlers['data.augmentPreview'] = () => ({ shape: [2, 2, 1], samples: [[0, 1, 2, 3]] });
    const { unmount } = render(<DataPanel />);
    const flip = await screen.findByRole('checkbox', { name: 'horizontal flip' });
    expect(screen.queryByTestId('flip-warning')).toBeNull();
    fireEvent.click(flip);
    expect(useEditor.getState().doc.dataset).toMatchObject({ augmentation: { horizontalFlip: true } });
    expect(screen.getByTestId('flip-warning')).toHaveTextContent('Flipping changes what a digit or letter means');
    expect(screen.getByTestId('flip-warning')).toHaveTextContent('the digits data is orientation-sensitive');
    unmount();
    // Clothing, shapes...: flips are fine, no warning.
    sensitive = false;
    render(<DataPanel />);
    await screen.findByRole('checkbox', { name: 'horizontal flip' });
    expect(screen.getByRole('checkbox', { name: 'horizontal flip' })).toBeChecked();
    expect(screen.queryByTestId('flip-warning')).toBeNull();
  });
});

describe('CSV roles (pure)', () => {
  const ds = { source: 'csv' as const, path: 'h.csv', target: 'sold' };
  it('reads the engine defaults and writes only what differs from them', () => {
    expect(columnRoles(ds, columns).map((c) => `${c.name}:${c.role}${c.oneHot ? '+1h' : ''}`)).toEqual(['id:feature', 'rooms:feature', 'town:feature+1h', 'zip:feature', 'sold:target']);
    const ignored = withRole(ds, columns, 'id', 'ignore');
    expect(ignored).toEqual({ ...ds, features: ['rooms', 'town', 'zip'] });
    expect(withRole(ignored as never, columns, 'id', 'feature')).toEqual(ds);
    expect(withOneHot(ds, columns, 'zip', true)).toEqual({ ...ds, categorical: ['zip'] });
    expect(withOneHot({ ...ds, categorical: ['zip'] }, columns, 'zip', false)).toEqual(ds);
    expect(withRole(ds, columns, 'sold', 'ignore')).toMatch(/another column as the target/);
    // A new target drops the explicit task and its own one-hot flag.
    expect(withRole({ ...ds, task: 'classification', categorical: ['zip'] }, columns, 'zip', 'target')).toEqual({ ...ds, target: 'zip' });
  });

  it('guesses the task as the engine does, and sorts a .npy pair into x and y', () => {
    expect(guessTask(columns[4], 40)).toBe('classification');
    expect(guessTask(columns[1], 40)).toBe('classification');
    expect(guessTask({ name: 'price', kind: 'numeric', distinct: 38, empty: 0, examples: ['1.5'] }, 40)).toBe('regression');
    expect(assignXY(['d/y_train.npy', 'd/x_train.npy'])).toEqual(['d/x_train.npy', 'd/y_train.npy']);
    expect(assignXY(['a.npy', 'labels.npy'])).toEqual(['a.npy', 'labels.npy']);
    expect(assignXY(['a.npy', 'b.npy'])).toEqual(['a.npy', 'b.npy']);
  });
});
