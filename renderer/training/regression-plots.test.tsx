/**
 * The Evaluate tab's regression plots have labelled axes: the data's min and max at the ends, a few
 * nice values between, and axis titles.
 */
import { render, screen, within } from '@testing-library/react';
import { axisTicks, formatTick, RegressionPlots } from './EvaluatePanel';

const labels = (id: string) => within(screen.getByTestId(id)).getAllByText(/./).map((e) => e.textContent);

describe('regression plot axes', () => {
  it('axisTicks: both ends of the data range plus nice values between, none crowding an end', () => {
    expect(axisTicks(10.1, 48)).toEqual([10.1, 20, 30, 40, 48]);
    expect(axisTicks(0, 1)).toEqual([0, 0.5, 1]);
    // 0.3 would sit under the 0.31 label: dropped.
    expect(axisTicks(-0.31, 0.97)).toEqual([-0.31, 0, 0.5, 0.97]);
    expect(axisTicks(5, 5)).toEqual([5]);
    expect(axisTicks(1.2, 3.9).map(formatTick)).toEqual(['1.2', '2', '3', '3.9']);
  });

  it('formatTick keeps labels short', () => {
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
    expect(formatTick(123456)).toBe('123k');
    expect(formatTick(2_500_000)).toBe('2.5M');
    expect(formatTick(-46.2871)).toBe('-46.3');
    expect(formatTick(0.00012)).toBe('1.2e-4');
    expect(formatTick(0)).toBe('0');
  });

  it('the scatters show the data range in their ticks, and axis titles', () => {
    const actual = [12.5, 20, 31.2, 46.3, 25];
    const predicted = [10.1, 22.4, 30, 48, 24];
    render(<RegressionPlots predicted={predicted} actual={actual} />);
    // Predicted vs true: one range over both (10.1 … 48) on both axes.
    expect(labels('scatter-predicted-x-ticks')).toEqual(['10.1', '20', '30', '40', '48']);
    expect(labels('scatter-predicted-y-ticks')).toEqual(['10.1', '20', '30', '40', '48']);
    // Residuals vs true: x the true values (12.5 … 46.3), y the residuals (-2.4 … 2.4, with 0).
    expect(labels('scatter-residuals-x-ticks')).toEqual(['12.5', '20', '30', '40', '46.3']);
    expect(labels('scatter-residuals-y-ticks')).toEqual(['-2.4', '0', '2.4']);
    const scatter = screen.getByRole('img', { name: 'Predicted versus true values' });
    expect(within(scatter).getByText('true value')).toBeInTheDocument();
    expect(within(scatter).getByText('predicted')).toBeInTheDocument();
    expect(within(screen.getByRole('img', { name: 'Residuals' })).getByText('residual (predicted − true)')).toBeInTheDocument();
    expect(screen.getByText('MAE 1.74')).toBeInTheDocument();
    // Every sample is drawn.
    expect(scatter.querySelectorAll('circle')).toHaveLength(5);
  });

  it('non-finite predictions are left out; none at all says so', () => {
    const { unmount } = render(<RegressionPlots predicted={[1, NaN, 3]} actual={[1, 2, 4]} />);
    expect(screen.getByRole('img', { name: 'Predicted versus true values' }).querySelectorAll('circle')).toHaveLength(2);
    expect(labels('scatter-predicted-x-ticks')).toEqual(['1', '2', '3', '4']);
    unmount();
    render(<RegressionPlots predicted={[NaN]} actual={[1]} />);
    expect(screen.getByTestId('regression')).toHaveTextContent('No finite predictions to plot.');
  });
});
