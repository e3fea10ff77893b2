/** Every problem analysis found; click one to select its node, apply a quick fix in place. */
import { useEditor } from '../store';
import { editorAnalysis } from '../store/checks';
import { QuickFixButton } from './QuickFixButton';

/** Problems worth a badge (an empty canvas is not a problem yet). */
export function useProblemCount(): number {
  return useEditor((s) => (s.doc.nodes.length ? editorAnalysis(s.doc, s.dataSample).errors.length : 0));
}

export function Problems() {
  const errors = useEditor((s) => editorAnalysis(s.doc, s.dataSample).errors);
  if (!errors.length) return <p className="muted problems-empty" data-testid="problems-empty">No problems: every shape checks out.</p>;
  return (
    <ul className="problems" data-testid="problems">
      {errors.map((e, i) => (
        <li key={i} className={`problem ${e.severity}`} onClick={() => e.nodeId && useEditor.getState().focusNode(e.nodeId)}>
          <span className={`problem-icon ${e.severity}`} aria-label={e.severity} />
          <span className="problem-node">{e.nodeId ?? 'model'}</span>
          <span className="problem-msg">{e.message}</span>
          {e.fix && e.nodeId && <QuickFixButton nodeId={e.fixNodeId ?? e.nodeId} fix={e.fix} />}
        </li>
      ))}
    </ul>
  );
}
