/**
 * React Flow nodes and edges as a derived view of the document + selection + analysis. Node and
 * edge objects are cached per id and reused while nothing they show changed, so that an edit to
 * one node re-renders that node (and what its shape change reaches downstream), not all 300.
 * Nothing here holds a callback: node components read actions from the store themselves.
 */
import type { Edge, Node } from '@xyflow/react';
import type { Analysis } from '../../shared/analysis';
import { getLayerDef, isLayerType } from '../../shared/catalog';
import type { LoomDocument, LoomNode, Position } from '../../shared/document';
import { edgeKey } from '../store/document';
import { keyParamsLabel, shapeLabel } from './format';

export interface LayerData extends Record<string, unknown> {
  node: LoomNode;
  keyParams: string;
  shape: string;
  params: number;
  error: string | null;
  warning: string | null;
  /** Inputs accepted: 0 (Input), 1, or many (merge layers). */
  maxInputs: number;
}
export type LayerFlowNode = Node<LayerData, 'layer'>;
export interface ShapeEdgeData extends Record<string, unknown> {
  label: string;
  error: boolean;
}
export type ShapeFlowEdge = Edge<ShapeEdgeData>;

type Dims = { width: number; height: number };

const sameData = (a: LayerData, b: LayerData) =>
  a.node === b.node && a.keyParams === b.keyParams && a.shape === b.shape && a.params === b.params &&
  a.error === b.error && a.warning === b.warning && a.maxInputs === b.maxInputs;

export class FlowCache {
  private nodes = new Map<string, LayerFlowNode>();
  private edges = new Map<string, ShapeFlowEdge>();

  deriveNodes(doc: LoomDocument, a: Analysis, positions: Record<string, Position>, selected: ReadonlySet<string>,
    measured: ReadonlyMap<string, Dims>): LayerFlowNode[] {
    const next = new Map<string, LayerFlowNode>();
    const out = doc.nodes.map((n) => {
      const info = a.nodes[n.id];
      const errs = info?.errors ?? [];
      const data: LayerData = {
        node: n,
        keyParams: keyParamsLabel(n.type, info?.resolved ?? null),
        shape: shapeLabel(info?.outputShape),
        params: info?.params ?? 0,
        error: errs.filter((e) => e.severity === 'error').map((e) => e.message).join('\n') || null,
        warning: errs.filter((e) => e.severity === 'warning').map((e) => e.message).join('\n') || null,
        maxInputs: isLayerType(n.type) ? getLayerDef(n.type).inputs.max : 1,
      };
      const position = positions[n.id] ?? { x: 0, y: 0 };
      const isSel = selected.has(n.id);
      const dims = measured.get(n.id);
      const prev = this.nodes.get(n.id);
      let node: LayerFlowNode;
      if (prev && prev.position === position && prev.selected === isSel && prev.measured === dims && sameData(prev.data, data)) {
        node = prev;
      } else {
        node = {
          id: n.id, type: 'layer', position, selected: isSel,
          data: prev && sameData(prev.data, data) ? prev.data : data,
          ...(dims ? { measured: dims } : {}),
        };
      }
      next.set(n.id, node);
      return node;
    });
    this.nodes = next;
    return out;
  }

  deriveEdges(doc: LoomDocument, a: Analysis, selected: ReadonlySet<string>): ShapeFlowEdge[] {
    const next = new Map<string, ShapeFlowEdge>();
    const ids = new Set(doc.nodes.map((n) => n.id));
    // Input slot of each edge into a multi-input node (file order; toPort first, as analysis does).
    const slot = new Map<string, number>();
    for (const n of doc.nodes) {
      const inputs = a.nodes[n.id]?.inputShapes.length ?? 0;
      if (inputs > 1 || (isLayerType(n.type) && getLayerDef(n.type).inputs.max > 1)) {
        const incoming = doc.edges.filter((e) => e.to === n.id)
          .map((e, i) => ({ e, port: e.toPort ?? Number.MAX_SAFE_INTEGER, i }))
          .sort((x, y) => x.port - y.port || x.i - y.i);
        incoming.forEach(({ e }, i) => slot.set(edgeKey(e), i + 1));
      }
    }
    const out: ShapeFlowEdge[] = [];
    for (const e of doc.edges) {
      if (!ids.has(e.from) || !ids.has(e.to)) continue;
      const id = edgeKey(e);
      if (next.has(id)) continue;
      const src = a.nodes[e.from];
      const s = slot.get(id);
      const label = `${s ? `#${s} ` : ''}${shapeLabel(src?.outputShape)}`;
      const error = !src?.outputShape || (a.nodes[e.to]?.errors.some((x) => x.severity === 'error') ?? false);
      const isSel = selected.has(id);
      const prev = this.edges.get(id);
      const edge: ShapeFlowEdge = prev && prev.data?.label === label && prev.data.error === error && prev.selected === isSel
        ? prev
        : { id, source: e.from, target: e.to, type: 'shape', selected: isSel, data: { label, error } };
      next.set(id, edge);
      out.push(edge);
    }
    this.edges = next;
    return out;
  }
}
