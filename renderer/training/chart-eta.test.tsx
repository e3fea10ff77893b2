import { render } from '@testing-library/react';
import { reduceRun, type RunView } from '../store/runs';
import { irisMlp } from '../test-fixtures';
import { Chart } from './Chart';

const legend: { idx: number }[] = [];
vi.mock('uplot', () => ({
  default: class {
    cursor: { idx: number | null } = { idx: null };
    data: unknown[][];
    constructor(_opts: unknown, data: unknown[][]) { this.data = data; }
    setData(d: unknown[][]) { this.data = d; }
    setLegend(o: { idx: number }) { legend.push(o); }
    setSize() {}
    destroy() {}
  },
}));

describe('chart legend', () => {
  it('shows the last values when the cursor is not over the chart (after training ends too)', () => {
    legend.length = 0;
    const series = [{ label: 'loss', color: '#000' }];
    const { rerender } = render(<Chart title="Loss" series={series} data={[[1, 2], [0.5, 0.4]]} />);
    expect(legend.at(-1)).toEqual({ idx: 1 });
    rerender(<Chart title="Loss" series={series} data={[[1, 2, 3], [0.5, 0.4, 0.3]]} />);
    expect(legend.at(-1)).toEqual({ idx: 2 });
  });
});

describe('ETA', () => {
  const run: RunView = {
    runId: 'r', label: 'Run 1', createdAt: '', doc: irisMlp, training: { ...irisMlp.training!, epochs: 10 }, status: 'starting',
    batches: { x: [], loss: [], accuracy: [] }, epochs: [],
  };
  const batch = (epoch: number, b: number, elapsedSec: number, etaSec: number) => ({ type: 'batch' as const, runId: 'r', epoch, batch: b, batches: 10, logs: { loss: 1 }, samplesPerSec: 1, etaSec, elapsedSec });

  it('goes by the pace after the warm-up, not the first slow batch', () => {
    // 10 epochs × 10 batches. The first batch took 3 s (loading, compiling); then 10 batches a second.
    let r = reduceRun(run, batch(1, 1, 3, 297));
    expect(r.progress!.etaSec).toBe(0); // no pace yet: not shown
    r = reduceRun(r, batch(1, 6, 3.5, 160));
    expect(r.progress!.etaSec).toBeCloseTo(9.4); // 94 batches left at 10/s (the engine said 160 s)
    r = reduceRun(r, { type: 'epoch', runId: 'r', epoch: 1, epochs: 10, logs: { loss: 1 }, samplesPerSec: 1, etaSec: 200, elapsedSec: 3.9 });
    expect(r.progress!.etaSec).toBeCloseTo(9);
  });
});
