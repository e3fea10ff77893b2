/**
 * Text data as the training loop's Dataset: a `text` config (a built-in corpus or a text file) is
 * cut into windows of the model's context length (x = tokens, y = next tokens, targets [T]); a
 * `pairs` config (a built-in pair set or a parallel TSV) becomes source ids (x), the decoder's
 * <bos>-shifted input (an extra input) and the next-token targets. The split is the data's own (by
 * corpus block, by source sentence), and the learned tokenizers travel with the Dataset into the run.
 */
import { basename } from 'node:path';
import type { DatasetConfig } from '../../../../shared/document/schema';
import { TEXT_BUILTINS, loadLanguageModelData, loadSeq2SeqData, type TextSource } from './index';
import { DataError, type Dataset, type LoadOptions } from '../types';

type TextConfig = Extract<DatasetConfig, { source: 'text' | 'pairs' }>;

function sourceOf(cfg: TextConfig): TextSource {
  if ((cfg.name === undefined) === (cfg.path === undefined)) {
    throw new DataError(`A ${cfg.source} dataset names either a built-in (name) or a file (path), not ${cfg.name === undefined ? 'neither' : 'both'}.`);
  }
  return cfg.path !== undefined ? { path: cfg.path } : { builtin: cfg.name! };
}

const nameOf = (cfg: TextConfig) => cfg.name ?? basename(cfg.path!);

/** A shape [T] of one Input, or a DataError naming what the data needs. */
function lengthOf(shapes: number[][] | undefined, i: number, what: string): number {
  const s = shapes?.[i];
  if (!s) throw new DataError(`Text data needs the model's ${what}: the model has ${shapes?.length ?? 0} Input(s).`);
  if (s.length !== 1) throw new DataError(`Text data feeds token ids [timesteps] to the ${what}, but it has shape ${JSON.stringify(s)}: give the Input shape [${s[0] ?? 64}] and dtype int32.`);
  return s[0]!;
}

function described(cfg: TextConfig): { description: string; license?: string } {
  const b = cfg.name === undefined ? undefined : TEXT_BUILTINS.find((d) => d.name === cfg.name);
  return b ? { description: b.description, license: b.license } : { description: `${cfg.path} (${cfg.source === 'text' ? 'plain text' : 'source<TAB>target pairs'})` };
}

export function loadTextDataset(cfg: TextConfig, opts: LoadOptions): Dataset {
  return cfg.source === 'text' ? languageModelDataset(cfg as Extract<TextConfig, { source: 'text' }>, opts) : pairsDataset(cfg as Extract<TextConfig, { source: 'pairs' }>, opts);
}

function languageModelDataset(cfg: Extract<TextConfig, { source: 'text' }>, opts: LoadOptions): Dataset {
  const T = lengthOf(opts.inputShapes ?? (opts.inputShape ? [opts.inputShape] : undefined), 0, 'Input (the context length)');
  const d = loadLanguageModelData(sourceOf(cfg), {
    contextLength: T, tokenizer: cfg.tokenizer, stride: cfg.stride, testSplit: cfg.testSplit, baseDir: opts.baseDir,
  });
  const notices = d.unknown.validation + d.unknown.test > 0
    ? [`${d.unknown.validation + d.unknown.test} characters of the held-out text are not in the tokenizer learned from the training text and became <unk> (${d.unknown.chars.map((c) => JSON.stringify(c)).join(' ')})`]
    : [];
  return {
    name: nameOf(cfg), ...described(cfg), task: 'language', kind: 'tokens', count: d.count, x: d.x, dtype: 'int32',
    sampleShape: [T], sampleSize: T, y: d.y, targetShape: [T], targetSize: T, vocabSize: d.tokenizer.vocab.length,
    defaultNormalize: 'none', defaultTestSplit: 0.1, fixedSplit: d.split, tokenizer: d.tokenizer.toJSON(), notices,
  };
}

function pairsDataset(cfg: Extract<TextConfig, { source: 'pairs' }>, opts: LoadOptions): Dataset {
  const shapes = opts.inputShapes;
  const sourceLength = lengthOf(shapes, 0, 'first Input (the source sentence)');
  const targetLength = lengthOf(shapes, 1, 'second Input (the decoder input)');
  const d = loadSeq2SeqData(sourceOf(cfg), {
    sourceTokenizer: cfg.sourceTokenizer, targetTokenizer: cfg.targetTokenizer, sourceLength, targetLength,
    testSplit: cfg.testSplit, baseDir: opts.baseDir,
  });
  const notices = [
    ...(d.truncated.source + d.truncated.target > 0 ? [`${d.truncated.source} source and ${d.truncated.target} target sentences were longer than the Inputs (${sourceLength}, ${targetLength} tokens) and were cut`] : []),
    ...(d.unknown.source + d.unknown.target > 0 ? [`${d.unknown.source + d.unknown.target} characters of held-out pairs are not in the tokenizers learned from the training pairs and became <unk>`] : []),
  ];
  return {
    name: nameOf(cfg), ...described(cfg), task: 'language', kind: 'tokens', count: d.count, x: d.source, dtype: 'int32',
    sampleShape: [sourceLength], sampleSize: sourceLength, y: d.target, targetShape: [targetLength], targetSize: targetLength,
    vocabSize: d.targetTokenizer.vocab.length, defaultNormalize: 'none', defaultTestSplit: 0.1, fixedSplit: d.split,
    extraInputs: [{ name: 'decoderInput', x: d.decoderInput, sampleShape: [targetLength], sampleSize: targetLength }],
    tokenizer: d.targetTokenizer.toJSON(), sourceTokenizer: d.sourceTokenizer.toJSON(), notices,
  };
}
