/** A small SVG picture of a model's graph (template gallery), drawn from its layout. */
import { memo, useMemo } from 'react';
import { analyze } from '../../shared/analysis';
import type { LoomDocument } from '../../shared/document';
import { NODE_H, NODE_W, positionsOf } from '../store/layout';

export const GraphPicture = memo(function GraphPicture({ doc, width = 120, height = 150 }: { doc: LoomDocument; width?: number; height?: number }) {
  const pic = useMemo(() => {
    const pos = positionsOf(doc);
    const errs = new Set(analyze(doc).errors.filter((e) => e.severity === 'error').map((e) => e.nodeId));
    const xs = doc.nodes.map((n) => pos[n.id]?.x ?? 0), ys = doc.nodes.map((n) => pos[n.id]?.y ?? 0);
    const minX = Math.min(...xs, 0), minY = Math.min(...ys, 0);
    const w = Math.max(...xs, 0) - minX + NODE_W, h = Math.max(...ys, 0) - minY + NODE_H;
    return { pos, errs, minX, minY, w, h };
  }, [doc]);
  const { pos, errs, minX, minY, w, h } = pic;
  const pad = 20;
  return (
    <svg className="graph-picture" width={width} height={height} viewBox={`${minX - pad} ${minY - pad} ${w + 2 * pad} ${h + 2 * pad}`}
      preserveAspectRatio="xMidYMid meet" role="img" aria-label={`Graph of ${doc.name}`}>
      {doc.edges.map((e, i) => {
        const a = pos[e.from], b = pos[e.to];
        if (!a || !b) return null;
        return <line key={i} x1={a.x + NODE_W / 2} y1={a.y + NODE_H} x2={b.x + NODE_W / 2} y2={b.y} className="gp-edge" />;
      })}
      {doc.nodes.map((n) => {
        const p = pos[n.id];
        if (!p) return null;
        return <rect key={n.id} x={p.x} y={p.y} width={NODE_W} height={NODE_H} rx={14}
          className={`gp-node gp-${n.type === 'Input' ? 'input' : errs.has(n.id) ? 'error' : 'layer'}`} />;
      })}
    </svg>
  );
});
