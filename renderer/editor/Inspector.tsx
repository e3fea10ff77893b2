/**
 * The inspector: the selected node's params, generated from the catalog, with its shapes, problems
 * and quick fixes. With several nodes of one type selected, an edit applies to all of them as one
 * undo step.
 */
import { layerCount } from '../ui/format';
import { memo, useCallback, useEffect, useState } from 'react';
import { thousands } from '../../shared/analysis';
import { getLayerDef, isLayerType } from '../../shared/catalog';
import type { LoomNode } from '../../shared/document';
import { useEditor } from '../store';
import { editorAnalysis } from '../store/checks';
import { kerasShape } from './format';
import { ParamField } from './ParamField';
import { QuickFixButton } from './QuickFixButton';

const EMPTY: LoomNode[] = [];

/** The selected nodes, re-rendering only when they (not the rest of the document) change. */
function useSelectedNodes(): LoomNode[] {
  const [nodes, setNodes] = useState<LoomNode[]>(EMPTY);
  useEffect(() => {
    const pick = (s: ReturnType<typeof useEditor.getState>) => {
      if (!s.selectedNodes.length) return EMPTY;
      const ids = new Set(s.selectedNodes);
      return s.doc.nodes.filter((n) => ids.has(n.id));
    };
    setNodes(pick(useEditor.getState()));
    return useEditor.subscribe((s, prev) => {
      if (s.doc === prev.doc && s.selectedNodes === prev.selectedNodes) return;
      const next = pick(s);
      setNodes((cur) => (cur.length === next.length && cur.every((n, i) => n === next[i]) ? cur : next));
    });
  }, []);
  return nodes;
}

export function Inspector() {
  const nodes = useSelectedNodes();
  return (
    <aside className="inspector" aria-label="Inspector">
      {nodes.length === 0 ? <DocumentInspector /> : <NodeInspector nodes={nodes} />}
    </aside>
  );
}

function DocumentInspector() {
  const name = useEditor((s) => s.doc.name);
  const count = useEditor((s) => s.doc.nodes.length);
  const edges = useEditor((s) => s.doc.edges.length);
  const description = useEditor((s) => s.doc.description);
  return (
    <>
      <div className="panel-title">Model</div>
      <div className="inspector-body">
        <div className="field">
          <label className="field-label" htmlFor="doc-name">name</label>
          <input id="doc-name" type="text" value={name} maxLength={200}
            onChange={(e) => { const v = e.target.value; useEditor.getState().updateDocument((d) => ({ ...d, name: v })); }} />
        </div>
        <p className="muted">{count} layer{count === 1 ? '' : 's'}, {edges} connection{edges === 1 ? '' : 's'}.</p>
        {description && <p className="doc-description">{description}</p>}
        <p className="muted small">Select a layer to edit its parameters. Shift-drag on the canvas selects several; Ctrl/⌘-click adds to the selection.</p>
      </div>
    </>
  );
}

function NodeInspector({ nodes }: { nodes: LoomNode[] }) {
  const first = nodes[0]!;
  const sameType = nodes.every((n) => n.type === first.type);
  const ids = nodes.map((n) => n.id);
  const onCommit = useCallback((name: string, value: unknown, coalesce?: string) => {
    const sel = useEditor.getState().selectedNodes;
    useEditor.getState().setParam(sel, name, value, coalesce && `${sel.join(',')}:${coalesce}`);
  }, []);
  if (!sameType) {
    return (
      <>
        <div className="panel-title">{layerCount(nodes.length)} selected</div>
        <div className="inspector-body">
          <p className="muted">{[...new Set(nodes.map((n) => n.type))].join(', ')}: select layers of one type to edit them together.</p>
          <SelectionActions />
        </div>
      </>
    );
  }
  if (!isLayerType(first.type)) {
    return (
      <>
        <div className="panel-title">{first.type}</div>
        <div className="inspector-body"><p className="field-error">Unknown layer type “{first.type}”: delete or replace this node.</p><SelectionActions /></div>
      </>
    );
  }
  const def = getLayerDef(first.type);
  return (
    <>
      <div className="panel-title">
        {def.type}{nodes.length > 1 ? ` × ${nodes.length}` : ''}
        <span className="panel-subtitle">{def.category}</span>
      </div>
      <div className="inspector-body" key={ids.join('|')}>
        <p className="layer-doc">{def.doc}</p>
        {nodes.length === 1 && <NameField id={first.id} />}
        {nodes.length === 1 && <NodeFacts id={first.id} />}
        {def.params.length === 0 && <p className="muted small">This layer has no parameters.</p>}
        {def.params.map((spec) => {
          const values = nodes.map((n) => n.params[spec.name]);
          const mixed = values.some((v) => JSON.stringify(v) !== JSON.stringify(values[0]));
          return <ParamField key={spec.name} def={def} spec={spec} value={values[0]} mixed={mixed} onCommit={onCommit} />;
        })}
        {nodes.length === 1 && def.inputs.max > 1 && <InputOrder id={first.id} />}
        <SelectionActions />
      </div>
    </>
  );
}

