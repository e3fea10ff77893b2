/**
 * Generation: the model read as a decoder stack equals the model; cached and uncached decoding give
 * the same tokens (greedy and seeded sampling, past the context length); seeds are deterministic;
 * prompts longer than the context or with unknown characters are said so; streaming, Stop and <eos>;
 * attention maps respect the causal mask.
 */
import { mulberry32 } from '../../../shared/random';
import { EOS_ID, trainCharTokenizer } from '../../../shared/text/tokenizer';
import { PositionalEmbedding } from '../layers/attention';
import { withSeededRandom } from '../random';
import { tf, tfl } from '../tfjs';
import { attentionMaps } from './attention-maps';
import { TransformerDecoder } from '../layers/decoder';
import { generate, type GeneratedToken } from './generate';
import { argmax, sampleToken } from './sample';
import { decoderOnlyStack, NotDecoderOnlyError, runStack, disposeCaches } from './stack';

const T = 12;
const tokenizer = trainCharTokenizer('the quick brown fox jumps over a lazy dog.');
const V = tokenizer.vocabSize;

function miniGpt(seed: number): tfl.LayersModel {
  return withSeededRandom(seed, () => {
    const ids = tfl.input({ shape: [T], dtype: 'int32' });
    let h = tfl.layers.embedding({ inputDim: V, outputDim: 16 }).apply(ids) as tfl.SymbolicTensor;
    h = new PositionalEmbedding({ sequenceLength: T }).apply(h) as tfl.SymbolicTensor;
    h = new TransformerDecoder({ numHeads: 2, intermediateDim: 32 }).apply(h) as tfl.SymbolicTensor;
    h = new TransformerDecoder({ numHeads: 4, intermediateDim: 32, normalizeFirst: true }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.layerNormalization().apply(h) as tfl.SymbolicTensor;
    return tfl.model({ inputs: ids, outputs: tfl.layers.dense({ units: V }).apply(h) as tfl.SymbolicTensor });
  });
}

describe('generation', () => {
  let model: tfl.LayersModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = miniGpt(11);
  });

  it('reads the model as a decoder stack whose logits equal the model\'s', () => {
    const stack = decoderOnlyStack(model);
    expect(stack.blocks.length).toBe(2);
    expect(stack.contextLength).toBe(T);
    expect(stack.vocabSize).toBe(V);
    expect(stack.head.map((l) => l.getClassName())).toEqual(['LayerNormalization', 'Dense']);
    const ids = Array.from(tokenizer.encode('a quick dog.').ids);
    expect(ids.length).toBe(T);
    const byModel = (model.predict(tf.tensor2d([ids], [1, T], 'int32')) as tf.Tensor).arraySync() as number[][][];
    const r = runStack(stack, ids, 0, null);
    disposeCaches(r.caches);
    byModel[0]![T - 1]!.forEach((v, i) => expect(r.logits[i]).toBeCloseTo(v, 5));
  });

  it('refuses a model that is not a decoder chain, naming why', () => {
    const ids = tfl.input({ shape: [T], dtype: 'int32' });
    const e = tfl.layers.embedding({ inputDim: V, outputDim: 8 }).apply(ids) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: ids, outputs: tfl.layers.dense({ units: V }).apply(e) as tfl.SymbolicTensor });
    expect(() => decoderOnlyStack(m)).toThrow(NotDecoderOnlyError);
    expect(() => decoderOnlyStack(m)).toThrow(/no TransformerDecoder/);
  });

  it('cached and uncached generation give the same tokens, past the context length', async () => {
    const stack = decoderOnlyStack(model);
    for (const sampling of [{ temperature: 0 }, { temperature: 1, topK: 5, topP: 0.9, seed: 3 }, { temperature: 0.8, seed: 9 }]) {
      const cached = await generate(stack, tokenizer, 'the fox', { ...sampling, maxTokens: 3 * T, stopAtEos: false });
      const uncached = await generate(stack, tokenizer, 'the fox', { ...sampling, maxTokens: 3 * T, stopAtEos: false, cache: false });
      expect(cached.tokens.length).toBe(3 * T);
      expect(cached.tokens).toEqual(uncached.tokens);
      expect(cached.text).toBe(tokenizer.decode(cached.tokens));
    }
    expect(tf.memory().numTensors).toBeLessThan(200); // caches are freed
  });

  it('is deterministic for a seed and varies with it', async () => {
    const stack = decoderOnlyStack(model);
    const a = await generate(stack, tokenizer, 'a', { maxTokens: 20, seed: 5, stopAtEos: false });
    const b = await generate(stack, tokenizer, 'a', { maxTokens: 20, seed: 5, stopAtEos: false });
    const c = await generate(stack, tokenizer, 'a', { maxTokens: 20, seed: 6, stopAtEos: false });
    expect(b.tokens).toEqual(a.tokens);
    expect(c.tokens).not.toEqual(a.tokens);
    expect(a.seed).toBe(5);
  });

  it('cuts a prompt longer than the context and says so; names unknown characters', async () => {
    const stack = decoderOnlyStack(model);
    const long = await generate(stack, tokenizer, 'the quick brown fox jumps', { maxTokens: 2, temperature: 0, stopAtEos: false });
    expect(long.truncatedPromptTokens).toBe(25 - T);
    expect(long.promptTokens).toBe(T);
    expect(long.notices[0]).toBe(`The prompt has 25 tokens, more than the model's context of ${T}: its first 13 tokens were left out.`);
    // The cut prompt continues exactly as its last T tokens would.
    const tail = await generate(stack, tokenizer, 'the quick brown fox jumps'.slice(25 - T), { maxTokens: 2, temperature: 0, stopAtEos: false });
    expect(long.tokens).toEqual(tail.tokens);
    const odd = await generate(stack, tokenizer, 'zebra!?', { maxTokens: 1, temperature: 0 });
    expect(odd.unknown).toBe(2);
    expect(odd.notices).toEqual(['2 prompt characters are not in the vocabulary ("!", "?") and became the unknown token.']);
    await expect(generate(stack, tokenizer, '', { maxTokens: 1 })).rejects.toThrow(/prompt is empty/);
  });

  it('streams each token as it is chosen, and stops on request', async () => {
    const stack = decoderOnlyStack(model);
    const seen: GeneratedToken[] = [];
    const all = await generate(stack, tokenizer, 'dog', { maxTokens: 8, seed: 1, stopAtEos: false, onToken: (t) => seen.push(t) });
    expect(seen.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(seen.map((t) => t.text).join('')).toBe(all.text);
    const stop = new AbortController();
    const stopped = await generate(stack, tokenizer, 'dog', { maxTokens: 8, seed: 1, stopAtEos: false, signal: stop.signal, onToken: (t) => t.index === 2 && stop.abort() });
    expect(stopped.stopReason).toBe('stopped');
    expect(stopped.tokens).toEqual(all.tokens.slice(0, 3));
  });

  it('ends at <eos>', async () => {
    const m = miniGpt(12);
    const dense = m.layers[m.layers.length - 1]!;
    const [kernel, bias] = dense.getWeights();
    const b = bias!.arraySync() as number[];
    b[EOS_ID] = 1e3;
    dense.setWeights([kernel!, tf.tensor1d(b)]);
    const r = await generate(decoderOnlyStack(m), tokenizer, 'a', { maxTokens: 5, temperature: 0 });
    expect(r.stopReason).toBe('eos');
    expect(r.tokens).toEqual([]);
  });

  it('returns attention maps for every block and head, zero above the diagonal, rows summing to 1', () => {
    const maps = attentionMaps(decoderOnlyStack(model), tokenizer, 'lazy dog.');
    expect(maps.labels).toEqual(Array.from('lazy dog.'));
    expect(maps.maps.map((m) => m.heads.length)).toEqual([2, 4]);
    for (const { heads } of maps.maps) {
      for (const head of heads) {
        expect(head.length).toBe(9);
        head.forEach((row, q) => {
          row.forEach((w, k) => (k > q ? expect(w).toBe(0) : expect(w).toBeGreaterThan(0)));
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        });
      }
    }
  });
});

