/** The Data tab's preview of the first samples: an image grid with labels, or a table of features. */
import { formatValue, isImageShape } from './format';
import { SampleImage } from './SampleImage';
import type { DataSummary } from './DataPanel';

export function SamplePreview({ summary }: { summary: DataSummary }) {
  const samples = summary.samples ?? [];
  if (!samples.length) return null;
  const shape = samples[0]!.shape;
  if (isImageShape(shape)) {
    return (
      <div className="ll-sample-grid" data-testid="data-preview">
        {samples.map((s) => (
          <figure key={s.index}>
            <SampleImage values={s.values} shape={s.shape} size={44} />
            <figcaption>{s.className ?? (Array.isArray(s.label) ? s.label.join(', ') : s.label)}</figcaption>
          </figure>
        ))}
      </div>
    );
  }
  const names = summary.featureNames ?? Array.from({ length: Math.min(12, samples[0]!.values.length) }, (_, i) => `x${i + 1}`);
  return (
    <table className="ll-table" data-testid="data-preview">
      <thead><tr>{names.slice(0, 12).map((n) => <th key={n}>{n}</th>)}<th>target</th></tr></thead>
      <tbody>
        {samples.slice(0, 12).map((s) => (
          <tr key={s.index}>
            {s.values.slice(0, 12).map((v, i) => <td key={i}>{formatValue(v)}</td>)}
            <td>{s.className ?? (Array.isArray(s.label) ? s.label.map(formatValue).join(', ') : s.label)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
