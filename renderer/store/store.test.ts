import cifarText from '../../assets/templates/cifar-shape-mistake.loom?raw';
import { loadDocumentOrThrow } from '../../shared/document';
import { analysisOf, createEditorStore, edgeKey, redo, undo, type EditorStore } from './index';

const chain = (store: EditorStore) => {
  const s = store.getState();
  const input = s.addNode('Input', { position: { x: 0, y: 0 }, params: { shape: [784] } });
  const dense = s.addNode('Dense', { after: input });
  const out = s.addNode('Dense', { after: dense, params: { units: 10, activation: 'softmax' } });
  return { input, dense, out };
};
/** Two [4] Inputs feeding an Add, in that order (input slots 0 and 1). */
const twoInputsIntoAdd = (store: EditorStore) => {
  const s = store.getState();
  const a = s.addNode('Input', { params: { shape: [4] } });
  const b = s.addNode('Input', { params: { shape: [4] } });
  const add = s.addNode('Add');
  s.connect(a, add);
  s.connect(b, add);
  return { a, b, add };
};
const past = (store: EditorStore) => store.temporal.getState().pastStates.length;

describe('editor store', () => {
  let store: EditorStore;
  beforeEach(() => {
    store = createEditorStore();
  });

  it('adds nodes after the selected one and connects them', () => {
    const { input, dense, out } = chain(store);
    const { doc } = store.getState();
    expect(doc.nodes.map((n) => n.id)).toEqual([input, dense, out]);
    expect(doc.edges).toEqual([{ from: input, to: dense }, { from: dense, to: out }]);
    expect(analysisOf(doc).nodes[out]!.outputShape).toEqual([10]);
  });

  it('undoes and redoes document edits, not selection changes', () => {
    const { dense } = chain(store);
    const before = past(store);
    store.getState().select([dense]);
    store.getState().clearSelection();
    expect(past(store)).toBe(before);
    store.getState().setParam([dense], 'units', 64);
    expect(store.getState().doc.nodes[1]!.params.units).toBe(64);
    undo(store);
    expect(store.getState().doc.nodes[1]!.params.units).toBeUndefined();
    redo(store);
    expect(store.getState().doc.nodes[1]!.params.units).toBe(64);
  });

  it('a drag is one undo step, however many moves it makes', () => {
    const { dense } = chain(store);
    const start = store.getState().doc;
    const before = past(store);
    store.getState().beginDrag();
    for (let i = 1; i <= 20; i++) store.getState().moveNodes({ [dense]: { x: i * 10, y: 300 } });
    store.getState().endDrag();
    expect(past(store)).toBe(before + 1);
    expect(store.getState().doc.layout![dense]).toEqual({ x: 200, y: 300 });
    undo(store);
    expect(store.getState().doc).toBe(start);
    redo(store);
    expect(store.getState().doc.layout![dense]).toEqual({ x: 200, y: 300 });
  });

  it('a multi-node edit is one undo step', () => {
    const s = store.getState();
    const a = s.addNode('Dense');
    const b = s.addNode('Dense');
    const before = past(store);
    store.getState().setParam([a, b], 'units', 7);
    expect(past(store)).toBe(before + 1);
    expect(store.getState().doc.nodes.map((n) => n.params.units)).toEqual([7, 7]);
    undo(store);
    expect(store.getState().doc.nodes.map((n) => n.params.units)).toEqual([undefined, undefined]);
  });

  it('edits with the same coalesce key (one typing session) are one step, until something else changes', () => {
    const { dense, out } = chain(store);
    const before = past(store);
    for (const v of [1, 12, 128]) store.getState().setParam([dense], 'units', v, 'typing-1');
    expect(past(store)).toBe(before + 1);
    store.getState().setParam([out], 'units', 3);
    store.getState().setParam([dense], 'units', 64, 'typing-1');
    expect(past(store)).toBe(before + 3);
    undo(store);
    expect(store.getState().doc.nodes[1]!.params.units).toBe(128);
  });

  it('deleting a node cascades to its edges and layout, in one step', () => {
    const { input, dense, out } = chain(store);
    const before = past(store);
    store.getState().select([dense]);
    store.getState().deleteSelection();
    const { doc } = store.getState();
    expect(doc.nodes.map((n) => n.id)).toEqual([input, out]);
    expect(doc.edges).toEqual([]);
    expect(doc.layout![dense]).toBeUndefined();
    expect(past(store)).toBe(before + 1);
    undo(store);
    expect(store.getState().doc.edges).toHaveLength(2);
  });

  it('deletes selected edges only', () => {
    const { input, dense } = chain(store);
    store.getState().select([], [edgeKey({ from: input, to: dense })]);
    store.getState().deleteSelection();
    expect(store.getState().doc.nodes).toHaveLength(3);
    expect(store.getState().doc.edges).toHaveLength(1);
  });

  it('copy/paste creates fresh ids, keeps inner edges, offsets positions and selects the copies', () => {
    const { input, dense, out } = chain(store);
    store.getState().select([dense, out]);
    store.getState().copySelection();
    const ids = store.getState().paste();
    const { doc, selectedNodes } = store.getState();
    expect(ids).toEqual(['dense_3', 'dense_4']);
    expect(selectedNodes).toEqual(ids);
    expect(doc.nodes).toHaveLength(5);
    expect(doc.edges).toContainEqual({ from: 'dense_3', to: 'dense_4' });
    expect(doc.edges.filter((e) => e.from === input)).toHaveLength(1); // outside edge not copied
    expect(doc.nodes.find((n) => n.id === 'dense_4')!.params).toEqual({ units: 10, activation: 'softmax' });
    const p = doc.layout!;
    expect(p['dense_3']).toEqual({ x: p[dense]!.x + 40, y: p[dense]!.y + 40 });
    undo(store);
    expect(store.getState().doc.nodes).toHaveLength(3);
  });

  it('merge layers take several inputs in order; single-input layers get their input replaced', () => {
    const s = store.getState();
    const a = s.addNode('Input');
    const b = s.addNode('Input');
    const add = s.addNode('Concatenate');
    const d = s.addNode('Dense');
    expect(store.getState().connect(a, add)).toBe(true);
    expect(store.getState().connect(b, add)).toBe(true);
    expect(store.getState().connect(a, add)).toBe(false); // duplicate
    expect(store.getState().connect(add, add)).toBe(false);
    expect(store.getState().connect(d, a)).toBe(false); // Input takes no input
    store.getState().connect(a, d);
    store.getState().connect(b, d);
    const edges = store.getState().doc.edges;
    expect(edges.filter((e) => e.to === add).map((e) => e.from)).toEqual([a, b]);
    expect(edges.filter((e) => e.to === d).map((e) => e.from)).toEqual([b]);
    store.getState().moveInput(add, 0, 1);
    expect(store.getState().doc.edges.filter((e) => e.to === add).map((e) => e.from)).toEqual([b, a]);
  });

  it('moves an edge to new ends in place (one step), refusing impossible targets', () => {
    const { a, b, add } = twoInputsIntoAdd(store);
    const c = store.getState().addNode('Input', { params: { shape: [4] } });
    expect(store.getState().reconnect(edgeKey({ from: a, to: add }), c, add)).toBe(true);
    expect(store.getState().doc.edges.map(edgeKey)).toEqual([edgeKey({ from: c, to: add }), edgeKey({ from: b, to: add })]);
    expect(store.getState().reconnect(edgeKey({ from: c, to: add }), add, a)).toBe(false); // into an Input
    expect(store.getState().reconnect(edgeKey({ from: c, to: add }), b, add)).toBe(false); // duplicate
    undo(store);
    expect(store.getState().doc.edges.map(edgeKey)).toEqual([edgeKey({ from: a, to: add }), edgeKey({ from: b, to: add })]);
  });

  it('inserts a layer on an edge, keeping the target\'s input slot', () => {
    const { a, b, add } = twoInputsIntoAdd(store);
    const id = store.getState().insertOnEdge(edgeKey({ from: a, to: add }), 'Dense', { x: 5, y: 5 })!;
    expect(id).toBe('dense');
    const into = store.getState().doc.edges.filter((e) => e.to === add).map((e) => e.from);
    expect(into).toEqual(['dense', b]);
    expect(store.getState().doc.edges).toContainEqual({ from: a, to: 'dense' });
    expect(store.getState().insertOnEdge(edgeKey({ from: b, to: add }), 'Input', { x: 0, y: 0 })).toBeNull();
    expect(store.getState().insertOnEdge(edgeKey({ from: b, to: add }), 'Add', { x: 0, y: 0 })).toBeNull();
  });

  it('applies a quick fix from analysis, and undo brings the error back', () => {
    const text = cifarText;
    store.getState().loadDocument(loadDocumentOrThrow(text), null);
    expect(past(store)).toBe(0);
    const err = analysisOf(store.getState().doc).errors.find((e) => e.nodeId === 'reshape')!;
    expect(err.fix?.label).toBe('Set Reshape target to [4096]');
    store.getState().applyQuickFix('reshape', err.fix!);
    expect(analysisOf(store.getState().doc).errors).toEqual([]);
    expect(store.getState().doc).not.toBe(store.getState().savedDoc);
    undo(store);
    expect(store.getState().doc).toBe(store.getState().savedDoc);
  });

  it('an "Insert Flatten" fix puts the new layer in the fixed node\'s place and moves the rest down', () => {
    const s = store.getState();
    const x = s.addNode('Input', { position: { x: 0, y: 0 } });
    const conv = s.addNode('Conv2D', { after: x });
    const dense = s.addNode('Dense', { after: conv });
    const out = s.addNode('Dense', { after: dense });
    const err = analysisOf(store.getState().doc).errors.find((e) => e.nodeId === dense)!;
    expect(err.fix).toMatchObject({ kind: 'insertBefore', layerType: 'Flatten' });
    const l0 = store.getState().doc.layout!;
    store.getState().applyQuickFix(dense, err.fix!);
    const { doc } = store.getState();
    const l = doc.layout!;
    expect(l.flatten).toEqual(l0[dense]);
    expect(l[dense]!.y).toBeGreaterThan(l0[dense]!.y);
    expect(l[out]!.y - l[dense]!.y).toBe(l0[out]!.y - l0[dense]!.y);
    expect(analysisOf(doc).errors).toEqual([]);
  });

  it('renames a node, moving its edges and position with it', () => {
    const { input, dense } = chain(store);
    expect(store.getState().renameNode(dense, 'hidden')).toBeNull();
    expect(store.getState().renameNode('hidden', input)).toMatch(/already used/);
    expect(store.getState().renameNode('hidden', '9bad')).toMatch(/must start/);
    const { doc } = store.getState();
    expect(doc.edges[0]).toEqual({ from: input, to: 'hidden' });
    expect(doc.layout!.hidden).toBeDefined();
  });

  it('auto layout positions every node, top to bottom, as one step', () => {
    const { input, out } = chain(store);
    store.getState().moveNodes({ [out]: { x: 900, y: -400 } });
    store.getState().autoLayout();
    const l = store.getState().doc.layout!;
    expect(l[out]!.y).toBeGreaterThan(l[input]!.y);
  });
});
