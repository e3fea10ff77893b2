import { beforeAll, describe, expect, it } from 'vitest';
import { LAYER_TYPES, UnknownLayerTypeError, weightSpecs, type Shape } from '../../shared/catalog';
import { LAYER_EXAMPLES, exampleDocument, type LayerExample } from '../../shared/catalog/examples';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../shared/analysis';
import { parseDocument } from '../../shared/document';
import type { LoomDocument } from '../../shared/document';
import { BUILDERS, compileModel, ModelBuildError } from './compile';
import { tf } from './tfjs';

const doc = (nodes: LoomDocument['nodes'], edges: LoomDocument['edges']): LoomDocument =>
  ({ format: 'layerloom.model', version: 1, name: 't', nodes, edges });

function randomInputs(shapes: number[][], dtypes: string[], vocab = 5): tf.Tensor[] {
  return shapes.map((s, i) => (dtypes[i] === 'int32'
    ? tf.randomUniform([2, ...s], 0, vocab, 'int32')
    : tf.randomNormal([2, ...s])));
}

describe('compiler', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has a builder for every catalog type', () => {
    expect(Object.keys(BUILDERS).sort()).toEqual([...LAYER_TYPES].sort());
  });

  it.each(LAYER_TYPES.filter((t) => t !== 'Input'))('%s: every example builds with the inferred shape and parameter count', (t) => {
    for (const ex of LAYER_EXAMPLES[t]) {
      const c = compileModel(exampleDocument(t, ex), { seed: 1 });
      const info = c.analysis.nodes.layer!;
      expect(c.model.countParams()).toBe(c.analysis.totalParams);
      expect(c.model.getLayer('layer').countParams()).toBe(info.params);
      expect(c.model.outputs[0]!.shape).toEqual([null, ...info.outputShape!]);
      const xs = randomInputs(c.inputShapes, c.inputDtypes, (ex as LayerExample).intInputs?.vocab);
      const y = c.model.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor;
      expect(y.shape).toEqual([2, ...info.outputShape!]);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([...xs, y]);
      c.model.dispose();
    }
  });

  it.each(LAYER_TYPES.filter((t) => t !== 'Input'))('%s: every example holds exactly the weights its catalog entry declares (order, names, shapes, trainable)', (t) => {
    for (const ex of LAYER_EXAMPLES[t]) {
      const c = compileModel(exampleDocument(t, ex), { seed: 1 });
      const info = c.analysis.nodes.layer!;
      const declared = weightSpecs(info.layer!, info.inputShapes as Shape[]).map((w) => [w.name, w.shape, w.trainable]);
      // TF.js names a wrapped layer's weights after it (`forward_layer_lstm/kernel`); the catalog after its role (`forward/kernel`).
      const built = c.model.getLayer('layer').weights
        .map((w) => [w.originalName.replace(/^layer\//, '').replace(/^(forward|backward)_layer_\w+\//, '$1/'), w.shape, w.trainable]);
      expect(built).toEqual(declared);
      c.model.dispose();
    }
  });

  it('builds a DAG with a skip connection, two inputs and two outputs', () => {
    const c = compileModel(doc([
      { id: 'a', type: 'Input', params: { shape: [8] } },
      { id: 'b', type: 'Input', params: { shape: [4] } },
      { id: 'd1', type: 'Dense', params: { units: 8, activation: 'relu' } },
      { id: 'sum', type: 'Add', params: {} },
      { id: 'cat', type: 'Concatenate', params: {} },
      { id: 'out1', type: 'Dense', params: { units: 3, activation: 'softmax' } },
      { id: 'out2', type: 'Dense', params: { units: 1 } },
    ], [
      { from: 'a', to: 'd1' }, { from: 'd1', to: 'sum' }, { from: 'a', to: 'sum' },
      { from: 'sum', to: 'cat' }, { from: 'b', to: 'cat' }, { from: 'cat', to: 'out1' }, { from: 'sum', to: 'out2' },
    ]));
    expect(c.inputIds).toEqual(['a', 'b']);
    expect(c.outputIds).toEqual(['out1', 'out2']);
    expect(c.model.countParams()).toBe(c.analysis.totalParams);
    const ys = c.model.predict([tf.ones([3, 8]), tf.ones([3, 4])]) as tf.Tensor[];
    expect(ys.map((y) => y.shape)).toEqual([[3, 3], [3, 1]]);
    tf.dispose(ys);
    c.model.dispose();
  });

  it('the same seed gives the same initial weights', () => {
    const d = doc([{ id: 'i', type: 'Input', params: { shape: [4] } }, { id: 'o', type: 'Dense', params: { units: 2 } }], [{ from: 'i', to: 'o' }]);
    const w = (seed: number) => {
      const c = compileModel(d, { seed });
      const v = Array.from(c.model.getWeights()[0]!.dataSync());
      c.model.dispose();
      return v;
    };
    expect(w(7)).toEqual(w(7));
    expect(w(7)).not.toEqual(w(8));
  });

  it('names the node for an invalid model and an unknown type', () => {
    const bad = doc([{ id: 'i', type: 'Input', params: { shape: [4] } }, { id: 'x', type: 'Dense', params: { units: 0 } }], [{ from: 'i', to: 'x' }]);
    expect(() => compileModel(bad)).toThrow(ModelBuildError);
    try { compileModel(bad); } catch (e) { expect((e as ModelBuildError).nodeId).toBe('x'); }
    const unknown = doc([{ id: 'i', type: 'Input', params: { shape: [4] } }, { id: 'z', type: 'Dense9', params: {} }], [{ from: 'i', to: 'z' }]);
    expect(() => compileModel(unknown)).toThrow(/Unknown layer type "Dense9"/);
    expect(() => Reflect.get(BUILDERS, 'Dense9')).not.toThrow();
    expect(new UnknownLayerTypeError('Q').name).toBe('UnknownLayerTypeError');
  });

  const templatesDir = join(__dirname, '../../assets/templates');
  const templates = readdirSync(templatesDir).filter((f) => f.endsWith('.loom') && f !== 'cifar-shape-mistake.loom');
  it.each(templates)('template %s compiles with the parameter count of shape inference', (f) => {
    const r = parseDocument(readFileSync(join(templatesDir, f), 'utf8'));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const c = compileModel(r.doc, { seed: 3 });
    expect(c.model.countParams()).toBe(analyze(r.doc).totalParams);
    c.model.dispose();
  });

  it('refuses the intentionally broken template, naming a node', () => {
    const r = parseDocument(readFileSync(join(templatesDir, 'cifar-shape-mistake.loom'), 'utf8'));
    if (!r.ok) throw new Error('unparseable');
    expect(() => compileModel(r.doc)).toThrow(ModelBuildError);
  });

  it('prefixes node ids TF.js would reject', () => {
    const c = compileModel(doc([{ id: '_in', type: 'Input', params: { shape: [2] } }, { id: '_d', type: 'Dense', params: { units: 1 } }], [{ from: '_in', to: '_d' }]));
    expect(c.layerNames._d).toBe('n_d');
    c.model.dispose();
  });
});
