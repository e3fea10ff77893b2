import type { LoomDocument } from './schema';

/** Fixed key order of the top level and of nodes/edges, so saved files diff well. */
const TOP_ORDER = ['format', 'version', 'name', 'description', 'nodes', 'edges', 'layout', 'training', 'dataset'];
const NODE_ORDER = ['id', 'type', 'params'];
const EDGE_ORDER = ['from', 'to', 'toPort'];

function ordered(obj: Record<string, unknown>, order: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (obj[k] !== undefined) out[k] = obj[k];
  // Anything else (params, nested configs): alphabetical.
  for (const k of Object.keys(obj).filter((k) => !order.includes(k)).sort()) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

const isPrimitive = (v: unknown) => v === null || typeof v !== 'object';

/** JSON with 2-space indent, but short primitive lists and small objects on one line ([28, 28, 1]). */
function write(v: unknown, indent: string, orderFor: (path: string) => string[] | null, path: string): string {
  if (Array.isArray(v)) {
    if (v.every(isPrimitive)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${v.map((x) => inner + write(x, inner, orderFor, `${path}[]`)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const o = ordered(v as Record<string, unknown>, orderFor(path) ?? []);
    const keys = Object.keys(o);
    if (keys.length === 0) return '{}';
    // Edges, positions and leaf objects stay on one line: one line per edge/node diffs best.
    if (path === 'edges[]' || path === 'layout.*' || keys.every((k) => isPrimitive(o[k]) || (Array.isArray(o[k]) && (o[k] as unknown[]).every(isPrimitive)))) {
      const line = `{ ${keys.map((k) => `${JSON.stringify(k)}: ${write(o[k], '', orderFor, `${path}.${k}`)}`).join(', ')} }`;
      if (line.length <= 120 || path === 'edges[]' || path === 'layout.*') return line;
    }
    const inner = indent + '  ';
    const childPath = (k: string) => (path === 'layout' ? 'layout.*' : path ? `${path}.${k}` : k);
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${write(o[k], inner, orderFor, childPath(k))}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

/**
 * Canonical text of a document: stable key order (top level fixed, params alphabetical), one line
 * per edge and per position, nodes in document order, trailing newline.
 */
export function serializeDocument(doc: LoomDocument): string {
  const orderFor = (path: string) => (path === '' ? TOP_ORDER : path === 'nodes[]' ? NODE_ORDER : path === 'edges[]' ? EDGE_ORDER : null);
  return write(doc, '', orderFor, '') + '\n';
}
