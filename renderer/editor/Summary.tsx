/** The Keras-style model summary: layer, output shape, params, connections; totals, memory, FLOPs. */
import { memo, useMemo } from 'react';
import { bytesLabel, flopsLabel, thousands, type Analysis } from '../../shared/analysis';
import type { LoomDocument } from '../../shared/document';
import { useEditor } from '../store';
import { analysisOf } from '../store/analysis';
import { kerasShape } from './format';

interface RowProps { id: string; type: string; shape: string; params: number; inputs: string; bad: boolean }

/** One table row; re-renders only when what it shows changes. */
const SummaryRow = memo(function SummaryRow({ id, type, shape, params, inputs, bad }: RowProps) {
  return (
    <tr className={bad ? 'error' : undefined} onClick={() => useEditor.getState().focusNode(id)} data-node={id}>
      <td>{id} <span className="muted">({type})</span></td>
      <td className="mono">{shape}</td>
      <td className="num mono">{thousands(params)}</td>
      <td className="muted">{inputs}</td>
    </tr>
  );
});

export function Summary() {
  // Nodes and edges only: dragging (layout) does not touch the summary.
  const nodes = useEditor((s) => s.doc.nodes);
  const edges = useEditor((s) => s.doc.edges);
  return <SummaryView nodes={nodes} edges={edges} />;
}

const SummaryView = memo(function SummaryView({ nodes, edges }: Pick<LoomDocument, 'nodes' | 'edges'>) {
  const a: Analysis = analysisOf({ nodes, edges });
  const { order, inputsOf } = useMemo(() => {
    const inOrder = new Set(a.order);
    const order = [...a.order, ...nodes.map((n) => n.id).filter((id) => !inOrder.has(id))];
    const inputsOf = new Map<string, string[]>();
    for (const e of edges) inputsOf.set(e.to, [...(inputsOf.get(e.to) ?? []), e.from]);
    return { order, inputsOf };
  }, [a, nodes, edges]);
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
              return <SummaryRow key={id} id={id} type={info.type} shape={kerasShape(info.outputShape)} params={info.params}
                inputs={(inputsOf.get(id) ?? []).join(', ')} bad={info.errors.some((e) => e.severity === 'error')} />;
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
});
