/**
 * The layer palette, generated from the catalog: categories, a search box, each layer's doc on
 * hover. Drag a layer onto the canvas, or double-click / press Enter to add it after the selected
 * node (the new node becomes the selection, so repeated presses build a chain).
 */
import { memo, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { CATALOG, CATEGORIES, LAYER_TYPES, getLayerDef, resolveParams, type LayerType, type Shape } from '../../shared/catalog';
import { useEditor } from '../store';
import { analysisOf } from '../store/analysis';
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

/** Whether a layer of this type (default params) accepts one input of this shape. */
function accepts(type: LayerType, shape: Shape): boolean {
  const def = getLayerDef(type);
  if (def.inputs.max === 0 || def.inputs.min > 1) return false;
  try {
    def.infer({ inputs: [shape], p: resolveParams(def, {}).params });
    return true;
  } catch {
    return false;
  }
}

/**
 * The match Enter adds: among the layers whose name contains the query, the first that accepts the
 * selected layer's output ("maxpool" after a Conv2D adds MaxPooling2D, not MaxPooling1D, listed
 * first); otherwise the first match, as listed.
 */
export function enterTarget(matches: readonly LayerType[], query: string): LayerType | undefined {
  const s = useEditor.getState();
  const after = s.selectedNodes[s.selectedNodes.length - 1];
  const shape = after ? analysisOf(s.doc).nodes[after]?.outputShape : null;
  const needle = query.trim().toLowerCase();
  if (shape && needle) {
    const fit = matches.find((t) => t.toLowerCase().includes(needle) && accepts(t, shape));
    if (fit) return fit;
  }
  return matches[0];
}

const PaletteItem = memo(function PaletteItem({ type, target }: { type: LayerType; target: boolean }) {
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
    <li className={target ? 'palette-item enter-target' : 'palette-item'} draggable onDragStart={onDragStart} onDoubleClick={() => addLayerAfterSelection(type)}
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
  // Which match Enter adds (highlighted); enterTarget reads the store, the deps say when it changes.
  const selected = useEditor((st) => st.selectedNodes);
  const nodes = useEditor((st) => st.doc.nodes);
  const edges = useEditor((st) => st.doc.edges);
  const target = useMemo(
    () => (query.trim() ? enterTarget(groups.flatMap((g) => g.types), query) : undefined),
    [groups, query, selected, nodes, edges],
  );
  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      const first = enterTarget(groups.flatMap((g) => g.types), query);
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
      <input className="palette-search" type="search" placeholder="Search layers…" title="Type to filter; Enter adds the highlighted match after the selected layer" value={query}
        onChange={(e) => setQuery(e.target.value)} onKeyDown={onSearchKey} aria-label="Search layers" />
      <div className="palette-groups">
        {groups.map((g) => {
          const open = query.trim() !== '' || !closed.has(g.category);
          return (
            <section key={g.category} className="palette-group">
              <button type="button" className="palette-category" aria-expanded={open} onClick={() => toggle(g.category)}>
                <span className="chev">{open ? '▾' : '▸'}</span> {g.category}
              </button>
              {open && <ul>{g.types.map((t) => <PaletteItem key={t} type={t} target={t === target} />)}</ul>}
            </section>
          );
        })}
        {!groups.length && <p className="muted">No layer matches “{query}”.</p>}
      </div>
    </aside>
  );
}