describe('sampling', () => {
  const logits = [Math.log(1), Math.log(2), Math.log(7), Math.log(7) - 50];

  it('greedy, top-k 1 and a tiny top-p all pick the most likely token; ties go to the lower id', () => {
    const rng = mulberry32(1);
    expect(sampleToken(logits, { temperature: 0 }, rng)).toBe(2);
    expect(sampleToken(logits, { topK: 1 }, rng)).toBe(2);
    expect(sampleToken(logits, { topP: 0.01 }, rng)).toBe(2);
    expect(argmax([1, 3, 3])).toBe(1);
    expect(argmax([5, 3, 3], (i) => i !== 0)).toBe(1);
  });

  it('draws in proportion to the softmax, within top-k and top-p', () => {
    const count = (o: Parameters<typeof sampleToken>[1], n = 10_000) => {
      const rng = mulberry32(42);
      const c = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) c[sampleToken(logits, o, rng)]!++;
      return c.map((x) => x / n);
    };
    const plain = count({});
    [0.1, 0.2, 0.7].forEach((p, i) => expect(Math.abs(plain[i]! - p)).toBeLessThan(0.015));
    // top-k 2: only ids 2 and 1, renormalised 7:2.
    const k2 = count({ topK: 2 });
    expect(k2[0]).toBe(0);
    expect(Math.abs(k2[2]! - 7 / 9)).toBeLessThan(0.015);
    // top-p 0.75: 0.7 < 0.75, so 0.2 joins; 0.1 never drawn.
    expect(count({ topP: 0.75 })[0]).toBe(0);
    // A high temperature flattens: id 0 gets more than its 10 %.
    expect(count({ temperature: 3 })[0]).toBeGreaterThan(0.2);
  });

  it('refuses bad settings and a tokenizer that does not match the model', async () => {
    const stack = decoderOnlyStack(miniGpt(1));
    await expect(generate(stack, tokenizer, 'a', { maxTokens: 1, topP: 0 })).rejects.toThrow(/top-p must be above 0/);
    await expect(generate(stack, tokenizer, 'a', { maxTokens: 1, temperature: -1 })).rejects.toThrow(/temperature must be 0/);
    await expect(generate(stack, tokenizer, 'a', { maxTokens: 1, topK: 1.5 })).rejects.toThrow(/top-k must be a whole number/);
    const many = trainCharTokenizer(Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x100 + i)).join(''));
    await expect(generate(stack, many, 'a', { maxTokens: 1 })).rejects.toThrow(/do not belong together/);
    // A head wider than the tokenizer: the ids beyond it are never drawn.
    const small = trainCharTokenizer('ab');
    const r = await generate(stack, small, 'a', { maxTokens: 40, temperature: 5, seed: 3 });
    expect(r.tokens.every((id) => id < small.vocabSize)).toBe(true);
  });
});
