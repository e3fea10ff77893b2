/**
 * Greedy decoding of an encoder–decoder model (inputs [source ids [B, Ts], decoder ids [B, Tt]],
 * output [B, Tt, V]): the decoder input starts as <bos>, and at each position the most likely token
 * (ties to the lower id; never <pad> or <bos>) is appended, until <eos> or Tt tokens. Works for any
 * graph with that signature, at the cost of one full pass per target position (Tt is short for
 * translation); a batch decodes together. `exactMatch` scores held-out pairs.
 */
import { BOS_ID, EOS_ID, PAD_ID, type Tokenizer } from '../../../shared/text/tokenizer';
import type { Seq2SeqData } from '../../../shared/text/seq2seq';
import { tf, type tfl } from '../tfjs';
import { argmax } from './sample';

export class TranslateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranslateError';
  }
}

function lengths(model: tfl.LayersModel): { Ts: number; Tt: number } {
  const [src, dec] = model.inputs;
  const Ts = src?.shape[1];
  const Tt = dec?.shape[1];
  if (model.inputs.length !== 2 || typeof Ts !== 'number' || typeof Tt !== 'number') {
    throw new TranslateError('A translator has two inputs of fixed length: the source token ids, then the decoder\'s token ids.');
  }
  return { Ts, Tt };
}

const allowedNext = (id: number) => id !== PAD_ID && id !== BOS_ID;

/** Greedy decoding of `batch` padded sources ([batch, Ts] ids): each row's tokens, without <bos>/<eos>. */
export function greedyDecode(model: tfl.LayersModel, sources: Int32Array, batch: number): number[][] {
  const { Ts, Tt } = lengths(model);
  if (sources.length !== batch * Ts) throw new TranslateError(`Expected ${batch} sources of ${Ts} tokens (${batch * Ts} ids), got ${sources.length}.`);
  const dec = new Int32Array(batch * Tt).fill(PAD_ID);
  for (let b = 0; b < batch; b++) dec[b * Tt] = BOS_ID;
  const out: number[][] = Array.from({ length: batch }, () => []);
  const done = new Array<boolean>(batch).fill(false);
  const src = tf.tensor2d(sources, [batch, Ts], 'int32');
  try {
    for (let t = 0; t < Tt && done.includes(false); t++) {
      const logits = tf.tidy(() => {
        const y = model.apply([src, tf.tensor2d(dec, [batch, Tt], 'int32')]) as tf.Tensor;
        return tf.reshape(tf.slice(y, [0, t, 0], [batch, 1, -1]), [batch, -1]);
      });
      const v = logits.shape[1]!;
      const values = logits.dataSync();
      logits.dispose();
      for (let b = 0; b < batch; b++) {
        if (done[b]) continue;
        const id = argmax(values.subarray(b * v, (b + 1) * v), allowedNext);
        if (id === EOS_ID) done[b] = true;
        else {
          out[b]!.push(id);
          if (t + 1 < Tt) dec[b * Tt + t + 1] = id;
        }
      }
    }
  } finally {
    src.dispose();
  }
  return out;
}

export interface Translation {
  text: string;
  tokens: number[];
  /** Source characters outside the source vocabulary (each became <unk>), and which. */
  unknown: number;
  unknownChars: string[];
  /** Source tokens cut from the end because the source was longer than the model's input. */
  truncatedSourceTokens: number;
  notices: string[];
}

/** Translates one text. */
export function translate(model: tfl.LayersModel, sourceTokenizer: Tokenizer, targetTokenizer: Tokenizer, text: string): Translation {
  const { Ts } = lengths(model);
  const enc = sourceTokenizer.encode(text);
  if (enc.ids.length === 0) throw new TranslateError('There is nothing to translate: type at least one character.');
  const truncated = Math.max(0, enc.ids.length - Ts);
  const src = new Int32Array(Ts).fill(PAD_ID);
  src.set(enc.ids.subarray(0, Ts));
  const notices: string[] = [];
  if (truncated > 0) notices.push(`The text has ${enc.ids.length} tokens, more than the model's input of ${Ts}: its last ${truncated} tokens were left out.`);
  if (enc.unknown > 0) notices.push(`${enc.unknown} character${enc.unknown === 1 ? ' is' : 's are'} not in the source vocabulary (${enc.unknownChars.map((c) => JSON.stringify(c)).join(', ')}) and became the unknown token.`);
  const tokens = greedyDecode(model, src, 1)[0]!;
  return { text: targetTokenizer.decode(tokens), tokens, unknown: enc.unknown, unknownChars: enc.unknownChars, truncatedSourceTokens: truncated, notices };
}

/** Fraction of the pairs `indices` whose greedy translation is exactly the target (in batches of `batchSize`). */
export function exactMatch(model: tfl.LayersModel, data: Seq2SeqData, indices: ArrayLike<number>, batchSize = 64): { exact: number; count: number } {
  const { Ts, Tt } = lengths(model);
  if (Ts !== data.sourceLength || Tt !== data.targetLength) throw new TranslateError(`The model takes ${Ts} source and ${Tt} target tokens; the data has ${data.sourceLength} and ${data.targetLength}.`);
  let exact = 0;
  for (let s = 0; s < indices.length; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, indices.length - s) }, (_, j) => indices[s + j]!);
    const src = new Int32Array(idx.length * Ts);
    idx.forEach((i, j) => src.set(data.source.subarray(i * Ts, (i + 1) * Ts), j * Ts));
    greedyDecode(model, src, idx.length).forEach((tokens, j) => {
      const row = data.target.subarray(idx[j]! * Tt, (idx[j]! + 1) * Tt);
      const want = Array.from(row.subarray(0, row.indexOf(EOS_ID) < 0 ? Tt : row.indexOf(EOS_ID)));
      if (tokens.length === want.length && tokens.every((t, k) => t === want[k])) exact++;
    });
  }
  return { exact: indices.length > 0 ? exact / indices.length : 0, count: indices.length };
}
