/**
 * Token-by-token generation from a decoder-only language model: the prompt is encoded (unknown
 * characters become <unk>, and the result says so), cut to the model's context when longer (said
 * so), then each next token is sampled (sample.ts), streamed to `onToken`, and fed back.
 *
 * Key/value cache: each block keeps the keys and values of the positions it has seen, so a new token
 * costs one position's work instead of the whole window's (cost linear in the generated length).
 * The window: when the sequence outgrows the context length T, generation continues from its last
 * ceil(T/2) tokens (one pass over them refills the cache). The uncached path (`cache: false`) keeps
 * the same windows, so both give the same tokens; greedy decoding is what an exported generate.py
 * must reproduce, with the same rule.
 */
import { mixSeed, mulberry32 } from '../../../shared/random';
import { BOS_ID, EOS_ID, PAD_ID, type Tokenizer } from '../../../shared/text/tokenizer';
import type { KvCache } from '../layers/attention-core';
import { checkSampling, sampleToken, type SamplingOptions } from './sample';
import { disposeCaches, runStack, type DecoderOnlyStack } from './stack';

export interface GenerateOptions extends SamplingOptions {
  /** Tokens to generate at most. */
  maxTokens: number;
  /** Seed of the draws (absent: a random one, reported in the result). */
  seed?: number;
  /** Stop at <eos> (default true). */
  stopAtEos?: boolean;
  /** Use the key/value cache (default true). */
  cache?: boolean;
  /** Called with each new token as soon as it is chosen. */
  onToken?: (token: GeneratedToken) => void;
  /** Stop: generation ends before the next token once aborted. */
  signal?: AbortSignal;
}

export interface GeneratedToken {
  /** 0-based index among the generated tokens. */
  index: number;
  id: number;
  /** The token's text (empty for <eos>). */
  text: string;
}

export interface GenerateResult {
  /** The generated continuation (without the prompt). */
  text: string;
  /** Generated token ids. */
  tokens: number[];
  /** Prompt tokens the model saw (after truncation). */
  promptTokens: number;
  /** Prompt tokens cut from the start because the prompt was longer than the context. */
  truncatedPromptTokens: number;
  /** Prompt characters outside the vocabulary (each became <unk>), and which. */
  unknown: number;
  unknownChars: string[];
  stopReason: 'length' | 'eos' | 'stopped';
  seed: number;
  /** Sentences for people about the above (truncation, unknown characters). */
  notices: string[];
}

export class GenerateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateError';
  }
}

/** <pad> and <bos> never follow a token. */
const allowedNext = (id: number) => id !== PAD_ID && id !== BOS_ID;

/** Tokens kept when the window slides: ceil(T / 2). */
export const windowKeep = (contextLength: number) => Math.ceil(contextLength / 2);

function promptIds(tokenizer: Tokenizer, prompt: string, T: number) {
  const enc = tokenizer.encode(prompt);
  if (enc.ids.length === 0) throw new GenerateError('The prompt is empty: type at least one character.');
  const truncated = Math.max(0, enc.ids.length - T);
  const notices: string[] = [];
  if (truncated > 0) notices.push(`The prompt has ${enc.ids.length} tokens, more than the model's context of ${T}: its first ${truncated} tokens were left out.`);
  if (enc.unknown > 0) notices.push(`${enc.unknown} prompt character${enc.unknown === 1 ? ' is' : 's are'} not in the vocabulary (${enc.unknownChars.map((c) => JSON.stringify(c)).join(', ')}) and became the unknown token.`);
  return { ids: Array.from(enc.ids), truncated, enc, notices };
}

/** Logits for the next token of `seq` (window from `start`), through the cache or a full pass. */
class NextLogits {
  private caches: KvCache[] | null = null;
  /** The cache holds positions windowStart … cachedUpTo - 1 of the sequence. */
  private windowStart = -1;
  private cachedUpTo = 0;
  constructor(private readonly stack: DecoderOnlyStack, private readonly useCache: boolean) {}

  next(seq: number[], start: number): Float32Array {
    if (!this.useCache) {
      const r = runStack(this.stack, seq.slice(start), 0, null);
      disposeCaches(r.caches);
      return r.logits;
    }
    const refill = this.caches === null || this.windowStart !== start;
    const from = refill ? start : this.cachedUpTo;
    const r = runStack(this.stack, seq.slice(from), from - start, refill ? null : this.caches);
    disposeCaches(this.caches);
    this.caches = r.caches;
    this.windowStart = start;
    this.cachedUpTo = seq.length;
    return r.logits;
  }

  dispose(): void {
    disposeCaches(this.caches);
    this.caches = null;
  }
}

export async function generate(stack: DecoderOnlyStack, tokenizer: Tokenizer, prompt: string, opts: GenerateOptions): Promise<GenerateResult> {
  checkSampling(opts);
  if (!Number.isInteger(opts.maxTokens) || opts.maxTokens < 0) throw new GenerateError(`maxTokens must be a whole number ≥ 0, not ${opts.maxTokens}.`);
  // A model may score more ids than its tokenizer has (a Dense sized with room to spare): those are never drawn.
  if (tokenizer.vocabSize > stack.vocabSize) throw new GenerateError(`The tokenizer has ${tokenizer.vocabSize} tokens but the model predicts only ${stack.vocabSize}: they do not belong together.`);
  const allowed = (id: number) => allowedNext(id) && id < tokenizer.vocabSize;
  const T = stack.contextLength;
  const p = promptIds(tokenizer, prompt, T);
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const rng = mulberry32(mixSeed(seed, 0x6e4e));
  const seq = p.ids.slice(p.truncated);
  let start = 0;
  const out: number[] = [];
  let stopReason: GenerateResult['stopReason'] = 'length';
  const logits = new NextLogits(stack, opts.cache ?? true);
  try {
    while (out.length < opts.maxTokens) {
      if (opts.signal?.aborted) {
        stopReason = 'stopped';
        break;
      }
      if (seq.length - start > T) start = seq.length - windowKeep(T);
      const id = sampleToken(logits.next(seq, start), opts, rng, allowed);
      if (id === EOS_ID && (opts.stopAtEos ?? true)) {
        stopReason = 'eos';
        break;
      }
      seq.push(id);
      out.push(id);
      opts.onToken?.({ index: out.length - 1, id, text: tokenizer.decode([id]) });
      // Let a Stop (or any other message) in between tokens.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    logits.dispose();
  }
  return {
    text: tokenizer.decode(out), tokens: out, promptTokens: p.ids.length - p.truncated, truncatedPromptTokens: p.truncated,
    unknown: p.enc.unknown, unknownChars: p.enc.unknownChars, stopReason, seed, notices: p.notices,
  };
}
