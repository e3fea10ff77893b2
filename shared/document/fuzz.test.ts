/**
 * Robust loading: thousands of mutated and random documents go through the loader and shape
 * inference. Neither may throw or hang; every rejected document gets at least one error that names
 * a field (a path) or a node, and every error is a readable sentence.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument, validateDocument } from './index';
import { analyze } from '../analysis';
import { LAYER_TYPES } from '../catalog';
import { mulberry32 } from '../random';

const rng = mulberry32;

const dir = new URL('../../assets/templates/', import.meta.url);
const templates = readdirSync(dir).filter((f) => f.endsWith('.loom')).map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')));

const WEIRD: unknown[] = [
  null, true, false, 0, -1, -1e9, 1e308, 2 ** 53, 0.5, NaN, '', 'x', 'Dense', '__proto__', [], [0], [-3, 4], [1e9, 1e9, 1e9],
  {}, { a: 1 }, [[1]], 'relu', Array(50).fill(7),
];

function randomValue(r: () => number, depth = 0): unknown {
  const k = r();
  if (depth > 2 || k < 0.6) return WEIRD[Math.floor(r() * WEIRD.length)];
  if (k < 0.8) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`k${i}`, randomValue(r, depth + 1)]));
}

/** Mutate a JSON tree in place at a random spot. */
function mutate(doc: any, r: () => number): void {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const all: any[] = Array.isArray(doc.nodes) ? doc.nodes : [];
  const isObj = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  // Earlier mutations may have replaced nodes/edges by junk: only mutate the objects still there.
  const nodes = Object.assign(all.filter(isObj), { push: (x: unknown) => all.push(x), splice: (i: number, k: number) => all.splice(i, k) }) as any[];
  const edgeList: any[] = Array.isArray(doc.edges) ? doc.edges : [];
  const edges = Object.assign(edgeList.filter(isObj), { push: (x: unknown) => edgeList.push(x), splice: (i: number, k: number) => edgeList.splice(i, k) }) as any[];
  const ops = [
    () => { doc[pick(['format', 'version', 'name', 'nodes', 'edges', 'layout', 'training', 'dataset', 'extra'])] = randomValue(r); },
    () => { delete doc[pick(['format', 'version', 'nodes', 'edges', 'name'])]; },
    () => { if (nodes.length) pick(nodes).type = pick([...LAYER_TYPES, 'Nope', '', 'Conv3D']); },
    () => { if (nodes.length) { const n = pick(nodes); n.params = { ...(n.params ?? {}), [pick(['units', 'filters', 'kernelSize', 'shape', 'targetShape', 'poolSize', 'rate', 'axis', 'strides', 'numHeads', 'bogus'])]: randomValue(r) }; } },
    () => { if (nodes.length) pick(nodes)[pick(['id', 'type', 'params', 'extra'])] = randomValue(r); },
    () => { if (nodes.length) delete pick(nodes)[pick(['id', 'type', 'params'])]; },
    () => { if (nodes.length) { const n = pick(nodes); edges.push({ from: n.id, to: n.id }); } },
    () => { if (nodes.length > 1) edges.push({ from: pick(nodes).id, to: pick(nodes).id, ...(r() < 0.3 ? { toPort: Math.floor(r() * 3) } : {}) }); },
    () => { if (edges.length) edges.splice(Math.floor(r() * edges.length), 1); },
    () => { if (edges.length) pick(edges)[pick(['from', 'to', 'toPort'])] = randomValue(r); },
    () => { if (nodes.length) nodes.push({ ...pick(nodes) }); },
    () => { if (nodes.length) nodes.splice(Math.floor(r() * nodes.length), 1); },
    () => { if (nodes.length) pick(nodes).params = { shape: [Math.floor(r() * 5e6), -2] }; },
  ];
  pick(ops)();
}

function check(value: unknown): void {
  const r = validateDocument(value);
  if (!r.ok) {
    expect(r.errors.length).toBeGreaterThan(0);
    for (const e of r.errors) {
      expect(typeof e.message).toBe('string');
      expect(e.message.length).toBeGreaterThan(3);
      // A file-level error (no path) is only allowed for "not an object" / JSON problems.
      if (!e.path) expect(typeof value !== 'object' || value === null || Array.isArray(value)).toBe(true);
    }
    return;
  }
  const a = analyze(r.doc);
  for (const e of a.errors) {
    expect(e.message.length).toBeGreaterThan(3);
    if (e.nodeId !== null) expect(a.nodes[e.nodeId]).toBeDefined();
  }
  for (const n of Object.values(a.nodes)) {
    if (n.outputShape) expect(n.outputShape.every((d) => Number.isInteger(d) && d >= 1)).toBe(true);
    expect(Number.isFinite(n.params)).toBe(true);
  }
}

describe('fuzzing the loader and shape inference', () => {
  it('survives 4,000 mutated templates', () => {
    const r = rng(1234);
    let rejected = 0, withErrors = 0;
    for (let i = 0; i < 4000; i++) {
      const doc = structuredClone(templates[i % templates.length]);
      const steps = 1 + Math.floor(r() * 4);
      for (let s = 0; s < steps; s++) mutate(doc, r);
      const v = validateDocument(doc);
      if (!v.ok) rejected++;
      else if (analyze(v.doc).errors.length) withErrors++;
      check(doc);
    }
    // The mutations must actually exercise both failure layers.
    expect(rejected).toBeGreaterThan(500);
    expect(withErrors).toBeGreaterThan(500);
  });

  it('survives 2,000 random JSON values and texts', () => {
    const r = rng(99);
    for (let i = 0; i < 2000; i++) {
      check(randomValue(r));
      check({ format: 'layerloom.model', version: 1, nodes: randomValue(r), edges: randomValue(r) });
      const text = JSON.stringify(randomValue(r)) ?? '';
      const cut = text.slice(0, Math.floor(r() * text.length));
      const res = parseDocument(cut);
      if (!res.ok) expect(res.errors[0]!.message.length).toBeGreaterThan(3);
    }
  });

  it('handles huge numbers without overflowing parameter counts', () => {
    const d = { format: 'layerloom.model', version: 1, nodes: [
      { id: 'x', type: 'Input', params: { shape: [16777216] } },
      { id: 'd', type: 'Dense', params: { units: 16777216 } },
      { id: 'e', type: 'Dense', params: { units: 16777216 } },
    ], edges: [{ from: 'x', to: 'd' }, { from: 'd', to: 'e' }] };
    const r = validateDocument(d);
    expect(r.ok).toBe(true);
    const a = analyze((r as any).doc);
    expect(a.errors.map((e) => e.nodeId)).toEqual(['d']);
    expect(a.errors[0]!.message).toMatch(/parameters: reduce its size/);
  });

  it('handles a 10,000-node cycle and 10,000 random edges quickly', () => {
    const n = 10_000;
    const nodes = [{ id: 'x', type: 'Input', params: { shape: [4] } }, ...Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: 'Add', params: {} }))];
    const edges = [{ from: 'x', to: 'n0' }, ...Array.from({ length: n }, (_, i) => ({ from: `n${i}`, to: `n${(i + 1) % n}` }))];
    const t0 = performance.now();
    check({ format: 'layerloom.model', version: 1, nodes, edges });
    const r = rng(5);
    for (let i = 0; i < n; i++) edges.push({ from: `n${Math.floor(r() * n)}`, to: `n${Math.floor(r() * n)}` });
    check({ format: 'layerloom.model', version: 1, nodes, edges });
    // Generous bound: this guards against quadratic blow-ups, not speed (see bench/ for timings).
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});
