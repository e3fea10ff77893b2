/**
 * The TransformerDecoder layer: keras_nlp's parameter counts, shapes, causality (a later token never
 * changes an earlier output), incremental decoding with a key/value cache equal to the full pass, and
 * a tiny encoder–decoder translator learning the dates task.
 */
import { makeSeq2SeqData } from '../../../shared/text/seq2seq';
import { generateDatePairs } from '../../../shared/text/dates';
import { PositionalEmbedding, TransformerEncoder } from './attention';
import { initWasm } from '../kernels/test-backends';
import { withSeededRandom } from '../random';
import { tf, tfl } from '../tfjs';
import { TransformerDecoder, transformerDecoderParams, type DecoderCache } from './decoder';
import { sequenceCrossEntropy } from '../text/loss';

const built = (layer: TransformerDecoder, shapes: (number | null)[][]) => {
  layer.build(shapes.length === 1 ? shapes[0]! : shapes);
  return layer;
};
const rand = (shape: number[], seed: number) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.37 + seed * 0.71)), shape);

describe('TransformerDecoder', () => {
  // Importing the wasm backend gives it priority: the exactness tests run on the cpu backend.
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has keras_nlp\'s parameter count: a GPT-2 small block holds 7,087,872', () => {
    // GPT-2 small: 12 such blocks + token (50257×768) + position (1024×768) embeddings + final norm = 124,439,808.
    expect(transformerDecoderParams(768, 3072, 12)).toBe(7_087_872);
    expect(12 * 7_087_872 + 50257 * 768 + 1024 * 768 + 2 * 768).toBe(124_439_808);
    const layer = withSeededRandom(1, () => built(new TransformerDecoder({ numHeads: 12, intermediateDim: 3072 }), [[null, 4, 768]]));
    expect(layer.countParams()).toBe(7_087_872);
    tf.dispose(layer.weights.map((w) => w.read()));
  });

  it('counts cross-attention on an encoder of another width (hand-computed: 872)', () => {
    // d 8, f 16, e 6: self 4·64 + 4·8 = 288, norm 16; cross q 72 + k 56 + v 56 + out 72 = 256, norm 16;
    // feed-forward 8·16 + 16 + 16·8 + 8 = 280, norm 16 → 872.
    expect(transformerDecoderParams(8, 16, 2, 6)).toBe(872);
    const layer = built(new TransformerDecoder({ numHeads: 2, intermediateDim: 16 }), [[null, 5, 8], [null, 7, 6]]);
    expect(layer.countParams()).toBe(872);
    expect(layer.hasCrossAttention).toBe(true);
    // Weight names as keras_nlp's (under the layer's name when built in a model).
    const named = new TransformerDecoder({ name: 'dec', numHeads: 2, intermediateDim: 16 });
    named.apply([tfl.input({ shape: [5, 8] }), tfl.input({ shape: [7, 6] })]);
    expect(named.weights.map((w) => w.name)).toEqual([
      'query/kernel', 'query/bias', 'key/kernel', 'key/bias', 'value/kernel', 'value/bias', 'attention_output/kernel', 'attention_output/bias',
    ].map((n) => `dec/self_attention/${n}`).concat(['dec/self_attention_layer_norm/gamma', 'dec/self_attention_layer_norm/beta'],
      ['query/kernel', 'query/bias', 'key/kernel', 'key/bias', 'value/kernel', 'value/bias', 'attention_output/kernel', 'attention_output/bias'].map((n) => `dec/cross_attention/${n}`),
      ['dec/cross_attention_layer_norm/gamma', 'dec/cross_attention_layer_norm/beta', 'dec/feedforward_intermediate_dense/kernel', 'dec/feedforward_intermediate_dense/bias',
        'dec/feedforward_output_dense/kernel', 'dec/feedforward_output_dense/bias', 'dec/feedforward_layer_norm/gamma', 'dec/feedforward_layer_norm/beta']));
  });

  it('keeps the decoder input shape, with or without an encoder input', () => {
    const x = rand([2, 5, 8], 1);
    const enc = rand([2, 7, 6], 2);
    const cross = new TransformerDecoder({ numHeads: 2, intermediateDim: 16 });
    expect((cross.apply([x, enc]) as tf.Tensor).shape).toEqual([2, 5, 8]);
    expect(cross.computeOutputShape([[null, 5, 8], [null, 7, 6]])).toEqual([null, 5, 8]);
    const only = new TransformerDecoder({ numHeads: 4, intermediateDim: 16, normalizeFirst: true });
    expect((only.apply(x) as tf.Tensor).shape).toEqual([2, 5, 8]);
    expect(() => new TransformerDecoder({ numHeads: 3, intermediateDim: 4 }).apply(x)).toThrow(/not divisible by numHeads 3/);
  });

  it('is causal: changing token t+1 changes no output at positions ≤ t (and does change later ones)', () => {
    const T = 8;
    const V = 11;
    const model = withSeededRandom(3, () => {
      const ids = tfl.input({ shape: [T], dtype: 'int32' });
      let h = tfl.layers.embedding({ inputDim: V, outputDim: 16 }).apply(ids) as tfl.SymbolicTensor;
      h = new PositionalEmbedding({ sequenceLength: T }).apply(h) as tfl.SymbolicTensor;
      h = new TransformerDecoder({ numHeads: 2, intermediateDim: 32 }).apply(h) as tfl.SymbolicTensor;
      h = new TransformerDecoder({ numHeads: 4, intermediateDim: 32, normalizeFirst: true }).apply(h) as tfl.SymbolicTensor;
      return tfl.model({ inputs: ids, outputs: tfl.layers.dense({ units: V }).apply(h) as tfl.SymbolicTensor });
    });
    const base = [3, 1, 4, 1, 5, 9, 2, 6];
    const run = (seq: number[]) => (model.predict(tf.tensor2d([seq], [1, T], 'int32')) as tf.Tensor).arraySync() as number[][][];
    const y0 = run(base);
    for (let t = 0; t + 1 < T; t++) {
      const changed = [...base];
      changed[t + 1] = (changed[t + 1]! + 5) % V;
      const y1 = run(changed);
      for (let p = 0; p <= t; p++) expect(y1[0]![p]).toEqual(y0[0]![p]);
      expect(y1[0]![t + 1]).not.toEqual(y0[0]![t + 1]);
    }
  });

  it('decodes token by token with a key/value cache exactly as the full pass (self- and cross-attention)', () => {
    for (const pre of [false, true]) {
      const layer = withSeededRandom(5, () => built(new TransformerDecoder({ numHeads: 2, intermediateDim: 12, normalizeFirst: pre }), [[null, 6, 8], [null, 4, 10]]));
      const x = rand([2, 6, 8], 3);
      const enc = rand([2, 4, 10], 4);
      const full = layer.forward(x, enc).y.arraySync() as number[][][];
      let cache: DecoderCache | undefined;
      const steps: number[][][] = [[], []];
      // First two positions at once (a prompt), then one at a time.
      for (const [from, to] of [[0, 2], [2, 3], [3, 4], [4, 5], [5, 6]] as const) {
        const out = layer.forward(tf.slice(x, [0, from, 0], [2, to - from, 8]), cache ? null : enc, { cache });
        cache = out.cache;
        (out.y.arraySync() as number[][][]).forEach((rows, b) => steps[b]!.push(...rows));
      }
      expect(cache!.self!.k.shape).toEqual([2, 2, 6, 4]);
      for (let b = 0; b < 2; b++) for (let t = 0; t < 6; t++) for (let i = 0; i < 8; i++) expect(steps[b]![t]![i]).toBeCloseTo(full[b]![t]![i]!, 5);
    }
  });

  it('a tiny translator learns dates → ISO on wasm (validation loss falls by more than half in 40 steps)', async () => {
    await initWasm();
    await tf.setBackend('wasm');
    try {
      await trainTinyTranslator();
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

async function trainTinyTranslator(): Promise<void> {
  {
    const data = makeSeq2SeqData(generateDatePairs({ count: 1200, seed: 2 }), { sourceTokenizer: { kind: 'char' }, targetTokenizer: { kind: 'char' } });
    const { sourceLength: Ts, targetLength: Tt } = data;
    const Vs = data.sourceTokenizer.vocabSize;
    const Vt = data.targetTokenizer.vocabSize;
    const d = 32;
    const model = withSeededRandom(7, () => {
      const src = tfl.input({ shape: [Ts], dtype: 'int32' });
      const dec = tfl.input({ shape: [Tt], dtype: 'int32' });
      let e = tfl.layers.embedding({ inputDim: Vs, outputDim: d }).apply(src) as tfl.SymbolicTensor;
      e = new PositionalEmbedding({ sequenceLength: Ts }).apply(e) as tfl.SymbolicTensor;
      e = new TransformerEncoder({ numHeads: 2, intermediateDim: 64, dropout: 0 }).apply(e) as tfl.SymbolicTensor;
      let h = tfl.layers.embedding({ inputDim: Vt, outputDim: d }).apply(dec) as tfl.SymbolicTensor;
      h = new PositionalEmbedding({ sequenceLength: Tt }).apply(h) as tfl.SymbolicTensor;
      h = new TransformerDecoder({ numHeads: 2, intermediateDim: 64 }).apply([h, e]) as tfl.SymbolicTensor;
      return tfl.model({ inputs: [src, dec], outputs: tfl.layers.dense({ units: Vt }).apply(h) as tfl.SymbolicTensor });
    });
    const rows = (a: Int32Array, idx: ArrayLike<number>, n: number) => tf.tensor2d(Int32Array.from(Array.from(idx).flatMap((i) => Array.from(a.subarray(i * n, (i + 1) * n)))), [idx.length, n], 'int32');
    const batch = (idx: ArrayLike<number>) => ({ src: rows(data.source, idx, Ts), dec: rows(data.decoderInput, idx, Tt), tgt: rows(data.target, idx, Tt) });
    const val = batch(data.split.validation.subarray(0, 64));
    const valLoss = () => tf.tidy(() => sequenceCrossEntropy(val.tgt, model.apply([val.src, val.dec]) as tf.Tensor).dataSync()[0]!);
    const before = valLoss();
    const opt = tf.train.adam(0.01);
    const train = data.split.train;
    for (let step = 0; step < 40; step++) {
      const idx = Array.from({ length: 32 }, (_, i) => train[(step * 32 + i) % train.length]!);
      const b = batch(idx);
      opt.minimize(() => sequenceCrossEntropy(b.tgt, model.apply([b.src, b.dec], { training: true }) as tf.Tensor));
      tf.dispose([b.src, b.dec, b.tgt]);
    }
    const after = valLoss();
    expect(Number.isFinite(after)).toBe(true);
    expect(before).toBeGreaterThan(2);
    expect(after).toBeLessThan(before / 2);
  }
}
