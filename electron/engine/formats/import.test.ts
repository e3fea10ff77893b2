/**
 * Import round trip: every template exported to TF.js and imported back gives the same graph (node
 * ids, types, resolved params, edges) and the same weights; the re-compiled model computes the same
 * outputs. Unsupported layers come back as a list.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../shared/analysis';
import { importTopology } from '../../../shared/formats/keras/read-topology';
import { compileModel } from '../compile';
import { tf } from '../tfjs';
import { importModelFile, saveImportedWeights } from './import';
import { exportModel } from './index';
import { writeTfjs } from './tfjs/writer';
import { writeKeras } from './keras/writer';
import { writeZip } from './zip';
import { nodeWeights } from './weights';
import { exampleCases, prepare, templateCases } from './test-cases';

describe('import', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-import-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('every template (and layer example) exported to TF.js imports back with the same graph and weights', async () => {
    for (const c of [...templateCases(), ...exampleCases()]) {
      const p = prepare(c);
      const dir = join(root, c.name);
      await writeTfjs(p.compiled, dir);
      const original = nodeWeights(p.compiled);
      p.compiled.model.dispose();

      const r = await importModelFile(join(dir, 'model.json'));
      if (!r.ok) throw new Error(`${c.name}: ${r.message}`);
      const a0 = analyze(c.doc);
      const a1 = analyze(r.doc);
      expect(a1.errors, c.name).toEqual([]);
      const used = (a: typeof a0) => a.order.filter((id) => a.nodes[id]!.type !== 'Input' || a.outputs.length === 0 || c.doc.edges.some((e) => e.from === id));
      expect(used(a1).sort(), c.name).toEqual(used(a0).sort());
      for (const id of used(a0)) {
        expect(a1.nodes[id]!.type, `${c.name}/${id}`).toBe(a0.nodes[id]!.type);
        expect(a1.nodes[id]!.outputShape, `${c.name}/${id}`).toEqual(a0.nodes[id]!.outputShape);
        // The engine writes a Reshape's inferred target (-1 resolved); everything else round-trips verbatim.
        if (a0.nodes[id]!.type !== 'Reshape') expect(a1.nodes[id]!.resolved, `${c.name}/${id}`).toEqual(a0.nodes[id]!.resolved);
      }
      const edges = (d: typeof c.doc) => d.edges.map((e) => `${e.from}->${e.to}`);
      expect(edges(r.doc), c.name).toEqual(edges(c.doc));
      expect(Object.keys(r.doc.layout ?? {}).length).toBe(r.doc.nodes.length);
      for (const [id, ws] of Object.entries(original)) {
        expect(r.weights![id]!.map((t) => t.shape), `${c.name}/${id}`).toEqual(ws.map((t) => t.shape));
        ws.forEach((t, i) => expect(Buffer.from(r.weights![id]![i]!.data.buffer).equals(Buffer.from(t.data.buffer)), `${c.name}/${id}[${i}]`).toBe(true));
      }

      // The imported document with the imported weights computes the same outputs.
      const again = compileModel(r.doc);
      try {
        for (const id of Object.keys(original)) {
          const ws = r.weights![id]!;
          if (ws.length) again.model.getLayer(again.layerNames[id]!).setWeights(ws.map((t) => tf.tensor(t.data, t.shape)));
        }
        const ys = tf.tidy(() => {
          const xs = p.inputs.map((x) => tf.tensor(x.dtype === 'int32' ? Int32Array.from(x.data) : x.data, x.shape, x.dtype));
          const out = again.model.predict(xs.length === 1 ? xs[0]! : xs);
          return (Array.isArray(out) ? out : [out]).map((y) => Array.from(y.dataSync()));
        });
        ys.forEach((y, i) => expect(y, c.name).toEqual(Array.from(p.outputs[i]!.data)));
      } finally {
        again.model.dispose();
      }
    }
  });

  it('reads a Keras JSON topology with its model.weights.h5 (every template), and a .keras archive', async () => {
    for (const c of templateCases()) {
      const p = prepare(c, 1);
      const dir = join(root, `keras-${c.name}`);
      const original = nodeWeights(p.compiled);
      await writeTfjs(p.compiled, dir);
      await writeKeras(c.doc, original, dir);
      p.compiled.model.dispose();
      const topology = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology;
      writeFileSync(join(dir, 'keras-model.json'), JSON.stringify(topology));
      const archive = join(dir, 'model.keras');
      writeFileSync(archive, writeZip([
        { name: 'config.json', data: new TextEncoder().encode(JSON.stringify(topology)) },
        { name: 'model.weights.h5', data: readFileSync(join(dir, 'model.weights.h5')) },
      ]));
      // The archive path shares the weights reader; one template is enough for the zip part.
      for (const file of c.name === 'template-gru-model' ? [join(dir, 'keras-model.json'), archive] : [join(dir, 'keras-model.json')]) {
        const r = await importModelFile(file);
        if (!r.ok) throw new Error(`${c.name}: ${r.message}`);
        expect(r.warnings, `${c.name} ${file}`).toEqual([]);
        for (const [id, ws] of Object.entries(original)) {
          ws.forEach((t, i) => expect(Array.from(r.weights![id]![i]!.data), `${c.name}/${id}[${i}]`).toEqual(Array.from(t.data)));
        }
      }
    }
  });

  it('a Keras JSON finds the only .weights.h5 of its folder (whatever its name)', async () => {
    const c = templateCases().find((x) => x.name === 'template-logistic-regression')!;
    const p = prepare(c, 1);
    const src = join(root, 'keras-any-src');
    const original = nodeWeights(p.compiled);
    await writeTfjs(p.compiled, src);
    await writeKeras(c.doc, original, src);
    p.compiled.model.dispose();
    const dir = join(root, 'keras-any');
    mkdirSync(dir);
    writeFileSync(join(dir, 'net.json'), JSON.stringify(JSON.parse(readFileSync(join(src, 'model.json'), 'utf8')).modelTopology));
    writeFileSync(join(dir, 'trained.weights.h5'), readFileSync(join(src, 'model.weights.h5')));
    const r = await importModelFile(join(dir, 'net.json'));
    if (!r.ok) throw new Error(r.message);
    expect(Array.from(r.weights!.prob![0]!.data)).toEqual(Array.from(original.prob![0]!.data));
  });

  it('imported weights saved as a weights folder export unchanged (import → save → export --weights)', async () => {
    const c = templateCases().find((x) => x.name === 'template-residual-block')!;
    const p = prepare(c, 1);
    const dir = join(root, 'reexport');
    await writeTfjs(p.compiled, join(dir, 'src'));
    p.compiled.model.dispose();
    const r = await importModelFile(join(dir, 'src', 'model.json'));
    if (!r.ok) throw new Error(r.message);
    await saveImportedWeights(r.doc, r.weights!, join(dir, 'weights'));
    const out = await exportModel({ doc: r.doc, format: 'tfjs', outDir: join(dir, 'out'), weightsDir: join(dir, 'weights') });
    expect(out.weights).toBe('trained');
    expect(readFileSync(join(dir, 'out', 'weights.bin')).equals(readFileSync(join(dir, 'src', 'weights.bin')))).toBe(true);
  });

  it('imports the rest of a model with unsupported layers: identity-at-inference regularisers become Dropout, others red placeholders; no graph → the list', async () => {
    const call = (src: string) => [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: [src, 0, 0] } }], kwargs: {} }];
    const topo = {
      class_name: 'Functional',
      config: {
        name: 'm',
        layers: [
          { name: 'x', class_name: 'InputLayer', config: { batch_shape: [null, 6, 8], dtype: 'float32' }, inbound_nodes: [] },
          { name: 'noise', class_name: 'GaussianNoise', config: { stddev: 0.1 }, inbound_nodes: call('x') },
          { name: 'pad', class_name: 'ZeroPadding1D', config: { padding: 1 }, inbound_nodes: call('noise') },
          { name: 'g', class_name: 'GRU', config: { units: 3, reset_after: true }, inbound_nodes: call('pad') },
          { name: 'd', class_name: 'Dense', config: { units: 2, activation: 'relu' }, inbound_nodes: call('g') },
        ],
        input_layers: [['x', 0, 0]], output_layers: [['d', 0, 0]],
      },
    };
    const r = importTopology(topo);
    if (!r.ok) throw new Error(r.message);
    expect(r.doc.nodes.map((n) => `${n.id}:${n.type}`)).toEqual(['x:Input', 'noise:Dropout', 'pad:UnsupportedZeroPadding1D', 'g:UnsupportedGRU', 'd:Dense']);
    expect(r.doc.nodes[1]!.params).toEqual({ rate: 0 });
    expect(r.placeholders.map((p) => `${p.layer} ${p.className}`)).toEqual(['pad ZeroPadding1D', 'g GRU']);
    expect(r.placeholders[1]!.reason).toMatch(/reset_after/);
    expect(r.doc.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['x->noise', 'noise->pad', 'pad->g', 'g->d']);
    expect(r.warnings.join('\n')).toMatch(/GaussianNoise\(stddev=0\.1\) became Dropout\(rate=0\)/);
    expect(r.warnings[0]).toMatch(/2 layers could not be imported .*pad \(ZeroPadding1D/);
    // The placeholders keep their Keras config and are errors on their own node (the rest analyses).
    expect(r.doc.nodes[2]!.params).toMatchObject({ keras: { padding: 1 } });
    const a = analyze(r.doc);
    expect(a.errors.map((e) => e.nodeId).sort()).toEqual(['g', 'pad']);
    expect(a.errors.find((e) => e.nodeId === 'pad')!.message).toMatch(/Unknown layer type "UnsupportedZeroPadding1D"/);
    expect(a.nodes.noise!.outputShape).toEqual([6, 8]);
    // Through the file importer: the document saves and loads like any other.
    const file = join(root, 'partial.json');
    writeFileSync(file, JSON.stringify(topo));
    const f = await importModelFile(file);
    expect(f.ok && f.placeholders.length).toBe(2);

    // A variable length is not a reason to refuse: it gets a concrete one, said in a warning.
    const variable = JSON.parse(JSON.stringify(topo));
    variable.config.layers[0].config.batch_shape = [null, null, 8];
    const rv = importTopology(variable);
    expect(rv.ok && rv.doc.nodes.find((n) => n.id === 'x')!.params).toMatchObject({ shape: [100, 8] });
    expect(rv.ok && rv.warnings.join('\n')).toMatch(/x: the input takes sequences of any length; imported with length 100/);
    const given = importTopology(variable, { sequenceLength: 12 });
    expect(given.ok && given.doc.nodes.find((n) => n.id === 'x')!.params).toMatchObject({ shape: [12, 8] });

    // No graph to show: an Input without a shape, or a layer called twice, still refuse with the list.
    const noInput = JSON.parse(JSON.stringify(topo));
    delete noInput.config.layers[0].config.batch_shape;
    const r2 = importTopology(noInput);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.problems.map((p) => p.layer)).toEqual(['x']);
    const shared = JSON.parse(JSON.stringify(topo));
    shared.config.layers[4].inbound_nodes = [...call('g'), ...call('g')];
    const r3 = importTopology(shared);
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.message).toMatch(/d \(Dense\): the layer is called more than once/);
    expect(importTopology('nope').ok).toBe(false);
    expect(importTopology({ class_name: 'Foo' }).ok).toBe(false);
  });

  it('reads a Keras 3 sequential topology', () => {
    const file = join(root, 'keras.json');
    const topo = {
      class_name: 'Sequential',
      config: {
        name: 'seq',
        layers: [
          { class_name: 'InputLayer', config: { batch_shape: [null, 28, 28, 1], dtype: 'float32', name: 'input_layer' } },
          { class_name: 'Conv2D', config: { name: 'conv2d', filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'relu', use_bias: true } },
          { class_name: 'Flatten', config: { name: 'flatten', data_format: 'channels_last' } },
          { class_name: 'Dense', config: { name: 'dense', units: 10, activation: 'softmax', use_bias: true } },
        ],
      },
    };
    writeFileSync(file, JSON.stringify(topo));
    const r = importTopology(topo);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc.nodes.map((n) => n.type)).toEqual(['Input', 'Conv2D', 'Flatten', 'Dense']);
    expect(analyze(r.doc).totalParams).toBe(4 * 9 + 4 + (28 * 28 * 4 * 10 + 10));
  });
});
