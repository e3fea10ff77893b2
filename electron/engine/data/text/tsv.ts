/**
 * Parallel text for sequence-to-sequence tasks: one pair per line, `source<TAB>target` (a
 * translation, a date and its ISO form, ...). Blank lines are skipped; any other line must hold
 * exactly one tab with text on both sides, else a DataError names the file and line.
 */
import { basename } from 'node:path';
import type { ParallelPair } from '../../../../shared/text/seq2seq';
import { DataError } from '../types';
import { readTextFile } from './files';

export function parseParallelTsv(text: string, file: string): ParallelPair[] {
  const name = basename(file);
  const pairs: ParallelPair[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const tab = raw.indexOf('\t');
    const show = JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
    if (tab < 0) throw new DataError(`${name} line ${line} has no tab: each line must be source<TAB>target (found ${show}).`, file, line);
    if (raw.indexOf('\t', tab + 1) >= 0) throw new DataError(`${name} line ${line} has more than one tab: each line must be source<TAB>target (found ${show}).`, file, line);
    const source = raw.slice(0, tab);
    const target = raw.slice(tab + 1);
    if (source.trim() === '') throw new DataError(`${name} line ${line} has an empty source (the text before the tab).`, file, line);
    if (target.trim() === '') throw new DataError(`${name} line ${line} has an empty target (the text after the tab).`, file, line);
    pairs.push({ source, target, line });
  });
  if (pairs.length === 0) throw new DataError(`${name} has no source<TAB>target lines.`, file);
  return pairs;
}

export function loadParallelTsv(path: string): ParallelPair[] {
  return parseParallelTsv(readTextFile(path), path);
}
