/**
 * The layer palette, generated from the catalog: categories, a search box, each layer's doc on
 * hover. Drag a layer onto the canvas, or double-click / press Enter to add it after the selected
 * node (the new node becomes the selection, so repeated presses build a chain).
 */
import { memo, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { CATALOG, CATEGORIES, LAYER_TYPES, type LayerType } from '../../shared/catalog';
import { useEditor } from '../store';
import { LAYER_MIME } from './Canvas';

/** Add a layer after the selected node (or at the bottom when nothing is selected). */
export function addLayerAfterSelection(type: string): string {
  const s = useEditor.getState();
  const after = s.selectedNodes.length ? s.selectedNodes[s.selectedNodes.length - 1]! : null;
  const id = s.addNode(type, { after });
  useEditor.getState().focusNode(id);
  return id;
}

function matches(type: LayerType, q: string): boolean {
  if (!q) return true;
  const def = CATALOG[type];
  const needle = q.toLowerCase();
  return type.toLowerCase().includes(needle) || def.category.toLowerCase().includes(needle) || def.doc.toLowerCase().includes(needle);
}

const PaletteItem = memo(function PaletteItem({ type }: { type: LayerType }) {
  const def = CATALOG[type];
  const onDragStart = (e: DragEvent) => {
    e.dataTransfer.setData(LAYER_MIME, type);
    e.dataTransfer.setData('text/plain', type);
    e.dataTransfer.effectAllowed = 'copy';
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      e.stopPropagation();
      addLayerAfterSelection(type);
    }
  };
  return (
    <li className="palette-item" draggable onDragStart={onDragStart} onDoubleClick={() => addLayerAfterSelection(type)}
      onKeyDown={onKeyDown} tabIndex={0} data-testid={`palette-${type}`} aria-label={`${type}: ${def.doc}`}>
      <span className="palette-item-name">{type}</span>
      <span className="palette-doc" role="tooltip">
        <strong>{type}</strong> {def.doc}
        <span className="palette-doc-io">{def.inputs.max === 0 ? 'no inputs' : def.inputs.max === 1 ? '1 input' : `${def.inputs.min}+ inputs, in order`}</span>
      </span>
    </li>
  );
});

export function Palette() {
  const [query, setQuery] = useState('');
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());
  const groups = useMemo(
    () => CATEGORIES.map((c) => ({ category: c, types: LAYER_TYPES.filter((t) => CATALOG[t].category === c && matches(t, query.trim())) }))
      .filter((g) => g.types.length),
    [query],
  );
  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      const first = groups[0]?.types[0];
      if (first) addLayerAfterSelection(first);
    } else if (e.key === 'Escape') {
      setQuery('');
    }
  };
  const toggle = (c: string) => setClosed((s) => {
    const n = new Set(s);
    if (n.has(c)) n.delete(c);
    else n.add(c);
    return n;
  });
  return (
    <aside className="palette" aria-label="Layers">
      <div className="panel-title">Layers</div>
      <input className="palette-search" type="search" placeholder="Search layers…" title="Type to filter; Enter adds the first match after the selected layer" value={query}
        onChange={(e) => setQuery(e.target.value)} onKeyDown={onSearchKey} aria-label="Search layers" />
      <div className="palette-groups">
        {groups.map((g) => {
          const open = query.trim() !== '' || !closed.has(g.category);
          return (
            <section key={g.category} className="palette-group">
              <button type="button" className="palette-category" aria-expanded={open} onClick={() => toggle(g.category)}>
                <span className="chev">{open ? '▾' : '▸'}</span> {g.category}
              </button>
              {open && <ul>{g.types.map((t) => <PaletteItem key={t} type={t} />)}</ul>}
            </section>
          );
        })}
        {!groups.length && <p className="muted">No layer matches “{query}”.</p>}
      </div>
    </aside>
  );
}
