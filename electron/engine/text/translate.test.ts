/**
 * Greedy translation: each emitted token is the model's argmax at its position when fed the tokens
 * before it (checked by an independent teacher-forced pass), batches equal single sentences, exact
 * match agrees with per-sentence translation, and notices for unknown characters and long inputs.
 */
import { generateDatePairs } from '../../../shared/text/dates';
import { makeSeq2SeqData } from '../../../shared/text/seq2seq';
import { BOS_ID, EOS_ID, PAD_ID } from '../../../shared/text/tokenizer';
import { PositionalEmbedding, TransformerEncoder } from '../layers/attention';
import { withSeededRandom } from '../random';
import { tf, tfl } from '../tfjs';
import { TransformerDecoder } from '../layers/decoder';
import { exactMatch, greedyDecode, translate } from './translate';

const data = makeSeq2SeqData(generateDatePairs({ count: 200, seed: 4 }), { sourceTokenizer: { kind: 'char' }, targetTokenizer: { kind: 'char' } });
const { sourceLength: Ts, targetLength: Tt } = data;

function translator(seed: number, eosBias = 0): tfl.LayersModel {
  return withSeededRandom(seed, () => {
    const src = tfl.input({ shape: [Ts], dtype: 'int32' });
    const dec = tfl.input({ shape: [Tt], dtype: 'int32' });
    let e = tfl.layers.embedding({ inputDim: data.sourceTokenizer.vocabSize, outputDim: 16 }).apply(src) as tfl.SymbolicTensor;
    e = new PositionalEmbedding({ sequenceLength: Ts }).apply(e) as tfl.SymbolicTensor;
    e = new TransformerEncoder({ numHeads: 2, intermediateDim: 16, dropout: 0 }).apply(e) as tfl.SymbolicTensor;
    let h = tfl.layers.embedding({ inputDim: data.targetTokenizer.vocabSize, outputDim: 16 }).apply(dec) as tfl.SymbolicTensor;
    h = new PositionalEmbedding({ sequenceLength: Tt }).apply(h) as tfl.SymbolicTensor;
    h = new TransformerDecoder({ numHeads: 2, intermediateDim: 16 }).apply([h, e]) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: data.targetTokenizer.vocabSize, biasInitializer: tfl.initializers.constant({ value: 0 }) });
    const m = tfl.model({ inputs: [src, dec], outputs: out.apply(h) as tfl.SymbolicTensor });
    if (eosBias) {
      const [k, b] = out.getWeights();
      const bias = b!.arraySync() as number[];
      bias[EOS_ID] = eosBias;
      out.setWeights([k!, tf.tensor1d(bias)]);
    }
    return m;
  });
}

describe('greedy translation', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('emits at each position the argmax of a teacher-forced pass over the tokens before it', () => {
    const model = translator(1, 2.5); // a mild <eos> bias so some rows end early
    const rows = Array.from(data.split.validation.subarray(0, 6));
    const src = new Int32Array(rows.length * Ts);
    rows.forEach((i, j) => src.set(data.source.subarray(i * Ts, (i + 1) * Ts), j * Ts));
    const out = greedyDecode(model, src, rows.length);
    out.forEach((tokens, j) => {
      expect(tokens.length).toBeLessThanOrEqual(Tt);
      const dec = new Int32Array(Tt).fill(PAD_ID);
      dec[0] = BOS_ID;
      tokens.slice(0, Tt - 1).forEach((t, k) => (dec[k + 1] = t));
      const y = (model.predict([tf.tensor2d(src.subarray(j * Ts, (j + 1) * Ts), [1, Ts], 'int32'), tf.tensor2d(dec, [1, Tt], 'int32')]) as tf.Tensor).arraySync() as number[][][];
      const best = (p: number) => {
        const row = y[0]![p]!.map((v, id) => (id === PAD_ID || id === BOS_ID ? -Infinity : v));
        return row.indexOf(Math.max(...row));
      };
      tokens.forEach((t, k) => expect(best(k)).toBe(t));
      if (tokens.length < Tt) expect(best(tokens.length)).toBe(EOS_ID);
    });
    expect(out.some((t) => t.length < Tt)).toBe(true);
    expect(out.some((t) => t.length > 0)).toBe(true);
  });

  it('a batch decodes as its sentences one by one; exact match agrees with per-sentence translation', () => {
    const model = translator(2);
    const rows = Array.from(data.split.test.subarray(0, 5));
    const one = rows.map((i) => translate(model, data.sourceTokenizer, data.targetTokenizer, data.sourceTokenizer.decode(data.source.subarray(i * Ts, (i + 1) * Ts))));
    const src = new Int32Array(rows.length * Ts);
    rows.forEach((i, j) => src.set(data.source.subarray(i * Ts, (i + 1) * Ts), j * Ts));
    expect(greedyDecode(model, src, rows.length)).toEqual(one.map((t) => t.tokens));
    const want = rows.map((i) => data.targetTokenizer.decode(data.target.subarray(i * Tt, (i + 1) * Tt)));
    const expected = one.filter((t, j) => t.text === want[j]).length / rows.length;
    expect(exactMatch(model, data, rows, 2)).toEqual({ exact: expected, count: rows.length });
  });

  it('scores a model that writes the answer as exact (a lookup standing in for a trained model)', () => {
    // Replace the model by one whose logits at position t favour the true target token: exact match 1.
    const rows = Array.from(data.split.test.subarray(0, 4));
    const V = data.targetTokenizer.vocabSize;
    const srcIn = tfl.input({ shape: [Ts], dtype: 'int32' });
    const decIn = tfl.input({ shape: [Tt], dtype: 'int32' });
    class Oracle extends tfl.layers.Layer {
      static className = 'OracleForTest';
      override computeOutputShape(): (number | null)[] {
        return [null, Tt, V];
      }
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        const src = (inputs as tf.Tensor[])[0]!.arraySync() as number[][];
        const logits = src.map((s) => {
          const i = rows.find((r) => Array.from(data.source.subarray(r * Ts, (r + 1) * Ts)).every((v, k) => v === s[k]))!;
          return Array.from(data.target.subarray(i * Tt, (i + 1) * Tt), (t) => Array.from({ length: V }, (_, id) => (id === t ? 10 : 0)));
        });
        return tf.tensor3d(logits);
      }
    }
    const oracle = tfl.model({ inputs: [srcIn, decIn], outputs: new Oracle({}).apply([srcIn, decIn]) as tfl.SymbolicTensor });
    expect(exactMatch(oracle, data, rows)).toEqual({ exact: 1, count: 4 });
  });

  it('says when the source has unknown characters or is longer than the model input', () => {
    const model = translator(3);
    const odd = translate(model, data.sourceTokenizer, data.targetTokenizer, '3 Mäy 2021');
    expect(odd.unknown).toBe(1);
    expect(odd.notices).toEqual(['1 character is not in the source vocabulary ("ä") and became the unknown token.']);
    const long = translate(model, data.sourceTokenizer, data.targetTokenizer, 'the 3rd of March 2021, '.repeat(3));
    expect(long.truncatedSourceTokens).toBe(69 - Ts);
    expect(long.notices[0]).toMatch(/more than the model's input of \d+: its last \d+ tokens were left out/);
    expect(() => translate(model, data.sourceTokenizer, data.targetTokenizer, '')).toThrow(/nothing to translate/);
  });
});
