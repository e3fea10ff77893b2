/**
 * Sequence-to-sequence data from (source, target) pairs: source token ids padded to the source
 * length (the encoder's input), and the target twice, for teacher forcing — the decoder's input
 * `<bos> t1 … tn` and what it must predict at each position, `t1 … tn <eos>`; both padded with <pad>
 * (id 0) to the target length. The split keeps every pair with the same source sentence in one part.
 */
import { assignParts, indexSplit, type IndexSplit, type Part, type SplitFractions, TextDataError } from './split';
import { BOS_ID, EOS_ID, PAD_ID, Tokenizer, trainTokenizer, type TokenizerSpec } from './tokenizer';

export interface ParallelPair {
  source: string;
  target: string;
  /** Where the pair came from (1-based line of a TSV file), for messages. */
  line?: number;
  /** A fixed part (generated tasks hold out by meaning); when every pair has one, no split is drawn. */
  part?: Part;
}

export interface Seq2SeqOptions extends SplitFractions {
  sourceTokenizer: TokenizerSpec | Tokenizer;
  /** `same`: one tokenizer, learned from both sides, for source and target. */
  targetTokenizer: TokenizerSpec | Tokenizer | 'same';
  /** Source tokens per sample (default: the longest source). Longer sources are cut (counted in `truncated`). */
  sourceLength?: number;
  /** Decoder positions per sample (default: the longest target + 1 for <bos>/<eos>). */
  targetLength?: number;
}

export interface Seq2SeqData {
  sourceTokenizer: Tokenizer;
  targetTokenizer: Tokenizer;
  count: number;
  sourceLength: number;
  targetLength: number;
  /** [count, sourceLength], post-padded with <pad>. */
  source: Int32Array;
  /** [count, targetLength]: <bos> t1 … tn, padded. */
  decoderInput: Int32Array;
  /** [count, targetLength]: t1 … tn <eos>, padded (the loss skips <pad>). */
  target: Int32Array;
  split: IndexSplit;
  /** Samples whose source or target was longer than its length and was cut. */
  truncated: { source: number; target: number };
  /** Characters outside the tokenizers (learned from training pairs) in validation/test pairs. */
  unknown: { source: number; target: number };
}

function splitPairs(pairs: readonly ParallelPair[], f: SplitFractions): Part[] {
  if (pairs.every((p) => p.part !== undefined)) return pairs.map((p) => p.part!);
  const groups = new Map<string, number>();
  for (const p of pairs) if (!groups.has(p.source)) groups.set(p.source, groups.size);
  const partOfGroup = assignParts(groups.size, f);
  return pairs.map((p) => partOfGroup[groups.get(p.source)!]!);
}

export function makeSeq2SeqData(pairs: readonly ParallelPair[], opts: Seq2SeqOptions): Seq2SeqData {
  if (pairs.length === 0) throw new TextDataError('There are no sentence pairs.');
  const parts = splitPairs(pairs, opts);
  const train = pairs.filter((_, i) => parts[i] === 'train');
  const learn = (spec: TokenizerSpec | Tokenizer, text: string[]) => (spec instanceof Tokenizer ? spec : trainTokenizer(spec, text));
  const sourceTokenizer = learn(opts.sourceTokenizer, opts.targetTokenizer === 'same' ? train.flatMap((p) => [p.source, p.target]) : train.map((p) => p.source));
  const targetTokenizer = opts.targetTokenizer === 'same' ? sourceTokenizer : learn(opts.targetTokenizer, train.map((p) => p.target));
  const src = pairs.map((p) => sourceTokenizer.encode(p.source));
  const tgt = pairs.map((p) => targetTokenizer.encode(p.target));
  const Ts = opts.sourceLength ?? Math.max(1, ...src.map((e) => e.ids.length));
  const Tt = opts.targetLength ?? Math.max(...tgt.map((e) => e.ids.length)) + 1;
  if (!Number.isInteger(Ts) || Ts < 1 || !Number.isInteger(Tt) || Tt < 2) throw new TextDataError(`Source length ${Ts} and target length ${Tt} must be whole numbers ≥ 1 and ≥ 2.`);
  const n = pairs.length;
  const out = { source: new Int32Array(n * Ts).fill(PAD_ID), decoderInput: new Int32Array(n * Tt).fill(PAD_ID), target: new Int32Array(n * Tt).fill(PAD_ID) };
  const truncated = { source: 0, target: 0 };
  const unknown = { source: 0, target: 0 };
  for (let i = 0; i < n; i++) {
    const s = src[i]!.ids;
    const t = tgt[i]!.ids;
    if (s.length > Ts) truncated.source++;
    if (t.length > Tt - 1) truncated.target++;
    out.source.set(s.subarray(0, Ts), i * Ts);
    const k = Math.min(t.length, Tt - 1);
    out.decoderInput[i * Tt] = BOS_ID;
    out.decoderInput.set(t.subarray(0, k), i * Tt + 1);
    out.target.set(t.subarray(0, k), i * Tt);
    out.target[i * Tt + k] = EOS_ID;
    if (parts[i] !== 'train') {
      unknown.source += src[i]!.unknown;
      unknown.target += tgt[i]!.unknown;
    }
  }
  return { sourceTokenizer, targetTokenizer, count: n, sourceLength: Ts, targetLength: Tt, ...out, split: indexSplit(parts), truncated, unknown };
}
