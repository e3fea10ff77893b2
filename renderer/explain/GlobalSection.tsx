/** A tabular run's global feature importance: mean |SHAP| over test rows, permutation importance. */
import type { GlobalExplanation } from '../../shared/explain/schema';
import type { RunView } from '../store/runs';
import { GlobalChart } from './Charts';
import { downloadCsv, globalCsv } from './export';
import { runGlobal, useExplain } from './store';

const TITLES = { shap: 'Mean |SHAP| over test rows', permutation: 'Permutation importance (score drop when a column is shuffled)' } as const;

function Result({ g }: { g: GlobalExplanation }) {
  return (
    <figure className="ll-explain-card wide" data-testid={`global-${g.method}`}>
      <figcaption>
        <strong>{TITLES[g.method]}</strong>
        <span className="muted">
          {' '}· {g.samples} rows{g.score ? ` · ${g.score.name} ${+g.score.baseline.toPrecision(4)} unshuffled` : ''} · {g.forwardPasses.toLocaleString('en-US')} forward passes · {g.elapsedSec.toFixed(2)} s
        </span>
      </figcaption>
      <GlobalChart result={g} />
      <div className="ll-actions">
        <button type="button" onClick={() => downloadCsv(globalCsv(g), `${g.method}-importance.csv`)} data-testid={`export-global-${g.method}`}>CSV</button>
      </div>
    </figure>
  );
}

export function GlobalSection({ run, busy }: { run: RunView; busy: boolean }) {
  const global = useExplain((s) => (s.global?.runId === run.runId ? s.global : null));
  return (
    <div className="ll-explain-global" data-testid="explain-global">
      <div className="ll-actions">
        <strong>Global importance</strong>
        <button type="button" disabled={busy} onClick={() => void runGlobal(run, 'shap')} data-testid="global-run-shap">Mean |SHAP| (50 test rows)</button>
        <button type="button" disabled={busy} onClick={() => void runGlobal(run, 'permutation')} data-testid="global-run-permutation">Permutation importance</button>
      </div>
      <div className="ll-explain-results">
        {global?.shap && <Result g={global.shap} />}
        {global?.permutation && <Result g={global.permutation} />}
      </div>
    </div>
  );
}
