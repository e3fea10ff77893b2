/**
 * Tokenizers for text data: character level, or byte-pair encoding (BPE) learned from the training
 * text with a chosen vocabulary size. A tokenizer is plain JSON (`TokenizerJson`): it is saved with a
 * run and used by Try it, generation and every export, so all of them split text the same way.
 *
 * Ids 0–3 are the special tokens <pad>, <bos>, <eos>, <unk> (0 = padding, as Keras' `mask_zero`),
 * then the alphabet (single characters, by code point), then the tokens BPE merges made, in order.
 * A character outside the alphabet becomes <unk>; `encode` says how many did and which.
 */
import { z } from 'zod';
import { pretokenize } from './pretokenize';

export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;
export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;
const FIRST_REGULAR_ID = SPECIAL_TOKENS.length;
/** Pair keys are a * 2^21 + b: ids stay below 2^21 so that a key is an exact double. */
const MAX_VOCAB = 1 << 21;
const PAIR = 2 ** 21;

const id = z.number().int().nonnegative();
export const TokenizerJsonSchema = z.object({
  format: z.literal('layerloom-tokenizer'),
  version: z.literal(1),
  kind: z.enum(['char', 'bpe']),
  /** Token id → its text. */
  vocab: z.array(z.string()).min(FIRST_REGULAR_ID),
  /** BPE merges in rank order: [left id, right id, result id] (result text = left text + right text). */
  merges: z.array(z.tuple([id, id, id])),
});
export type TokenizerJson = z.infer<typeof TokenizerJsonSchema>;
export type TokenizerKind = TokenizerJson['kind'];

export interface Encoded {
  ids: Int32Array;
  /** How many characters were not in the vocabulary (each became <unk>). */
  unknown: number;
  /** The distinct unknown characters, in order of first appearance (at most 20). */
  unknownChars: string[];
}

export interface EncodeOptions {
  /** Put <bos> first. */
  bos?: boolean;
  /** Put <eos> last. */
  eos?: boolean;
}

export interface DecodeOptions {
  /** `skip` (default): <pad>, <bos>, <eos> give no text; `show`: they give their names. <unk> is always U+FFFD. */
  specials?: 'skip' | 'show';
}

export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

const MAX_UNKNOWN_LISTED = 20;
const CHUNK_CACHE = 100_000;

