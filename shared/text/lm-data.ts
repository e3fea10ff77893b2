/**
 * Language-modelling data from one text: the text is cut into contiguous blocks, the blocks are
 * assigned to training, validation and test (seeded), the tokenizer is learned from the training
 * blocks only, and each block is cut into windows of the context length whose targets are the next
 * tokens (y[t] = x[t + 1]). Windows never cross a block boundary, so no validation or test window
 * shares a token with a training window.
 */
import { assignParts, indexSplit, type IndexSplit, type Part, type SplitFractions, TextDataError } from './split';
import { Tokenizer, trainTokenizer, type TokenizerSpec } from './tokenizer';

export interface LanguageModelOptions extends SplitFractions {
  /** Tokens per window (the model's context length, T). */
  contextLength: number;
  /** How to learn the tokenizer, or an already learned one (a saved run's). */
  tokenizer: TokenizerSpec | Tokenizer;
  /** Tokens between the starts of consecutive windows (default: contextLength, no overlap). */
  stride?: number;
  /** At most this many blocks (default 100). */
  maxBlocks?: number;
}

export interface TextBlock {
  /** UTF-16 offsets into the text: [start, end). */
  start: number;
  end: number;
  part: Part;
  /** Token count of the block. */
  tokens: number;
}

export interface LanguageModelData {
  tokenizer: Tokenizer;
  contextLength: number;
  /** Number of windows. */
  count: number;
  /** Windows, [count, T] token ids, row-major. */
  x: Int32Array;
  /** Next-token targets, [count, T]: y[i, t] is the token after x[i, t]. */
  y: Int32Array;
  /** Window indices per part. */
  split: IndexSplit;
  blocks: TextBlock[];
  /** Characters of validation/test text outside the tokenizer learned from the training text (each became <unk>). */
  unknown: { validation: number; test: number; chars: string[] };
}

/** Windows over at most this many tokens in all (x alone would take 4 bytes each). */
const MAX_WINDOW_TOKENS = 64 * 1024 * 1024;
/** A block holds at least this many context lengths of characters. */
const MIN_BLOCK_WINDOWS = 8;

function blockBounds(text: string, count: number): number[] {
  const bounds = [0];
  for (let i = 1; i < count; i++) {
    let b = Math.round((i * text.length) / count);
    const c = text.charCodeAt(b);
    if (c >= 0xdc00 && c <= 0xdfff) b++; // never split a surrogate pair
    bounds.push(b);
  }
  bounds.push(text.length);
  return bounds;
}

function checkPositiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new TextDataError(`${name} must be a whole number ≥ 1, not ${v}.`);
  return v;
}

export function makeLanguageModelData(text: string, opts: LanguageModelOptions): LanguageModelData {
  const T = checkPositiveInt(opts.contextLength, 'The context length');
  const stride = checkPositiveInt(opts.stride ?? T, 'The stride');
  const needed = 1 + ((opts.testSplit ?? 0.1) > 0 ? 1 : 0) + ((opts.validationSplit ?? 0.1) > 0 ? 1 : 0);
  const blockChars = MIN_BLOCK_WINDOWS * (T + 1);
  const count = Math.min(opts.maxBlocks ?? 100, Math.floor(text.length / blockChars));
  if (count < needed) {
    throw new TextDataError(`The text has ${text.length.toLocaleString('en-US')} characters: too short for windows of ${T} tokens in ${needed} parts (training, validation, test). It needs at least ${(needed * blockChars).toLocaleString('en-US')} characters, or a shorter context.`);
  }
  const bounds = blockBounds(text, count);
  const parts = assignParts(count, opts);
  const pieces = parts.map((_, i) => text.slice(bounds[i], bounds[i + 1]));
  const tokenizer = opts.tokenizer instanceof Tokenizer ? opts.tokenizer : trainTokenizer(opts.tokenizer, pieces.filter((_, i) => parts[i] === 'train'));
  const encoded = pieces.map((p) => tokenizer.encode(p));
  const windows = encoded.reduce((n, e) => n + windowCount(e.ids.length, T, stride), 0);
  if (windows * T > MAX_WINDOW_TOKENS) throw new TextDataError(`${windows.toLocaleString('en-US')} windows of ${T} tokens are too many to hold: use a larger stride (now ${stride}) or a shorter text.`);
  if (windows === 0) throw new TextDataError(`No window of ${T} tokens fits in the text's blocks: use a shorter context.`);
  return assemble(tokenizer, T, stride, windows, parts, bounds, encoded);
}

function windowCount(tokens: number, T: number, stride: number): number {
  return tokens < T + 1 ? 0 : Math.floor((tokens - T - 1) / stride) + 1;
}

function assemble(tokenizer: Tokenizer, T: number, stride: number, windows: number, parts: Part[], bounds: number[], encoded: ReturnType<Tokenizer['encode']>[]): LanguageModelData {
  const x = new Int32Array(windows * T);
  const y = new Int32Array(windows * T);
  const partOfWindow: Part[] = [];
  const unknown = { validation: 0, test: 0, chars: new Set<string>() };
  encoded.forEach(({ ids, unknown: u, unknownChars }, b) => {
    const part = parts[b]!;
    if (part !== 'train') {
      unknown[part] += u;
      unknownChars.forEach((c) => unknown.chars.add(c));
    }
    for (let s = 0; s + T + 1 <= ids.length; s += stride) {
      const w = partOfWindow.length;
      x.set(ids.subarray(s, s + T), w * T);
      y.set(ids.subarray(s + 1, s + T + 1), w * T);
      partOfWindow.push(part);
    }
  });
  return {
    tokenizer, contextLength: T, count: windows, x, y, split: indexSplit(partOfWindow),
    blocks: parts.map((part, i) => ({ start: bounds[i]!, end: bounds[i + 1]!, part, tokens: encoded[i]!.ids.length })),
    unknown: { validation: unknown.validation, test: unknown.test, chars: [...unknown.chars].slice(0, 20) },
  };
}
