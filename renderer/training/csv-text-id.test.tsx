/**
 * A text id column ("cust-0001", unique per row) suggested by the engine: ignored by default, the
 * note gives the engine's reason, and the person can still make it the target.
 */
import { act, fireEvent, render, screen } from '@testing-library/react';
import { emptyDocument, useEditor } from '../store';
import { CsvColumns, defaultCsvDataset, withRole, type CsvColumn, type CsvInfo } from './CsvColumns';

const columns: CsvColumn[] = [
  { name: 'customer', kind: 'categorical', distinct: 40, empty: 0, examples: ['cust-0000', 'cust-0001'] },
  { name: 'spend', kind: 'numeric', distinct: 40, empty: 0, examples: ['0.0', '1.7'] },
  { name: 'segment', kind: 'categorical', distinct: 4, empty: 0, examples: ['a', 'b'] },
  { name: 'churn', kind: 'categorical', distinct: 2, empty: 0, examples: ['yes', 'no'] },
];
const info: CsvInfo = {
  path: 'customers.csv', rows: 40, columns, suggestedTarget: 'churn',
  suggestedIgnore: ['customer'], suggestedIgnoreReasons: { customer: 'unique per row (an identifier?)' },
};

describe('CSV column roles: a text id column', () => {
  beforeEach(() => act(() => useEditor.getState().loadDocument(emptyDocument())));

  it('starts ignored, with the engine\'s reason', () => {
    const ds = defaultCsvDataset('customers.csv', info);
    expect(ds).toEqual({ source: 'csv', path: 'customers.csv', target: 'churn', features: ['spend', 'segment'] });
    act(() => useEditor.getState().setDataset(ds));
    render(<CsvColumns dataset={ds} info={info} />);
    expect(screen.getByLabelText('role of customer')).toHaveValue('ignore');
    expect(screen.getByTestId('csv-id-note-customer')).toHaveTextContent('“customer” is unique per row (an identifier?): ignored.');
  });

  it('can still be chosen as the target (a genuine high-cardinality target): no note then', () => {
    const chosen = defaultCsvDataset('customers.csv', info, 'customer');
    expect(chosen).toMatchObject({ target: 'customer' });
    const swapped = withRole(defaultCsvDataset('customers.csv', info), columns, 'customer', 'target');
    expect(swapped).toMatchObject({ target: 'customer' });
    if (typeof swapped === 'string') throw new Error(swapped);
    act(() => useEditor.getState().setDataset(swapped));
    render(<CsvColumns dataset={swapped} info={info} />);
    expect(screen.getByLabelText('role of customer')).toHaveValue('target');
    expect(screen.queryByTestId('csv-id-note-customer')).toBeNull();
    // The task follows a text target: classification.
    expect(screen.getByLabelText('task')).toHaveValue('classification');
    fireEvent.change(screen.getByLabelText('role of churn'), { target: { value: 'ignore' } });
    expect(useEditor.getState().doc.dataset).toMatchObject({ target: 'customer', features: ['spend', 'segment'] });
  });
});
