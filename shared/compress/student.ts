/**
 * "Make a student": the teacher's graph at a width multiplier (½, ¼): every width-setting layer's
 * units/filters/outputDim scaled (rounded, at least 1), then shapes re-inferred. Widths that must
 * stay are kept: a layer whose width reaches a model output (the classes), and widths tied to one
 * that must stay (the inputs of an Add/Multiply share one width; an Input's width, a Reshape's
 * fixed target). The result is a new document; nothing else about the graph changes.
 */
import { analyze, blockingErrors, buildGraph, type ModelError } from '../analysis';
import type { LoomDocument } from '../document';

/** The width parameter of each layer type that sets its output width. */
export const WIDTH_PARAMS: Readonly<Record<string, string>> = {
  Dense: 'units', Conv1D: 'filters', Conv2D: 'filters', Conv2DTranspose: 'filters', SeparableConv2D: 'filters',
  SimpleRNN: 'units', LSTM: 'units', GRU: 'units', Bidirectional: 'units', Embedding: 'outputDim',
};

/** Layers whose output is a new width group that constrains nothing upstream. */
const DERIVED = new Set(['Flatten', 'Concatenate', 'Reshape']);
/** Layers whose inputs must share one width. */
const TIED = new Set(['Add', 'Multiply']);

export interface WidthChange {
  nodeId: string;
  param: string;
  from: number;
  to: number;
}

export interface Student<D> {
  doc: D;
  changes: WidthChange[];
  /** Width-setting layers left as they were, and why. */
  kept: { nodeId: string; reason: string }[];
  /** Blocking problems of the scaled graph (e.g. heads no longer dividing a width). */
  errors: ModelError[];
}

/** Union-find over width groups. */
class Groups {
  private parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    while (p !== (this.parent.get(p) ?? p)) p = this.parent.get(p) ?? p;
    this.parent.set(x, p);
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

export function makeStudent<D extends Pick<LoomDocument, 'nodes' | 'edges'> & { name?: string }>(doc: D, multiplier: number): Student<D> {
  if (!(multiplier > 0 && multiplier < 1)) throw new RangeError(`The width multiplier must be in (0, 1), got ${multiplier}`);
  const a = analyze(doc);
  if (blockingErrors(a).length) throw new Error(`The teacher document has errors: ${blockingErrors(a)[0]!.message}`);
  const g = buildGraph(doc);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const groups = new Groups();
  const groupOf = new Map<string, string>();
  const fixes: [string, string][] = []; // group → why its width stays
  const fix = (group: string, reason: string) => fixes.push([group, reason]);

  for (const id of a.order) {
    const node = byId.get(id)!;
    const ins = g.inputsOf.get(id)!;
    if (node.type === 'Input' || WIDTH_PARAMS[node.type] || DERIVED.has(node.type)) groupOf.set(id, id);
    else groupOf.set(id, groupOf.get(ins[0]!) ?? id);
    if (node.type === 'Input') fix(id, 'the Input\'s width is the data\'s');
    if (node.type === 'Reshape') fix(groupOf.get(ins[0]!)!, `Reshape "${id}" has a fixed target shape`);
    if (TIED.has(node.type)) for (const s of ins.slice(1)) groups.union(groupOf.get(s)!, groupOf.get(ins[0]!)!);
  }
  for (const out of a.outputs) fix(groupOf.get(out)!, `its width is the output "${out}"'s`);
  // Roots only once every union is known.
  const fixed = new Map<string, string>();
  for (const [group, reason] of fixes) if (!fixed.has(groups.find(group))) fixed.set(groups.find(group), reason);

  const changes: WidthChange[] = [];
  const kept: Student<D>['kept'] = [];
  const nodes = doc.nodes.map((n) => {
    const param = WIDTH_PARAMS[n.type];
    if (!param) return n;
    const reason = fixed.get(groups.find(groupOf.get(n.id) ?? n.id));
    if (reason) {
      kept.push({ nodeId: n.id, reason });
      return n;
    }
    const from = Number(a.nodes[n.id]!.resolved![param]);
    const to = Math.max(1, Math.round(from * multiplier));
    changes.push({ nodeId: n.id, param, from, to });
    return { ...n, params: { ...n.params, [param]: to } };
  });
  const suffix = multiplier === 0.5 ? '½' : multiplier === 0.25 ? '¼' : `×${multiplier}`;
  const student = { ...doc, nodes, ...(doc.name !== undefined ? { name: `${doc.name} (student ${suffix})` } : {}) };
  return { doc: student, changes, kept, errors: blockingErrors(analyze(student)) };
}
