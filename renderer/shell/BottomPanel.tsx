/**
 * The bottom panel: tabs for the summary, problems, data, training, runs, evaluation and Try it
 * (`bottomTabs`, shell/bottomTabs.tsx). One height for every tab, the person's: drag its top edge,
 * or focus the edge and use ↑/↓ (PageUp/PageDown: bigger steps); kept in settings.
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { platform } from '../services/platform';
import { useEditor } from '../store';
import { BOTTOM_MAX, BOTTOM_MIN } from '../store/view';
import { bottomTabs } from './bottomTabs';
import { useProblemCount } from '../editor/Problems';

export function BottomPanel() {
  const tab = useEditor((s) => s.bottomTab);
  const open = useEditor((s) => s.bottomOpen);
  const problems = useProblemCount();
  const drag = useRef<{ y: number; h: number } | null>(null);
  const current = bottomTabs.find((t) => t.id === tab) ?? bottomTabs[0]!;

  const height = useEditor((s) => s.bottomHeight);
  const remember = () => void platform().setSetting('editor.bottomHeight', useEditor.getState().bottomHeight);
  const onPointerDown = (e: PointerEvent) => {
    drag.current = { y: e.clientY, h: useEditor.getState().bottomHeight };
    (e.target as Element).setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent) => {
    if (drag.current) useEditor.getState().setBottomHeight(drag.current.h + drag.current.y - e.clientY);
  };
  const onPointerUp = () => {
    if (drag.current) remember();
    drag.current = null;
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const step = { ArrowUp: 20, ArrowDown: -20, PageUp: 100, PageDown: -100 }[e.key];
    if (!step) return;
    e.preventDefault();
    e.stopPropagation();
    useEditor.getState().setBottomHeight(useEditor.getState().bottomHeight + step);
    remember();
  };
  const setOpen = (o: boolean) => {
    useEditor.getState().setBottomOpen(o);
    void platform().setSetting('editor.bottomOpen', o);
  };
  return (
    <section className={`bottom-panel${open ? '' : ' collapsed'}`} aria-label="Bottom panel">
      <div className="bottom-resize" onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onKeyDown={onKeyDown}
        role="separator" aria-orientation="horizontal" aria-label="Resize the bottom panel" tabIndex={0}
        aria-valuenow={height} aria-valuemin={BOTTOM_MIN} aria-valuemax={BOTTOM_MAX} title="Drag (or ↑/↓) to resize the panel" />
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
