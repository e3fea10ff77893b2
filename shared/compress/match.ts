/**
 * Does a document still describe a run's weights? A run keeps the document it was trained from; if
 * the document was edited since (a layer added, filters changed), compressing "the model" would mean
 * weights of another architecture. Layout, name, training and dataset settings do not matter.
 */
import type { LoomDocument } from '../document';

type Graph = Pick<LoomDocument, 'nodes' | 'edges'>;

const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));

/** The first architectural difference between a document and a run's snapshot, or null. */
export function architectureDifference(doc: Graph, run: Graph): string | null {
  const theirs = new Map(run.nodes.map((n) => [n.id, n]));
  const ours = new Set(doc.nodes.map((n) => n.id));
  for (const n of doc.nodes) {
    const r = theirs.get(n.id);
    if (!r) return `the document has a node "${n.id}" (${n.type}) the run does not`;
    if (r.type !== n.type) return `node "${n.id}" is a ${n.type} in the document but a ${r.type} in the run`;
    for (const k of new Set([...Object.keys(n.params), ...Object.keys(r.params)])) {
      if (JSON.stringify(n.params[k]) !== JSON.stringify(r.params[k])) {
        return `${n.type} "${n.id}" has ${k} ${show(n.params[k])} in the document but ${show(r.params[k])} in the run`;
      }
    }
  }
  for (const r of run.nodes) if (!ours.has(r.id)) return `the run has a node "${r.id}" (${r.type}) the document does not`;
  const key = (e: Graph['edges'][number]) => `${e.from} → ${e.to}${e.toPort === undefined ? '' : ` (port ${e.toPort})`}`;
  const a = doc.edges.map(key), b = run.edges.map(key);
  const onlyDoc = a.find((e) => !b.includes(e));
  if (onlyDoc) return `the document connects ${onlyDoc}, the run does not`;
  const onlyRun = b.find((e) => !a.includes(e));
  if (onlyRun) return `the run connects ${onlyRun}, the document does not`;
  if (a.join('|') !== b.join('|')) return 'the document lists the connections into a multi-input layer in another order than the run';
  return null;
}
