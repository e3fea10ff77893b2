import { pretokenize } from './pretokenize';
import { BOS_ID, EOS_ID, PAD_ID, Tokenizer, TokenizerError, UNK_ID, trainBpeTokenizer, trainCharTokenizer } from './tokenizer';

const TEXT = `It was the best of times, it was the worst of times; it was the age of wisdom, it was the age of
foolishness. In 1859   the  year was   young!\tTabs\there.\n\nNew paragraph — with a dash and café ünïcödé 😀.`;

describe('pretokenize', () => {
  it('splits words with their leading space, digit runs, punctuation and whitespace runs; joins back exactly', () => {
    expect(pretokenize('Hello, world  42x!\n\nok')).toEqual(['Hello', ',', ' world', ' ', ' 42', 'x', '!', '\n\n', 'ok']);
    expect(pretokenize('  a')).toEqual([' ', ' a']);
    expect(pretokenize('a  ')).toEqual(['a', '  ']);
    expect(pretokenize(' 😀😀 é')).toEqual([' 😀😀', ' é']);
    expect(pretokenize(TEXT).join('')).toBe(TEXT);
  });
});

describe('character tokenizer', () => {
  it('round-trips, puts specials first and sorts the alphabet by code point', () => {
    const tok = trainCharTokenizer(TEXT);
    expect(tok.vocab.slice(0, 4)).toEqual(['<pad>', '<bos>', '<eos>', '<unk>']);
    const alphabet = tok.vocab.slice(4);
    expect(alphabet).toEqual([...new Set(Array.from(TEXT))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
    const enc = tok.encode(TEXT);
    expect(enc.unknown).toBe(0);
    expect(enc.ids.length).toBe(Array.from(TEXT).length);
    expect(tok.decode(enc.ids)).toBe(TEXT);
  });

  it('maps characters outside the vocabulary to <unk> and says how many and which', () => {
    const tok = trainCharTokenizer('abc abc');
    const enc = tok.encode('abxc yy');
    expect(Array.from(enc.ids)).toEqual([tok.vocab.indexOf('a'), tok.vocab.indexOf('b'), UNK_ID, tok.vocab.indexOf('c'), tok.vocab.indexOf(' '), UNK_ID, UNK_ID]);
    expect(enc.unknown).toBe(3);
    expect(enc.unknownChars).toEqual(['x', 'y']);
    expect(tok.decode(enc.ids)).toBe('ab\uFFFDc \uFFFD\uFFFD');
  });

  it('keeps the most frequent characters under maxVocabSize', () => {
    const tok = trainCharTokenizer('aaaa bbb cc d', { maxVocabSize: 7 });
    expect(tok.vocab).toEqual(['<pad>', '<bos>', '<eos>', '<unk>', ' ', 'a', 'b']);
    expect(tok.encode('dc').unknown).toBe(2);
  });

  it('adds <bos>/<eos> on request and skips or shows specials when decoding', () => {
    const tok = trainCharTokenizer('hi');
    const enc = tok.encode('hi', { bos: true, eos: true });
    expect(enc.ids[0]).toBe(BOS_ID);
    expect(enc.ids[enc.ids.length - 1]).toBe(EOS_ID);
    expect(tok.decode([...enc.ids, PAD_ID])).toBe('hi');
    expect(tok.decode([...enc.ids, PAD_ID], { specials: 'show' })).toBe('<bos>hi<eos><pad>');
    expect(() => tok.decode([99])).toThrow(/outside the vocabulary/);
  });
});

describe('BPE tokenizer', () => {
  it('learns the textbook example "aaabdaaabac" as computed by hand', () => {
    // Alphabet a b c d = ids 4 5 6 7. Pair counts: aa 4, ab 2, others 1 → merge aa (id 8).
    // Then (a,b) 2 and (aa,a) 2 tie: the lower left id wins → ab (id 9). Then (aa,ab) 2 → aaab (id 10).
    // Every remaining pair occurs once (< minPairCount 2): training stops at 11 tokens.
    const tok = trainBpeTokenizer('aaabdaaabac', { vocabSize: 20 });
    expect(tok.vocab).toEqual(['<pad>', '<bos>', '<eos>', '<unk>', 'a', 'b', 'c', 'd', 'aa', 'ab', 'aaab']);
    expect(tok.merges).toEqual([[4, 4, 8], [4, 5, 9], [8, 9, 10]]);
    expect(Array.from(tok.encode('aaabdaaabac').ids)).toEqual([10, 7, 10, 4, 6]);
    expect(Array.from(tok.encode('aaaab').ids)).toEqual([8, 8, 5]); // aa first (rank 0), then no (a,b) is left
  });

  it('does not merge across chunks: " ab" and "ab" are different tokens', () => {
    const tok = trainBpeTokenizer('ab ab ab ab', { vocabSize: 12 });
    // pairs: (a,b) 4, (' ',a) 3 → ab; then (' ',ab) 3 → ' ab'.
    expect(tok.vocab.slice(4)).toEqual([' ', 'a', 'b', 'ab', ' ab']);
    expect(Array.from(tok.encode('ab ab').ids)).toEqual([7, 8]);
  });

  it('reaches the requested vocabulary size on a real text, round-trips and compresses', () => {
    const text = TEXT.repeat(3);
    const tok = trainBpeTokenizer(text, { vocabSize: 90 });
    expect(tok.vocabSize).toBe(90);
    const enc = tok.encode(text);
    expect(enc.unknown).toBe(0);
    expect(tok.decode(enc.ids)).toBe(text);
    expect(enc.ids.length).toBeLessThan(Array.from(text).length / 2);
    // Text the tokenizer never saw still round-trips when its characters are known.
    expect(tok.decode(tok.encode('the worst wisdom was young').ids)).toBe('the worst wisdom was young');
  });

  it('is deterministic: same text and size → identical JSON', () => {
    const a = trainBpeTokenizer(TEXT, { vocabSize: 70 }).toJSON();
    const b = trainBpeTokenizer(TEXT, { vocabSize: 70 }).toJSON();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('keeps the most frequent characters when the size is below the alphabet, and counts unknowns', () => {
    const tok = trainBpeTokenizer('aaa bb c', { vocabSize: 6 });
    expect(tok.vocab.slice(4)).toEqual([' ', 'a']);
    const enc = tok.encode('abc');
    expect(enc.unknown).toBe(2);
    expect(enc.unknownChars).toEqual(['b', 'c']);
    // A cached chunk with unknown characters still counts them.
    expect(tok.encode('abc abc abc').unknown).toBe(6);
  });
});

describe('JSON', () => {
  it('round-trips through JSON text for both kinds', () => {
    for (const tok of [trainCharTokenizer(TEXT), trainBpeTokenizer(TEXT, { vocabSize: 80 })]) {
      const again = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
      expect(again.toJSON()).toEqual(tok.toJSON());
      expect(Array.from(again.encode(TEXT).ids)).toEqual(Array.from(tok.encode(TEXT).ids));
    }
  });

  it('refuses broken tokenizers with a message', () => {
    const good = trainBpeTokenizer('aaabdaaabac', { vocabSize: 20 }).toJSON();
    expect(() => Tokenizer.fromJSON({ ...good, format: 'x' })).toThrow(TokenizerError);
    expect(() => Tokenizer.fromJSON({ ...good, vocab: ['<bos>', ...good.vocab.slice(1)] })).toThrow(/id 0 must be <pad>/);
    expect(() => Tokenizer.fromJSON({ ...good, merges: [[4, 5, 8]] })).toThrow(/merge 0/);
    expect(() => Tokenizer.fromJSON({ ...good, merges: [[4, 5, 99]] })).toThrow(/outside the vocabulary/);
    expect(() => trainBpeTokenizer('abc', { vocabSize: 4 })).toThrow(/vocabulary size/);
  });
});
