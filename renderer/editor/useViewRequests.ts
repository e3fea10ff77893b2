/**
 * The canvas's answers to the store's view requests: fit (readable, editor/fit.ts), zoom in / out /
 * 100 %, and centre on a node. Handles follow the layout's direction: when it flips, React Flow
 * measures the cards' handles again.
 */
import { useReactFlow, useUpdateNodeInternals } from '@xyflow/react';
import { useEffect, type RefObject } from 'react';
import { useEditor } from '../store';
import { flowDirectionOf, NODE_W, positionsOf } from '../store/layout';
import { readableFit } from './fit';

export function useViewRequests(wrapper: RefObject<HTMLDivElement | null>): void {
  const flow = useReactFlow();
  const updateNodeInternals = useUpdateNodeInternals();
  const fitRequest = useEditor((s) => s.fitRequest);
  const focusRequest = useEditor((s) => s.focusRequest);
  const zoomRequest = useEditor((s) => s.zoomRequest);
  const direction = useEditor((s) => flowDirectionOf(s.doc));

  // Fit once at start when there is something to show (not on the first node dropped on an empty
  // canvas: the view must not jump under the person's hand).
  useEffect(() => {
    if (useEditor.getState().doc.nodes.length) useEditor.getState().requestFit();
  }, []);
  useEffect(() => {
    if (!fitRequest) return;
    requestAnimationFrame(() => {
      const nodes = flow.getNodes();
      const el = wrapper.current;
      if (!nodes.length || !el) return;
      void flow.setViewport(readableFit(flow.getNodesBounds(nodes), el.clientWidth, el.clientHeight), { duration: 200 });
    });
  }, [fitRequest, flow, wrapper]);
  useEffect(() => {
    if (!zoomRequest) return;
    if (zoomRequest.kind === 'in') void flow.zoomIn({ duration: 150 });
    else if (zoomRequest.kind === 'out') void flow.zoomOut({ duration: 150 });
    else void flow.zoomTo(1, { duration: 150 });
  }, [zoomRequest, flow]);
  useEffect(() => {
    if (!focusRequest) return;
    const p = positionsOf(useEditor.getState().doc)[focusRequest.id];
    if (p) void flow.setCenter(p.x + NODE_W / 2, p.y + 40, { zoom: Math.max(flow.getZoom(), 0.8), duration: 250 });
  }, [focusRequest, flow]);
  useEffect(() => {
    updateNodeInternals(useEditor.getState().doc.nodes.map((n) => n.id));
  }, [direction, updateNodeInternals]);
}
