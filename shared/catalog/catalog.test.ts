import { describe, expect, it } from 'vitest';
import { CATALOG, CATEGORIES, LAYER_TYPES, getLayerDef, lookup, resolveParams, UnknownLayerTypeError } from './index';
import { LAYER_EXAMPLES, exampleDocument } from './examples';
import { analyze } from '../analysis';

describe('layer catalog', () => {
  it('has exactly one entry per layer type, each named after its key', () => {
    expect(Object.keys(CATALOG).sort()).toEqual([...LAYER_TYPES].sort());
    for (const t of LAYER_TYPES) expect(CATALOG[t].type).toBe(t);
  });

  it.each(LAYER_TYPES)('%s declares well-formed params whose defaults validate', (t) => {
    const def = getLayerDef(t);
    expect(CATEGORIES).toContain(def.category);
    expect(def.doc.length).toBeGreaterThan(10);
    const names = new Set<string>();
    for (const p of def.params) {
      expect(names.has(p.name), `duplicate param ${p.name}`).toBe(false);
      names.add(p.name);
      expect(p.doc.length).toBeGreaterThan(5);
      if (p.type === 'enum') expect(p.enum).toContain(p.default);
    }
    expect(resolveParams(def, {}).issues).toEqual([]);
  });

  it.each(LAYER_TYPES)('%s: every example infers a shape without errors', (t) => {
    for (const ex of LAYER_EXAMPLES[t]) {
      const a = analyze(exampleDocument(t, ex));
      expect(a.errors.filter((e) => e.severity === 'error')).toEqual([]);
      expect(a.nodes.layer!.outputShape).not.toBeNull();
    }
  });

  it('unknown types throw a named error from getLayerDef and lookup', () => {
    expect(() => getLayerDef('Dense2', 'n1')).toThrow(UnknownLayerTypeError);
    expect(() => getLayerDef('Dense2', 'n1')).toThrow(/Unknown layer type "Dense2" \(node "n1"\)/);
    expect(() => lookup(CATALOG, 'toString')).toThrow(UnknownLayerTypeError);
  });

  it('reports wrong param values and unknown params by name', () => {
    const { issues } = resolveParams(CATALOG.Dense, { units: 0, activation: 'relux', unit: 3 });
    expect(issues.map((i) => i.field).sort()).toEqual(['activation', 'unit', 'units']);
    expect(issues.find((i) => i.field === 'units')!.message).toMatch(/at least 1, got 0/);
    expect(issues.find((i) => i.field === 'unit')!.message).toMatch(/no param "unit"/);
  });

  it('normalises 2-D paddings the Keras ways to [[top, bottom], [left, right]]', () => {
    const pads = (padding: unknown) => resolveParams(CATALOG.ZeroPadding2D, { padding });
    expect(resolveParams(CATALOG.ZeroPadding2D, {}).params.padding).toEqual([[1, 1], [1, 1]]);
    expect(pads(2).params.padding).toEqual([[2, 2], [2, 2]]);
    expect(pads([2, 1]).params.padding).toEqual([[2, 2], [1, 1]]);
    expect(pads([[1, 2], [0, 3]]).params.padding).toEqual([[1, 2], [0, 3]]);
    expect(pads([1, 2, 3]).issues[0]!.message).toMatch(/\[\[top, bottom\], \[left, right\]\]/);
    expect(pads(-1).issues[0]!.message).toMatch(/between 0 and/);
    const a = analyze(exampleDocument('ZeroPadding2D', { inputs: [[4, 3, 1]], params: { padding: [[1, 2], [0, 3]] } }));
    expect(a.nodes.layer!.outputShape).toEqual([7, 6, 1]);
  });

  it('normalises sizes: an int kernelSize becomes a square', () => {
    expect(resolveParams(CATALOG.Conv2D, { kernelSize: 5 }).params.kernelSize).toEqual([5, 5]);
    expect(resolveParams(CATALOG.Conv2D, { kernelSize: [3, 1] }).params.kernelSize).toEqual([3, 1]);
    expect(resolveParams(CATALOG.Conv2D, { kernelSize: [3] }).issues[0]!.field).toBe('kernelSize');
  });
});
