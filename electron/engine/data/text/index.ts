/**
 * Text data for the engine: a language-modelling corpus (a built-in or a user's plain-text file)
 * cut into context windows, or sentence pairs (a built-in or a user's TSV) for sequence-to-sequence.
 * The pure work (tokenizers, windows, splits, padding) is in shared/text; this module reads files
 * and turns text-data problems into DataErrors naming the file.
 */
import { isAbsolute, resolve } from 'node:path';
import { makeLanguageModelData, type LanguageModelData, type LanguageModelOptions } from '../../../../shared/text/lm-data';
import { makeSeq2SeqData, type Seq2SeqData, type Seq2SeqOptions } from '../../../../shared/text/seq2seq';
import { TextDataError } from '../../../../shared/text/split';
import { DataError } from '../types';
import { loadBuiltinPairs, loadBuiltinText } from './builtins';
import { readTextFile } from './files';
import { loadParallelTsv } from './tsv';

export { TEXT_BUILTINS, loadBuiltinPairs, loadBuiltinText, type TextBuiltinInfo } from './builtins';
export { parseParallelTsv, loadParallelTsv } from './tsv';
export { readTextFile } from './files';

/** Where the text comes from: a built-in by name, or a file (relative to baseDir). */
export type TextSource = { builtin: string } | { path: string };

export interface SourceOptions {
  baseDir?: string;
  /** Use only the first this many characters of a text (or pairs of a pair set). */
  limit?: number;
}

function pathOf(src: { path: string }, baseDir?: string): string {
  return isAbsolute(src.path) || !baseDir ? src.path : resolve(baseDir, src.path);
}

function asDataError<T>(file: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TextDataError) throw new DataError(file ? `${file}: ${e.message}` : e.message, file, e.line);
    throw e;
  }
}

export function loadLanguageModelData(src: TextSource, opts: LanguageModelOptions & SourceOptions): LanguageModelData {
  const file = 'path' in src ? pathOf(src, opts.baseDir) : undefined;
  let text = 'path' in src ? readTextFile(file!) : loadBuiltinText(src.builtin);
  if (opts.limit !== undefined) text = text.slice(0, opts.limit);
  return asDataError(file, () => makeLanguageModelData(text, opts));
}

export function loadSeq2SeqData(src: TextSource, opts: Seq2SeqOptions & SourceOptions): Seq2SeqData {
  const file = 'path' in src ? pathOf(src, opts.baseDir) : undefined;
  let pairs = 'path' in src ? loadParallelTsv(file!) : loadBuiltinPairs(src.builtin, { count: opts.limit });
  if (opts.limit !== undefined) pairs = pairs.slice(0, opts.limit);
  return asDataError(file, () => makeSeq2SeqData(pairs, opts));
}
