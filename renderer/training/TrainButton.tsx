/** The toolbar's Train / Stop button and the backend badge (Ctrl/Cmd+Enter trains too). */
import { useEditor } from '../store';
import { isActive } from '../store/runs';
import { currentRun } from '../store/training';
import { BackendBadge, trainCommand } from './TrainingPanel';

export function TrainButton() {
  const status = useEditor((s) => currentRun(s)?.status);
  const active = isActive(status);
  return (
    <div className="toolbar-group ll-toolbar-train">
      {active ? (
        <button type="button" onClick={() => useEditor.getState().stopTraining()} disabled={status === 'stopping'} title="Stop training" data-testid="toolbar-stop">
          ■ Stop
        </button>
      ) : (
        <button type="button" className="primary" onClick={trainCommand} title="Train (Ctrl/Cmd+Enter)" data-testid="toolbar-train">▶ Train</button>
      )}
      <BackendBadge />
    </div>
  );
}
