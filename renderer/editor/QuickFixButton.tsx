import type { QuickFix } from '../../shared/catalog';
import { useEditor } from '../store';

/** A one-click fix offered by analysis ("Set Reshape target to [4096]", "Insert Flatten"). */
export function QuickFixButton({ nodeId, fix }: { nodeId: string; fix: QuickFix }) {
  return (
    <button type="button" className="quick-fix" onClick={(e) => {
      e.stopPropagation();
      useEditor.getState().applyQuickFix(nodeId, fix);
    }}>
      ⚡ {fix.label}
    </button>
  );
}
