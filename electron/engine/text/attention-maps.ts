/**
 * Attention maps: for an input text, every decoder block's and head's attention weights, token ×
 * token (row = the attending position, column = the attended one), with the tokens as labels.
 * Causal self-attention makes every entry above the diagonal exactly 0.
 */
import type { Tokenizer } from '../../../shared/text/tokenizer';
import { stackAttention, type DecoderOnlyStack } from './stack';

export interface AttentionMap {
  /** The block's layer name. */
  layer: string;
  kind: 'self';
  /** [head][query][key]; each row sums to 1. */
  heads: number[][][];
}

export interface AttentionMaps {
  tokens: number[];
  /** One label per token (specials by name). */
  labels: string[];
  maps: AttentionMap[];
  /** Tokens cut from the start to fit the context. */
  truncatedTokens: number;
  unknown: number;
}

export function attentionMaps(stack: DecoderOnlyStack, tokenizer: Tokenizer, text: string): AttentionMaps {
  const enc = tokenizer.encode(text);
  if (enc.ids.length === 0) throw new Error('There is no text to show attention for.');
  const truncatedTokens = Math.max(0, enc.ids.length - stack.contextLength);
  const tokens = Array.from(enc.ids.subarray(truncatedTokens));
  const weights = stackAttention(stack, tokens);
  return {
    tokens, labels: tokens.map((t) => tokenizer.tokenLabel(t)), truncatedTokens, unknown: enc.unknown,
    maps: weights.map((heads, b) => ({ layer: stack.blocks[b]!.name, kind: 'self', heads })),
  };
}