export class Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocab: readonly string[];
  readonly merges: readonly (readonly [number, number, number])[];
  private readonly charIds = new Map<string, number>();
  /** Pair key → [rank, result id]. */
  private readonly mergeOf = new Map<number, readonly [number, number]>();
  private readonly chunkCache = new Map<string, Int32Array>();

  private constructor(json: TokenizerJson) {
    this.kind = json.kind;
    this.vocab = json.vocab;
    this.merges = json.merges;
    for (let i = FIRST_REGULAR_ID; i < json.vocab.length; i++) {
      const t = json.vocab[i]!;
      if (Array.from(t).length === 1 && !this.charIds.has(t)) this.charIds.set(t, i);
    }
    json.merges.forEach(([a, b, r], rank) => {
      if (!this.mergeOf.has(a * PAIR + b)) this.mergeOf.set(a * PAIR + b, [rank, r]);
    });
  }

  /** Validates `json` (schema, specials, merge results) and builds the tokenizer. */
  static fromJSON(json: unknown): Tokenizer {
    const parsed = TokenizerJsonSchema.safeParse(json);
    if (!parsed.success) throw new TokenizerError(`Not a Layerloom tokenizer: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
    const t = parsed.data;
    SPECIAL_TOKENS.forEach((s, i) => {
      if (t.vocab[i] !== s) throw new TokenizerError(`Tokenizer id ${i} must be ${s}, found ${JSON.stringify(t.vocab[i])}.`);
    });
    if (t.vocab.length > MAX_VOCAB) throw new TokenizerError(`Tokenizer vocabulary of ${t.vocab.length} is larger than ${MAX_VOCAB}.`);
    if (t.kind === 'char' && t.merges.length > 0) throw new TokenizerError('A character tokenizer has no merges.');
    t.merges.forEach(([a, b, r], i) => {
      const n = t.vocab.length;
      if (a >= n || b >= n || r >= n || a < FIRST_REGULAR_ID || b < FIRST_REGULAR_ID || r < FIRST_REGULAR_ID) throw new TokenizerError(`Tokenizer merge ${i} names an id outside the vocabulary.`);
      if (t.vocab[r] !== t.vocab[a]! + t.vocab[b]!) throw new TokenizerError(`Tokenizer merge ${i}: ${JSON.stringify(t.vocab[r])} is not ${JSON.stringify(t.vocab[a])} + ${JSON.stringify(t.vocab[b])}.`);
    });
    return new Tokenizer(t);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  toJSON(): TokenizerJson {
    return { format: 'layerloom-tokenizer', version: 1, kind: this.kind, vocab: [...this.vocab], merges: this.merges.map((m) => [...m]) };
  }

  encode(text: string, opts: EncodeOptions = {}): Encoded {
    const out: number[] = [];
    if (opts.bos) out.push(BOS_ID);
    const unknown = { count: 0, chars: new Set<string>() };
    if (this.kind === 'char') {
      for (const c of text) out.push(this.charId(c, unknown));
    } else {
      for (const chunk of pretokenize(text)) {
        const ids = this.encodeChunk(chunk, unknown);
        for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
      }
    }
    if (opts.eos) out.push(EOS_ID);
    return { ids: Int32Array.from(out), unknown: unknown.count, unknownChars: [...unknown.chars] };
  }

  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.piece(ids[i]!, opts.specials ?? 'skip');
    return s;
  }

  /** A token as a label (attention maps, token lists): specials by name, <unk> as U+FFFD. */
  tokenLabel(tokenId: number): string {
    return this.piece(tokenId, 'show');
  }

  private piece(tokenId: number, specials: 'skip' | 'show'): string {
    if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= this.vocab.length) throw new TokenizerError(`Token id ${tokenId} is outside the vocabulary (0–${this.vocab.length - 1}).`);
    if (tokenId === UNK_ID) return '\uFFFD';
    if (tokenId < FIRST_REGULAR_ID) return specials === 'show' ? this.vocab[tokenId]! : '';
    return this.vocab[tokenId]!;
  }

  private charId(c: string, unknown: { count: number; chars: Set<string> }): number {
    const tokenId = this.charIds.get(c);
    if (tokenId !== undefined) return tokenId;
    unknown.count++;
    if (unknown.chars.size < MAX_UNKNOWN_LISTED) unknown.chars.add(c);
    return UNK_ID;
  }

  /** GPT-2's BPE on one chunk: merge the adjacent pair of lowest rank, everywhere, until none is left. */
  private encodeChunk(chunk: string, unknown: { count: number; chars: Set<string> }): Int32Array {
    const hit = this.chunkCache.get(chunk);
    if (hit) {
      if (hit.includes(UNK_ID)) for (const c of chunk) this.charId(c, unknown);
      return hit;
    }
    let syms = Array.from(chunk, (c) => this.charId(c, unknown));
    for (;;) {
      let best: readonly [number, number] | undefined;
      for (let i = 0; i + 1 < syms.length; i++) {
        const m = this.mergeOf.get(syms[i]! * PAIR + syms[i + 1]!);
        if (m && (!best || m[0] < best[0])) best = m;
      }
      if (!best) break;
      const [a, b] = this.merges[best[0]]!;
      syms = mergePair(syms, a, b, best[1]);
    }
    const ids = Int32Array.from(syms);
    if (this.chunkCache.size < CHUNK_CACHE) this.chunkCache.set(chunk, ids);
    return ids;
  }
}

/** Replaces every non-overlapping (a, b), left to right, by r. */
function mergePair(syms: number[], a: number, b: number, r: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < syms.length; i++) {
    if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
      out.push(r);
      i++;
    } else out.push(syms[i]!);
  }
  return out;
}

// ---- training ----

/**
 * The alphabet: the `limit` most frequent characters (ties: lower code point first), then sorted by
 * code point so that ids do not depend on counts.
 */
function alphabetOf(texts: readonly string[], limit: number): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  const byCodePoint = (x: string, y: string) => x.codePointAt(0)! - y.codePointAt(0)!;
  const chars = [...counts.keys()];
  if (chars.length > limit) {
    chars.sort((x, y) => counts.get(y)! - counts.get(x)! || byCodePoint(x, y));
    chars.length = limit;
  }
  return chars.sort(byCodePoint);
}

export interface CharTokenizerOptions {
  /** At most this many tokens in all (specials included): the rarest characters become <unk>. */
  maxVocabSize?: number;
}

/** Training text: one string, or several pieces (e.g. the training blocks of a corpus) that no token spans. */
export type TrainingText = string | readonly string[];
const piecesOf = (t: TrainingText): readonly string[] => (typeof t === 'string' ? [t] : t);

/** A character-level tokenizer over the characters of `text`. */
export function trainCharTokenizer(text: TrainingText, opts: CharTokenizerOptions = {}): Tokenizer {
  const limit = opts.maxVocabSize === undefined ? MAX_VOCAB - FIRST_REGULAR_ID : checkVocabSize(opts.maxVocabSize) - FIRST_REGULAR_ID;
  return Tokenizer.fromJSON({ format: 'layerloom-tokenizer', version: 1, kind: 'char', vocab: [...SPECIAL_TOKENS, ...alphabetOf(piecesOf(text), limit)], merges: [] });
}

export interface BpeTokenizerOptions {
  /** Tokens in all, specials included. Fewer when the text has no pair left that occurs `minPairCount` times. */
  vocabSize: number;
  /** A pair is merged only if it occurs at least this often (default 2). */
  minPairCount?: number;
}

function checkVocabSize(n: number): number {
  if (!Number.isInteger(n) || n <= FIRST_REGULAR_ID || n > MAX_VOCAB) throw new TokenizerError(`The vocabulary size must be a whole number from ${FIRST_REGULAR_ID + 1} to ${MAX_VOCAB}, not ${n}.`);
  return n;
}

/**
 * Byte-pair encoding learned from `text`: start from its characters (the most frequent ones when the
 * size is small), then repeatedly merge the most frequent adjacent pair inside the pre-tokenised
 * chunks (ties: the pair with the lower left id, then the lower right id). Deterministic.
 */
export function trainBpeTokenizer(text: TrainingText, opts: BpeTokenizerOptions): Tokenizer {
  const vocabSize = checkVocabSize(opts.vocabSize);
  const minCount = Math.max(1, opts.minPairCount ?? 2);
  const vocab: string[] = [...SPECIAL_TOKENS, ...alphabetOf(piecesOf(text), vocabSize - FIRST_REGULAR_ID)];
  const idOf = new Map(vocab.map((t, i) => [t, i] as const));
  const words = wordsOf(piecesOf(text), idOf);
  const pairs = new PairCounts(words);
  const merges: [number, number, number][] = [];
  while (vocab.length < vocabSize) {
    const best = pairs.best(minCount);
    if (best === null) break;
    const a = Math.floor(best / PAIR);
    const b = best % PAIR;
    const text2 = vocab[a]! + vocab[b]!;
    let r = idOf.get(text2);
    if (r === undefined) {
      r = vocab.length;
      vocab.push(text2);
      idOf.set(text2, r);
    }
    merges.push([a, b, r]);
    pairs.merge(a, b, r);
  }
  return Tokenizer.fromJSON({ format: 'layerloom-tokenizer', version: 1, kind: 'bpe', vocab, merges });
}

interface Word { syms: number[]; count: number }

/** The distinct chunks of `text` with their counts, as symbol ids (<unk> for characters outside the alphabet). */
function wordsOf(texts: readonly string[], idOf: Map<string, number>): Word[] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const chunk of pretokenize(text)) counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
  return [...counts].map(([w, count]) => ({ syms: Array.from(w, (c) => idOf.get(c) ?? UNK_ID), count }));
}

/** Pair counts over all words, kept up to date as pairs merge. <unk> never pairs. */
class PairCounts {
  private readonly counts = new Map<number, number>();
  /** Pair key → the words that contained it when it was counted (may be stale: checked on merge). */
  private readonly where = new Map<number, Set<number>>();

  constructor(private readonly words: Word[]) {
    words.forEach((_, w) => this.add(w, 1));
  }

  private add(w: number, sign: 1 | -1): void {
    const { syms, count } = this.words[w]!;
    for (let i = 0; i + 1 < syms.length; i++) {
      if (syms[i] === UNK_ID || syms[i + 1] === UNK_ID) continue;
      const key = syms[i]! * PAIR + syms[i + 1]!;
      const c = (this.counts.get(key) ?? 0) + sign * count;
      if (c > 0) this.counts.set(key, c);
      else this.counts.delete(key);
      if (sign > 0) {
        let set = this.where.get(key);
        if (!set) this.where.set(key, (set = new Set()));
        set.add(w);
      }
    }
  }

  /** The most frequent pair's key (ties: lowest key), or null when none occurs minCount times. */
  best(minCount: number): number | null {
    let bestKey = -1;
    let bestCount = 0;
    for (const [key, c] of this.counts) {
      if (c > bestCount || (c === bestCount && key < bestKey)) {
        bestKey = key;
        bestCount = c;
      }
    }
    return bestCount >= minCount ? bestKey : null;
  }

  merge(a: number, b: number, r: number): void {
    const key = a * PAIR + b;
    const ws = this.where.get(key) ?? new Set<number>();
    this.where.delete(key);
    for (const w of [...ws].sort((x, y) => x - y)) {
      const word = this.words[w]!;
      if (!hasPair(word.syms, a, b)) continue;
      this.add(w, -1);
      word.syms = mergePair(word.syms, a, b, r);
      this.add(w, 1);
    }
  }
}

function hasPair(syms: number[], a: number, b: number): boolean {
  for (let i = 0; i + 1 < syms.length; i++) if (syms[i] === a && syms[i + 1] === b) return true;
  return false;
}

/** How to learn a tokenizer (what a dataset config names; the learned vocabulary is saved with the run). */
export const TokenizerSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('char'), maxVocabSize: z.number().int().min(FIRST_REGULAR_ID + 1).max(MAX_VOCAB).optional() }),
  z.object({ kind: z.literal('bpe'), vocabSize: z.number().int().min(FIRST_REGULAR_ID + 1).max(MAX_VOCAB), minPairCount: z.number().int().min(1).optional() }),
]);
export type TokenizerSpec = z.infer<typeof TokenizerSpecSchema>;

/** Learns the tokenizer `spec` describes from `text`. */
export function trainTokenizer(spec: TokenizerSpec, text: TrainingText): Tokenizer {
  return spec.kind === 'char' ? trainCharTokenizer(text, { maxVocabSize: spec.maxVocabSize }) : trainBpeTokenizer(text, spec);
}
