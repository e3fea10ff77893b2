/**
 * Analysis memoised per document version. Only `nodes` and `edges` affect shapes, so the cache is
 * keyed by those two (immutable) arrays: moving nodes (a new `layout`) or renaming the model reuses
 * the previous analysis instead of recomputing it on every drag frame.
 */
import { analyze, type Analysis } from '../../shared/analysis';
import type { LoomDocument } from '../../shared/document';

const cache = new WeakMap<LoomDocument['nodes'], WeakMap<LoomDocument['edges'], Analysis>>();

export function analysisOf(doc: Pick<LoomDocument, 'nodes' | 'edges'>): Analysis {
  let byEdges = cache.get(doc.nodes);
  if (!byEdges) cache.set(doc.nodes, (byEdges = new WeakMap()));
  let a = byEdges.get(doc.edges);
  if (!a) {
    a = analyze(doc);
    byEdges.set(doc.edges, a);
  }
  return a;
}
