/**
 * A line chart on uPlot. `data` is uPlot's aligned data ([x, ...series]); null values are gaps,
 * bridged with `spanGaps` so per-epoch points join up across the per-batch x positions.
 * The chart is created once per series layout and updated with `setData` as data streams in.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEditor } from '../store';

export interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
  /** Draw point markers (per-epoch series). */
  points?: boolean;
  width?: number;
}

export interface ChartProps {
  title: string;
  xLabel?: string;
  series: ChartSeries[];
  data: (number | null)[][];
  height?: number;
  testId?: string;
}

/**
 * The legend shows the values under the cursor, and the last ones when the cursor is elsewhere
 * (uPlot's own legend went blank, "--", once training ended and the pointer left the chart).
 */
export function showLastValues(u: Partial<Pick<uPlot, 'cursor' | 'data' | 'setLegend'>>): void {
  // Partial: the stand-ins of component tests have only what their test needs.
  const n = u.data?.[0]?.length ?? 0;
  if (n > 0 && (u.cursor?.idx === null || u.cursor?.idx === undefined)) u.setLegend?.({ idx: n - 1 });
}

export function Chart({ title, xLabel = 'epoch', series, data, height = 180, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // Axis and grid colours follow the theme (the chart is re-created when it changes).
  const theme = useEditor((s) => s.theme);
  const layout = JSON.stringify(series) + title + xLabel + height + theme;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let u: uPlot;
    const css = typeof getComputedStyle === 'function' ? getComputedStyle(el) : null;
    const text = css?.getPropertyValue('--text').trim() || '#1d2330';
    const grid = css?.getPropertyValue('--border').trim() || '#dde1e7';
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    try {
      u = new uPlot(
        {
          title,
          width: Math.max(200, el.clientWidth || 400),
          height,
          scales: { x: { time: false } },
          axes: [{ ...axis, label: xLabel, size: 36, labelSize: 16 }, { ...axis, size: 56 }],
          legend: { live: true },
          hooks: { setCursor: [showLastValues] },
          series: [
            { label: xLabel },
            ...series.map((s) => ({
              label: s.label, stroke: s.color, width: s.width ?? 1.5, spanGaps: true,
              ...(s.dash ? { dash: s.dash } : {}),
              points: { show: !!s.points, size: 6 },
            })),
          ],
        },
        data as uPlot.AlignedData,
        el,
      );
    } catch {
      return; // no canvas (tests without one): the legend-less box stays
    }
    plot.current = u;
    showLastValues(u);
    const ro = typeof ResizeObserver !== 'undefined'
      ? new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }))
      : null;
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [layout]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(data as uPlot.AlignedData);
    showLastValues(u);
  }, [data]);

  const points = data.slice(1).reduce((n, col) => n + col.filter((v) => v !== null && Number.isFinite(v)).length, 0);
  return <div className="ll-chart" ref={box} data-testid={testId} data-points={points} aria-label={title} role="img" />;
}

/**
 * Merge per-batch points (x in fractional epochs) and per-epoch points (x = epoch) into uPlot's
 * aligned form: [x, ...batchSeries, ...epochSeries], nulls where a series has no value.
 */
export function alignSeries(batchX: number[], batchCols: (number | null)[][], epochCols: (number | null)[][]): (number | null)[][] {
  const epochs = Math.max(0, ...epochCols.map((c) => c.length));
  const xs = new Set<number>(batchX);
  for (let e = 1; e <= epochs; e++) xs.add(e);
  const x = [...xs].sort((a, b) => a - b);
  const at = new Map(x.map((v, i) => [v, i]));
  const cols: (number | null)[][] = [x];
  for (const col of batchCols) {
    const out = new Array<number | null>(x.length).fill(null);
    batchX.forEach((bx, i) => {
      const v = col[i];
      out[at.get(bx)!] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
    });
    cols.push(out);
  }
  for (const col of epochCols) {
    const out = new Array<number | null>(x.length).fill(null);
    col.forEach((v, i) => {
      out[at.get(i + 1)!] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
    });
    cols.push(out);
  }
  return cols;
}
