/** The Keras-style model summary: layer, output shape, params, connections; totals, memory, FLOPs. */
import { bytesLabel, flopsLabel, thousands } from '../../shared/analysis';
import { useEditor } from '../store';
import { analysisOf } from '../store/analysis';
import { kerasShape } from './format';

export function Summary() {
  const doc = useEditor((s) => s.doc);
  const a = analysisOf(doc);
  const order = [...a.order, ...doc.nodes.map((n) => n.id).filter((id) => !a.order.includes(id))];
  const inputsOf = new Map<string, string[]>();
  for (const e of doc.edges) inputsOf.set(e.to, [...(inputsOf.get(e.to) ?? []), e.from]);
  return (
    <div className="summary" data-testid="summary">
      <div className="summary-table-wrap">
        <table className="summary-table">
          <thead>
            <tr><th>Layer (type)</th><th>Output Shape</th><th className="num">Param #</th><th>Connected to</th></tr>
          </thead>
          <tbody>
            {order.map((id) => {
              const info = a.nodes[id]!;
              const bad = info.errors.some((e) => e.severity === 'error');
              return (
                <tr key={id} className={bad ? 'error' : undefined} onClick={() => useEditor.getState().focusNode(id)} data-node={id}>
                  <td>{id} <span className="muted">({info.type})</span></td>
                  <td className="mono">{kerasShape(info.outputShape)}</td>
                  <td className="num mono">{thousands(info.params)}</td>
                  <td className="muted">{(inputsOf.get(id) ?? []).join(', ')}</td>
                </tr>
              );
            })}
            {!order.length && <tr><td colSpan={4} className="muted">No layers yet.</td></tr>}
          </tbody>
        </table>
      </div>
      <dl className="summary-totals">
        <dt>Total params</dt><dd data-testid="total-params">{thousands(a.totalParams)}</dd>
        <dt>Trainable</dt><dd>{thousands(a.trainableParams)}</dd>
        <dt>Non-trainable</dt><dd>{thousands(a.nonTrainableParams)}</dd>
        <dt>Weights memory</dt><dd>{bytesLabel(a.totalParams)}</dd>
        <dt>FLOPs / sample</dt><dd>~{flopsLabel(a.flops)}</dd>
        <dt>Output{a.outputs.length > 1 ? 's' : ''}</dt>
        <dd data-testid="model-output">{a.outputs.map((id) => kerasShape(a.nodes[id]?.outputShape)).join(', ') || '—'}</dd>
      </dl>
    </div>
  );
}
