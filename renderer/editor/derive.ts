/**
 * React Flow nodes and edges as a derived view of the document + selection + analysis. Node and
 * edge objects are cached per id and reused while nothing they show changed, so that an edit to
 * one node re-renders that node (and what its shape change reaches downstream), not all 300.
 * Nothing here holds a callback: node components read actions from the store themselves.
 */
import type { Edge, Node } from '@xyflow/react';
import type { Analysis, NodeInfo } from '../../shared/analysis';
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
  private infos = new Map<string, NodeInfo | undefined>();

  deriveNodes(doc: LoomDocument, a: Analysis, positions: Record<string, Position>, selected: ReadonlySet<string>,
    measured: ReadonlyMap<string, Dims>): LayerFlowNode[] {
    const next = new Map<string, LayerFlowNode>();
    const infos = new Map<string, NodeInfo | undefined>();
    const out = doc.nodes.map((n) => {
      const info = a.nodes[n.id];
      const prev = this.nodes.get(n.id);
      // Same node and same analysis (e.g. a drag frame): the card's data cannot have changed.
      const data: LayerData = prev && prev.data.node === n && this.infos.get(n.id) === info ? prev.data : this.data(n, info);
      infos.set(n.id, info);
      const position = positions[n.id] ?? { x: 0, y: 0 };
      const isSel = selected.has(n.id);
      const dims = measured.get(n.id);
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
    this.infos = infos;
    return out;
  }

  private data(n: LoomNode, info: NodeInfo | undefined): LayerData {
    const errs = info?.errors ?? [];
    return {
      node: n,
      keyParams: keyParamsLabel(n.type, info?.resolved ?? null, n.params ?? {}),
      shape: shapeLabel(info?.outputShape),
      params: info?.params ?? 0,
      error: errs.filter((e) => e.severity === 'error').map((e) => e.message).join('\n') || null,
      warning: errs.filter((e) => e.severity === 'warning').map((e) => e.message).join('\n') || null,
      maxInputs: isLayerType(n.type) ? getLayerDef(n.type).inputs.max : 1,
    };
  }

  deriveEdges(doc: Pick<LoomDocument, 'nodes' | 'edges'>, a: Analysis, selected: ReadonlySet<string>): ShapeFlowEdge[] {
    const next = new Map<string, ShapeFlowEdge>();
    const ids = new Set(doc.nodes.map((n) => n.id));
    // Input slot of each edge into a multi-input node (file order; toPort first, as analysis does).
    const slot = new Map<string, number>();
    const incomingOf = new Map<string, LoomDocument['edges']>();
    for (const e of doc.edges) {
      const list = incomingOf.get(e.to);
      if (list) list.push(e);
      else incomingOf.set(e.to, [e]);
    }
    for (const n of doc.nodes) {
      const list = incomingOf.get(n.id) ?? [];
      if (list.length > 1 || (isLayerType(n.type) && getLayerDef(n.type).inputs.max > 1)) {
        const incoming = list.map((e, i) => ({ e, port: e.toPort ?? Number.MAX_SAFE_INTEGER, i }))
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
