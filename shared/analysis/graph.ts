import type { LoomDocument } from '../document/schema';

/** Adjacency of a document: incoming sources per node in port order, outgoing targets. */
export interface Graph {
  ids: string[];
  /** For each node, its input node ids in input-slot order (see `orderedInputs`). */
  inputsOf: Map<string, string[]>;
  outputsOf: Map<string, string[]>;
}

/**
 * A layer with several inputs takes them in the order its edges appear in `edges`; edges with a
 * `toPort` go first, sorted by port (a stable sort keeps file order for ties).
 */
export function buildGraph(doc: Pick<LoomDocument, 'nodes' | 'edges'>): Graph {
  const ids = doc.nodes.map((n) => n.id);
  const inputsOf = new Map<string, string[]>(ids.map((id) => [id, []]));
  const outputsOf = new Map<string, string[]>(ids.map((id) => [id, []]));
  const incoming = new Map<string, { from: string; port: number }[]>();
  for (const e of doc.edges) {
    if (!inputsOf.has(e.from) || !inputsOf.has(e.to)) continue; // loader reports these
    let list = incoming.get(e.to);
    if (!list) incoming.set(e.to, (list = []));
    list.push({ from: e.from, port: e.toPort ?? Number.MAX_SAFE_INTEGER });
    outputsOf.get(e.from)!.push(e.to);
  }
  for (const [to, list] of incoming) {
    list.sort((a, b) => a.port - b.port);
    inputsOf.set(to, list.map((x) => x.from));
  }
  return { ids, inputsOf, outputsOf };
}

/**
 * Kahn's algorithm. Returns the nodes in a topological order and, separately, the nodes that sit on
 * or behind a cycle (they can never be computed), with one concrete cycle for the message.
 */
export function topoSort(g: Graph): { order: string[]; blocked: Set<string>; cycles: string[][] } {
  const indeg = new Map<string, number>();
  for (const id of g.ids) indeg.set(id, g.inputsOf.get(id)!.length);
  const queue = g.ids.filter((id) => indeg.get(id) === 0);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    order.push(id);
    for (const t of g.outputsOf.get(id)!) {
      const d = indeg.get(t)! - 1;
      indeg.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  const blocked = new Set(g.ids.filter((id) => indeg.get(id)! > 0));
  return { order, blocked, cycles: blocked.size ? findCycles(g, blocked) : [] };
}

/** At most this many concrete cycles are spelled out; other blocked nodes get a generic message. */
const MAX_CYCLES = 20;

/** Concrete cycles among blocked nodes (iterative DFS, O(nodes + edges); each node in at most one cycle). */
function findCycles(g: Graph, blocked: Set<string>): string[][] {
  const state = new Map<string, 0 | 1 | 2>();
  const cycles: string[][] = [];
  const inCycle = new Set<string>();
  const depth = new Map<string, number>();
  for (const start of blocked) {
    if (state.get(start)) continue;
    if (cycles.length >= MAX_CYCLES) break;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    const path: string[] = [start];
    state.set(start, 1);
    depth.set(start, 0);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const outs = g.outputsOf.get(top.id)!;
      if (top.next < outs.length) {
        const t = outs[top.next++]!;
        if (!blocked.has(t)) continue;
        const s = state.get(t) ?? 0;
        if (s === 1) {
          const cycle = path.slice(depth.get(t)!);
          if (cycles.length < MAX_CYCLES && !cycle.some((id) => inCycle.has(id))) {
            cycles.push(cycle);
            for (const id of cycle) inCycle.add(id);
          }
        } else if (s === 0) {
          state.set(t, 1);
          depth.set(t, path.length);
          stack.push({ id: t, next: 0 });
          path.push(t);
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
        path.pop();
      }
    }
  }
  return cycles;
}