function NameField({ id }: { id: string }) {
  const [text, setText] = useState(id);
  const [error, setError] = useState<string | null>(null);
  // Follows a rename or another selected node during render: a mount effect would wipe a first keystroke.
  const [shown, setShown] = useState(id);
  if (shown !== id) {
    setShown(id);
    setText(id);
    setError(null);
  }
  const commit = () => {
    if (text === id) return;
    const e = useEditor.getState().renameNode(id, text.trim());
    setError(e);
  };
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label className="field-label" htmlFor="node-name">name</label>
      <input id="node-name" type="text" value={text} spellCheck={false} onChange={(e) => { setText(e.target.value); setError(null); }}
        onBlur={commit} onKeyDown={(e) => { if (e.key === 'Enter') commit(); if (e.key === 'Escape') { setText(id); setError(null); } }} />
      {error && <div className="field-error" role="alert">{error}</div>}
      <div className="field-doc">Used in exported code and weight files.</div>
    </div>
  );
}

/** Shapes, parameter count and problems (with quick fixes) of one node. */
const NodeFacts = memo(function NodeFacts({ id }: { id: string }) {
  const info = useEditor((s) => editorAnalysis(s.doc, s.dataSample).nodes[id]);
  if (!info) return null;
  return (
    <div className="node-facts">
      <div><span className="muted">in</span> {info.inputShapes.length ? info.inputShapes.map((s) => kerasShape(s)).join(' + ') : '—'}</div>
      <div><span className="muted">out</span> <strong data-testid="inspector-shape">{kerasShape(info.outputShape)}</strong></div>
      <div><span className="muted">params</span> {thousands(info.params)}{info.nonTrainableParams ? ` (${thousands(info.nonTrainableParams)} non-trainable)` : ''}</div>
      {info.errors.map((e, i) => (
        <div key={i} className={`problem ${e.severity}`} role="alert">
          <span>{e.message}</span>
          {e.fix && <QuickFixButton nodeId={e.fixNodeId ?? id} fix={e.fix} />}
        </div>
      ))}
    </div>
  );
});

function InputOrder({ id }: { id: string }) {
  const inputs = useEditor((s) => s.doc.edges.filter((e) => e.to === id).map((e) => e.from).join('\u0000'));
  const list = inputs ? inputs.split('\u0000') : [];
  return (
    <div className="field">
      <div className="field-label">inputs, in order</div>
      {list.length === 0 && <div className="muted small">Connect layers to the top handle; they are taken in the order connected.</div>}
      <ol className="input-order">
        {list.map((src, i) => (
          <li key={src}>
            <span>{src}</span>
            <button type="button" disabled={i === 0} aria-label={`Move ${src} up`} onClick={() => useEditor.getState().moveInput(id, i, -1)}>↑</button>
            <button type="button" disabled={i === list.length - 1} aria-label={`Move ${src} down`} onClick={() => useEditor.getState().moveInput(id, i, 1)}>↓</button>
          </li>
        ))}
      </ol>
    </div>
  );
}

function SelectionActions() {
  return (
    <div className="inspector-actions">
      <button type="button" onClick={() => useEditor.getState().duplicateSelection()} title="Duplicate (Ctrl+D)">Duplicate</button>
      <button type="button" className="danger" onClick={() => useEditor.getState().deleteSelection()} title="Delete (Del)">Delete</button>
    </div>
  );
}
