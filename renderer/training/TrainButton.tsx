/** The toolbar's Train / Stop button and the backend badge (Ctrl/Cmd+Enter trains too). */
import { useEditor } from '../store';
import { isActive } from '../store/runs';
import { currentRun } from '../store/training';
import { BackendBadge, trainCommand } from './TrainingPanel';

const graphOf = (d: { nodes: unknown; edges: unknown }) => JSON.stringify([d.nodes, d.edges]);

export function TrainButton() {
  const status = useEditor((s) => currentRun(s)?.status);
  const active = isActive(status);
  // While a run trains, edits do not reach it: say so here too (the Training tab explains).
  const staleLabel = useEditor((s) => {
    const run = currentRun(s);
    return run && isActive(run.status) && (run.doc.nodes !== s.doc.nodes || run.doc.edges !== s.doc.edges) && graphOf(run.doc) !== graphOf(s.doc) ? run.label : null;
  });
  return (
    <div className="toolbar-group ll-toolbar-train">
      {active ? (
        <button type="button" onClick={() => useEditor.getState().stopTraining()} disabled={status === 'stopping'} title="Stop training" data-testid="toolbar-stop">
          ■ Stop
        </button>
      ) : (
        <button type="button" className="primary" onClick={trainCommand} title="Train (Ctrl/Cmd+Enter)" data-testid="toolbar-train">▶ Train</button>
      )}
      {staleLabel && (
        <span className="ll-backend" data-testid="toolbar-stale" title={`${staleLabel} trains the graph as it was when you pressed Train; your edits apply to the next run.`}>
          edited since {staleLabel}
        </span>
      )}
      <BackendBadge />
    </div>
  );
}
