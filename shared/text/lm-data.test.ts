import { makeLanguageModelData } from './lm-data';
import { TextDataError } from './split';
import { trainCharTokenizer } from './tokenizer';

// 20 distinct "paragraphs" so that every block has its own text.
const TEXT = Array.from({ length: 400 }, (_, i) => `Line ${i}: the quick brown fox ${i % 7 === 0 ? 'jumps' : 'walks'} over the lazy dog number ${i * 13 % 101}.\n`).join('');

describe('language-model windows', () => {
  const T = 16;
  const data = makeLanguageModelData(TEXT, { contextLength: T, tokenizer: { kind: 'char' }, seed: 3 });

  it('makes windows of the context length with next-token targets', () => {
    expect(data.x.length).toBe(data.count * T);
    expect(data.y.length).toBe(data.count * T);
    for (let w = 0; w < data.count; w++) {
      for (let t = 0; t + 1 < T; t++) expect(data.y[w * T + t]).toBe(data.x[w * T + t + 1]);
    }
    // The first window of the first block is the text's first T characters, its target shifted by one.
    const first = data.blocks[0]!;
    const firstWindow = data.blocks.filter((b) => b.part === first.part).indexOf(first) === 0 ? data.split[first.part][0]! : -1;
    expect(data.tokenizer.decode(data.x.subarray(firstWindow * T, firstWindow * T + T))).toBe(TEXT.slice(0, T));
    expect(data.tokenizer.decode(data.y.subarray(firstWindow * T, firstWindow * T + T))).toBe(TEXT.slice(1, T + 1));
  });

  it('splits by contiguous blocks: parts are disjoint, cover every window, and no window crosses a block', () => {
    const { train, validation, test } = data.split;
    expect(train.length + validation.length + test.length).toBe(data.count);
    expect(new Set([...train, ...validation, ...test]).size).toBe(data.count);
    expect(validation.length).toBeGreaterThan(0);
    expect(test.length).toBeGreaterThan(0);
    // Blocks tile the text; each part's windows come from its own blocks only.
    expect(data.blocks[0]!.start).toBe(0);
    expect(data.blocks[data.blocks.length - 1]!.end).toBe(TEXT.length);
    data.blocks.forEach((b, i) => i > 0 && expect(b.start).toBe(data.blocks[i - 1]!.end));
    const windowsOf = (part: string) => data.blocks.filter((b) => b.part === part).reduce((n, b) => n + Math.floor((b.tokens - T - 1) / T) + 1, 0);
    expect(train.length).toBe(windowsOf('train'));
    expect(validation.length).toBe(windowsOf('validation'));
    expect(test.length).toBe(windowsOf('test'));
    // Every validation window's text lies inside a validation block.
    for (const w of validation) {
      const s = data.tokenizer.decode(data.x.subarray(w * T, w * T + T));
      expect(data.blocks.some((b) => b.part === 'validation' && TEXT.slice(b.start, b.end).includes(s))).toBe(true);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = makeLanguageModelData(TEXT, { contextLength: T, tokenizer: { kind: 'char' }, seed: 3 });
    expect(Array.from(again.split.test)).toEqual(Array.from(data.split.test));
    const other = makeLanguageModelData(TEXT, { contextLength: T, tokenizer: { kind: 'char' }, seed: 4 });
    expect(other.blocks.map((b) => b.part)).not.toEqual(data.blocks.map((b) => b.part));
  });

  it('overlapping windows with a smaller stride', () => {
    const dense = makeLanguageModelData(TEXT, { contextLength: T, stride: 4, tokenizer: { kind: 'char' }, seed: 3 });
    expect(dense.count).toBeGreaterThan(3.5 * data.count);
  });

  it('learns the tokenizer from training blocks only and counts unknown characters of the others', () => {
    const text = TEXT.slice(0, 1800) + '§§§' + TEXT.slice(1800, 4000);
    const d = makeLanguageModelData(text, { contextLength: 8, tokenizer: { kind: 'char' }, maxBlocks: 10, seed: 1 });
    const inTrain = d.blocks.some((b) => b.part === 'train' && text.slice(b.start, b.end).includes('§'));
    expect(d.tokenizer.vocab.includes('§')).toBe(inTrain);
    const count = (part: string) => d.blocks.filter((b) => b.part === part).reduce((n, b) => n + (text.slice(b.start, b.end).match(/§/g)?.length ?? 0), 0);
    if (!inTrain) {
      expect(d.unknown.validation).toBe(count('validation'));
      expect(d.unknown.test).toBe(count('test'));
    }
    // Both branches are exercised by some seed: find one where the § block is held out.
    const held = Array.from({ length: 30 }, (_, i) => i).map((seed) => makeLanguageModelData(text, { contextLength: 8, tokenizer: { kind: 'char' }, maxBlocks: 10, seed })).find((x) => x.unknown.validation + x.unknown.test > 0);
    expect(held?.unknown.chars).toEqual(['§']);
  });

  it('uses a given tokenizer as it is (a saved run)', () => {
    const tok = trainCharTokenizer('abc');
    const d = makeLanguageModelData('abcabcabcx'.repeat(100), { contextLength: 8, tokenizer: tok, seed: 0 });
    expect(d.tokenizer).toBe(tok);
    expect(d.unknown.validation + d.unknown.test).toBeGreaterThan(0);
  });

  it('says when the text is too short for the context', () => {
    expect(() => makeLanguageModelData('short text', { contextLength: 32, tokenizer: { kind: 'char' } })).toThrow(TextDataError);
    expect(() => makeLanguageModelData('short text', { contextLength: 32, tokenizer: { kind: 'char' } })).toThrow(/10 characters: too short for windows of 32 tokens/);
    expect(() => makeLanguageModelData(TEXT, { contextLength: 0, tokenizer: { kind: 'char' } })).toThrow(/context length/);
  });

  it('works with a BPE tokenizer: windows hold T tokens, fewer windows than with characters', () => {
    const bpe = makeLanguageModelData(TEXT, { contextLength: T, tokenizer: { kind: 'bpe', vocabSize: 120 }, seed: 3 });
    expect(bpe.tokenizer.vocabSize).toBe(120);
    expect(bpe.count).toBeLessThan(data.count / 1.5);
    expect(bpe.x.length).toBe(bpe.count * T);
  });
});
