/**
 * The React Flow canvas. Nodes and edges are derived from the document (derive.ts); every change a
 * person makes goes back through store actions: drags move `layout` (one undo step per drag),
 * handle connections add edges, selection lives in the selection slice.
 */
import {
  Background, BackgroundVariant, ControlButton, Controls, MiniMap, ReactFlow, useReactFlow,
  type Connection, type Edge, type EdgeChange, type NodeChange,
} from '@xyflow/react';
import { useCallback, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import { platform } from '../services/platform';
import { useEditor } from '../store';
import { editorAnalysis } from '../store/checks';
import type { LoomDocument } from '../../shared/document';
import { edgeKey } from '../store/document';
import { join } from '../store/graph-edits';
import { flowDirectionOf, GRID, NODE_H, NODE_W, positionsOf, type FlowDirection } from '../store/layout';
import { ContextMenu, type MenuTarget } from './ContextMenu';
import { FlowCache, type LayerFlowNode } from './derive';
import { LayerNode } from './LayerNode';
import { ShapeEdge } from './ShapeEdge';
import { useViewRequests } from './useViewRequests';

export const LAYER_MIME = 'application/x-layerloom-layer';

const nodeTypes = { layer: LayerNode };
const edgeTypes = { shape: ShapeEdge };
const snapGrid: [number, number] = [GRID, GRID];
const proOptions = { hideAttribution: true };
const defaultEdgeOptions = { type: 'shape' };
const minimapStyle = { width: 150, height: 100 };

/** The edge passing within `tolerance` of a flow point (edges approximated by straight segments between handles). */
function edgeAt(doc: LoomDocument, p: { x: number; y: number }, tolerance: number,
  dims: ReadonlyMap<string, { width: number; height: number }>): string | null {
  const pos = positionsOf(doc);
  const lr = flowDirectionOf(doc) === 'LR';
  let best: string | null = null;
  let bestD = tolerance;
  for (const e of doc.edges) {
    const a = pos[e.from], b = pos[e.to];
    if (!a || !b) continue;
    const da = { width: NODE_W, height: NODE_H, ...dims.get(e.from) }, db = { width: NODE_W, height: NODE_H, ...dims.get(e.to) };
    // From the source's out handle (bottom, or right) to the target's in handle (top, or left).
    const [ax, ay] = lr ? [a.x + da.width, a.y + da.height / 2] : [a.x + da.width / 2, a.y + da.height];
    const [bx, by] = lr ? [b.x, b.y + db.height / 2] : [b.x + db.width / 2, b.y];
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy || 1;
    const t = Math.max(0, Math.min(1, ((p.x - ax) * dx + (p.y - ay) * dy) / len2));
    const d = Math.hypot(p.x - (ax + t * dx), p.y - (ay + t * dy));
    if (d < bestD && t > 0.05 && t < 0.95) {
      bestD = d;
      best = edgeKey(e);
    }
  }
  return best;
}

/** The ⇅ / ⇆ control: lays the graph out the other way (top to bottom ↔ left to right). */
function DirectionButton({ direction }: { direction: FlowDirection }) {
  const next = direction === 'TB' ? 'LR' : 'TB';
  const flip = () => {
    useEditor.getState().autoLayout(next);
    useEditor.getState().requestFit();
  };
  return (
    <ControlButton onClick={flip} title={next === 'LR' ? 'Lay out left to right' : 'Lay out top to bottom'} aria-label={next === 'LR' ? 'Lay out left to right' : 'Lay out top to bottom'}
      data-testid="layout-direction">
      {next === 'LR' ? '⇆' : '⇅'}
    </ControlButton>
  );
}

/** "Deleted conv2. Reconnect conv1 → pool1?" after a middle layer of a chain was deleted. */
export function ReconnectOffer() {
  const offer = useEditor((s) => s.reconnectOffer);
  // Still possible (an undo may have brought the layer back)?
  const valid = useEditor((s) => !!s.reconnectOffer && join(s.doc, s.reconnectOffer) !== null);
  if (!offer || !valid) return null;
  const s = useEditor.getState;
  return (
    <div className="canvas-offer" role="status" data-testid="reconnect-offer">
      Deleted {offer.removed}. Reconnect {offer.from} → {offer.to}?{' '}
      <button type="button" className="primary" onClick={() => { s().updateDocument((d) => join(d, offer) ?? d); s().setReconnectOffer(null); }}>Reconnect</button>
      <button type="button" className="icon" aria-label="Dismiss" onClick={() => s().setReconnectOffer(null)}>✕</button>
    </div>
  );
}

function EmptyCanvas() {
  return (
    <div className="canvas-empty">
      <p><strong>Drag a layer from the palette</strong> onto the canvas, starting with an <em>Input</em>.</p>
      <p>Connect layers by dragging from the bottom handle of one to the top of another, or select a layer and double-click a palette entry to add it after.</p>
      <p>
        Or start from a working model:{' '}
        {/* A link to the toolbar's Templates dialog (a second "Templates" button would be ambiguous). */}
        <a href="#templates" data-testid="empty-templates" onClick={(e) => { e.preventDefault(); useEditor.getState().openDialog('templates'); }}>browse the templates</a>
        {' '}(MNIST CNN, LSTM, transformer…).
      </p>
    </div>
  );
}

export function Canvas() {
  const doc = useEditor((s) => s.doc);
  const direction = flowDirectionOf(doc);
  const selectedNodes = useEditor((s) => s.selectedNodes);
  const selectedEdges = useEditor((s) => s.selectedEdges);
  const theme = useEditor((s) => s.theme);
  const snap = useEditor((s) => s.snapToGrid);
  const flow = useReactFlow();
  const cache = useRef(new FlowCache());
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const [measureTick, setMeasureTick] = useState(0);
  const wrapper = useRef<HTMLDivElement>(null);
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const at = (e: { clientX: number; clientY: number }) => {
    const r = wrapper.current!.getBoundingClientRect();
    return { x: Math.min(e.clientX - r.left, r.width - 200), y: Math.min(e.clientY - r.top, r.height - 190) };
  };
  const onNodeContextMenu = useCallback((e: ReactMouseEvent, node: LayerFlowNode) => {
    e.preventDefault();
    // Acting on a node that is not selected selects it first (as in every design tool).
    const s = useEditor.getState();
    if (!s.selectedNodes.includes(node.id)) s.select([node.id]);
    setMenu({ kind: 'node', id: node.id, ...at(e) });
  }, []);
  const onEdgeContextMenu = useCallback((e: ReactMouseEvent, edge: Edge) => {
    e.preventDefault();
    setMenu({ kind: 'edge', id: edge.id, ...at(e) });
  }, []);
  const onPaneContextMenu = useCallback((e: ReactMouseEvent | MouseEvent) => {
    e.preventDefault();
    setMenu({ kind: 'pane', ...at(e) });
  }, []);

  const dataSample = useEditor((s) => s.dataSample);
  const analysis = editorAnalysis(doc, dataSample);
  const nodes = useMemo(
    () => {
      // Forget sizes of deleted nodes: a node re-created by undo is measured afresh.
      if (measured.current.size) {
        const ids = new Set(doc.nodes.map((n) => n.id));
        for (const id of measured.current.keys()) if (!ids.has(id)) measured.current.delete(id);
      }
      return cache.current.deriveNodes(doc, analysis, positionsOf(doc), new Set(selectedNodes), measured.current);
    },
    // measureTick: re-derive when React Flow measured node sizes.
    [doc, analysis, selectedNodes, measureTick],
  );
  // Edges depend on nodes/edges/analysis, not on positions: dragging does not re-derive them.
  const docNodes = doc.nodes, docEdges = doc.edges;
  const edges = useMemo(() => cache.current.deriveEdges({ nodes: docNodes, edges: docEdges }, analysis, new Set(selectedEdges)),
    [docNodes, docEdges, analysis, selectedEdges]);

  const onNodesChange = useCallback((changes: NodeChange<LayerFlowNode>[]) => {
    const s = useEditor.getState();
    const moves: Record<string, { x: number; y: number }> = {};
    let sel: Set<string> | null = null;
    let measuredChanged = false;
    for (const c of changes) {
      if (c.type === 'position' && c.position) {
        if (c.dragging) s.beginDrag();
        moves[c.id] = { x: Math.round(c.position.x), y: Math.round(c.position.y) };
      } else if (c.type === 'select') {
        sel ??= new Set(s.selectedNodes);
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      } else if (c.type === 'dimensions' && c.dimensions) {
        const prev = measured.current.get(c.id);
        if (!prev || prev.width !== c.dimensions.width || prev.height !== c.dimensions.height) {
          measured.current.set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
          measuredChanged = true;
        }
      }
    }
    if (Object.keys(moves).length) s.moveNodes(moves);
    if (sel) s.select([...sel], useEditor.getState().selectedEdges);
    if (measuredChanged) setMeasureTick((t) => t + 1);
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const s = useEditor.getState();
    let sel: Set<string> | null = null;
    for (const c of changes) {
      if (c.type === 'select') {
        sel ??= new Set(s.selectedEdges);
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
    }
    if (sel) s.select(useEditor.getState().selectedNodes, [...sel]);
  }, []);

  const onConnect = useCallback((c: Connection) => {
    if (c.source && c.target) useEditor.getState().connect(c.source, c.target);
  }, []);
  // Drag an edge's end to another handle to move it; drop it on empty canvas to delete it.
  const reconnected = useRef(true);
  const onReconnectStart = useCallback(() => {
    reconnected.current = false;
  }, []);
  const onReconnect = useCallback((old: Edge, c: Connection) => {
    reconnected.current = true;
    if (c.source && c.target) useEditor.getState().reconnect(old.id, c.source, c.target);
  }, []);
  const onReconnectEnd = useCallback((_e: unknown, edge: Edge) => {
    if (!reconnected.current) useEditor.getState().removeElements([], [edge.id]);
    reconnected.current = true;
  }, []);
  const isValidConnection = useCallback((c: Connection | { source: string; target: string }) => c.source !== c.target, []);

  const onDragStart = useCallback(() => useEditor.getState().beginDrag(), []);
  const onDragStop = useCallback(() => useEditor.getState().endDrag(), []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(LAYER_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);
  const onDrop = useCallback((e: DragEvent) => {
    const type = e.dataTransfer.getData(LAYER_MIME);
    if (!type) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    // The drop point is where the card's top centre lands; dropped on an edge, the layer goes in between.
    const position = { x: p.x - NODE_W / 2, y: p.y - 12 };
    const s = useEditor.getState();
    const hit = edgeAt(s.doc, p, 14 / flow.getZoom(), measured.current);
    if (!(hit && s.insertOnEdge(hit, type, position))) s.addNode(type, { position });
  }, [flow]);

  useViewRequests(wrapper);

  return (
    <div className="canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeContextMenu={onNodeContextMenu}
        onEdgeContextMenu={onEdgeContextMenu}
        onPaneContextMenu={onPaneContextMenu}
        onReconnect={onReconnect}
        onReconnectStart={onReconnectStart}
        onReconnectEnd={onReconnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStart={onDragStart}
        onNodeDragStop={onDragStop}
        onSelectionDragStart={onDragStart}
        onSelectionDragStop={onDragStop}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Control', 'Meta']}
        snapToGrid={snap}
        snapGrid={snapGrid}
        colorMode={theme}
        minZoom={0.1}
        maxZoom={2.5}
        panOnScroll
        onlyRenderVisibleElements={doc.nodes.length > 120}
        proOptions={proOptions}
      >
        <Background variant={BackgroundVariant.Dots} gap={GRID * 2} size={1} />
        {/* An empty canvas showed an empty box in the corner. */}
        {doc.nodes.length > 0 && <MiniMap pannable zoomable className="minimap" ariaLabel="Minimap" style={minimapStyle} />}
        <Controls showInteractive={false}>
          <DirectionButton direction={direction} />
          <ControlButton onClick={() => { useEditor.getState().setSnapToGrid(!snap); void platform().setSnapToGrid(!snap); }}
            title={snap ? 'Snap to grid: on' : 'Snap to grid: off'} aria-label="Snap to grid" aria-pressed={snap}
            className={snap ? 'control-on' : undefined}>
            #
          </ControlButton>
        </Controls>
      </ReactFlow>
      {menu && <ContextMenu target={menu} onClose={closeMenu} />}
      {doc.nodes.length === 0 && <EmptyCanvas />}
      <ReconnectOffer />
    </div>
  );
}
