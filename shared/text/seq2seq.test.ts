import { generateDatePairs } from './dates';
import { makeSeq2SeqData } from './seq2seq';
import { BOS_ID, EOS_ID, PAD_ID } from './tokenizer';

const PAIRS = [
  { source: 'one', target: '1' },
  { source: 'two', target: '2' },
  { source: 'twelve', target: '12' },
  { source: 'twenty one', target: '21' },
  { source: 'one', target: '1' },
  ...Array.from({ length: 40 }, (_, i) => ({ source: `n ${i}`, target: String(i) })),
];

describe('sequence-to-sequence data', () => {
  const d = makeSeq2SeqData(PAIRS, { sourceTokenizer: { kind: 'char' }, targetTokenizer: { kind: 'char' }, seed: 2 });

  it('pads sources and builds teacher-forcing decoder inputs and targets', () => {
    expect(d.sourceLength).toBe('twenty one'.length);
    expect(d.targetLength).toBe(3); // longest target (2) + 1
    const row = (a: Int32Array, i: number, n: number) => Array.from(a.subarray(i * n, (i + 1) * n));
    const tgt = (s: string) => Array.from(d.targetTokenizer.encode(s).ids);
    expect(row(d.source, 2, d.sourceLength)).toEqual([...Array.from(d.sourceTokenizer.encode('twelve').ids), PAD_ID, PAD_ID, PAD_ID, PAD_ID]);
    expect(row(d.decoderInput, 2, 3)).toEqual([BOS_ID, ...tgt('12')]);
    expect(row(d.target, 2, 3)).toEqual([...tgt('12'), EOS_ID]);
    expect(row(d.decoderInput, 0, 3)).toEqual([BOS_ID, ...tgt('1'), PAD_ID]);
    expect(row(d.target, 0, 3)).toEqual([...tgt('1'), EOS_ID, PAD_ID]);
  });

  it('keeps pairs with the same source in the same part', () => {
    const partOf = (i: number) => (d.split.train.includes(i) ? 'train' : d.split.validation.includes(i) ? 'validation' : 'test');
    expect(partOf(0)).toBe(partOf(4));
    expect(d.split.train.length + d.split.validation.length + d.split.test.length).toBe(PAIRS.length);
    expect(d.split.test.length).toBeGreaterThan(0);
  });

  it('cuts sequences longer than the given lengths and counts them', () => {
    const short = makeSeq2SeqData(PAIRS, { sourceTokenizer: { kind: 'char' }, targetTokenizer: 'same', sourceLength: 4, targetLength: 2, seed: 2 });
    expect(short.truncated.source).toBe(PAIRS.filter((p) => p.source.length > 4).length);
    expect(short.truncated.target).toBe(PAIRS.filter((p) => p.target.length > 1).length);
    expect(short.sourceTokenizer).toBe(short.targetTokenizer);
    // A cut target still ends in <eos>.
    expect(short.target[2 * 2 + 1]).toBe(EOS_ID);
  });

  it('uses the fixed parts of generated pairs', () => {
    const pairs = generateDatePairs({ count: 300, seed: 1 });
    const dd = makeSeq2SeqData(pairs, { sourceTokenizer: { kind: 'char' }, targetTokenizer: { kind: 'char' } });
    expect(Array.from(dd.split.test)).toEqual(pairs.flatMap((p, i) => (p.part === 'test' ? [i] : [])));
  });
});
