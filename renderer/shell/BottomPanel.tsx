/**
 * The bottom panel: tabs for the summary, problems and (filled by the training UI) training.
 * Other features add tabs through `bottomTabs` (shell/bottomTabs.tsx).
 */
import { useRef, type PointerEvent } from 'react';
import { platform } from '../services/platform';
import { useEditor } from '../store';
import { bottomPanelHeight } from '../store/view';
import { bottomTabs } from './bottomTabs';
import { useProblemCount } from '../editor/Problems';

export function BottomPanel() {
  const tab = useEditor((s) => s.bottomTab);
  const open = useEditor((s) => s.bottomOpen);
  const problems = useProblemCount();
  const drag = useRef<{ y: number; h: number } | null>(null);
  const current = bottomTabs.find((t) => t.id === tab) ?? bottomTabs[0]!;

  const onPointerDown = (e: PointerEvent) => {
    drag.current = { y: e.clientY, h: bottomPanelHeight(useEditor.getState()) };
    (e.target as Element).setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    if (drag.current) useEditor.getState().dragBottomHeight(drag.current.h + drag.current.y - e.clientY);
  };
  const onPointerUp = () => {
    if (drag.current) void platform().setSetting('editor.bottomHeight', useEditor.getState().bottomHeight);
    drag.current = null;
  };
  const setOpen = (o: boolean) => {
    useEditor.getState().setBottomOpen(o);
    void platform().setSetting('editor.bottomOpen', o);
  };
  return (
    <section className={`bottom-panel${open ? '' : ' collapsed'}`} aria-label="Bottom panel">
      <div className="bottom-resize" onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp}
        role="separator" aria-orientation="horizontal" aria-label="Resize the bottom panel" />
      <div className="bottom-tabs" role="tablist">
        {bottomTabs.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={open && t.id === current.id}
            className={open && t.id === current.id ? 'active' : undefined}
            onClick={() => useEditor.getState().setBottomTab(t.id)}>
            {t.label}
            {t.id === 'problems' && problems > 0 && <span className="badge" data-testid="problem-count">{problems}</span>}
          </button>
        ))}
        <span className="spacer" />
        <button type="button" className="bottom-toggle" aria-label={open ? 'Collapse panel' : 'Expand panel'}
          onClick={() => setOpen(!open)}>{open ? '▾' : '▴'}</button>
      </div>
      {open && <div className="bottom-content" role="tabpanel">{current.render()}</div>}
    </section>
  );
}
