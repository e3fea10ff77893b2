import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../types';
import { TEXT_BUILTINS, loadBuiltinPairs, loadBuiltinText, loadLanguageModelData, loadSeq2SeqData, parseParallelTsv, readTextFile } from './index';

const dir = mkdtempSync(join(tmpdir(), 'loom-text-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('parallel TSV', () => {
  it('reads source<TAB>target lines, skipping blank ones', () => {
    expect(parseParallelTsv('one\t1\n\ntwo\t2\n', 'n.tsv')).toEqual([{ source: 'one', target: '1', line: 1 }, { source: 'two', target: '2', line: 3 }]);
  });

  it('names the file and line of a line without a tab', () => {
    const p = file('pairs.tsv', 'one\t1\ntwo 2\n');
    let err: unknown;
    try {
      loadSeq2SeqData({ path: 'pairs.tsv' }, { baseDir: dir, sourceTokenizer: { kind: 'char' }, targetTokenizer: { kind: 'char' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe('pairs.tsv line 2 has no tab: each line must be source<TAB>target (found "two 2").');
    expect((err as DataError).file).toBe(p);
    expect((err as DataError).line).toBe(2);
  });

  it('refuses two tabs and empty sides, with the line', () => {
    expect(() => parseParallelTsv('a\tb\tc', 'x.tsv')).toThrow(/x.tsv line 1 has more than one tab/);
    expect(() => parseParallelTsv('a\t1\n\t2', 'x.tsv')).toThrow(/x.tsv line 2 has an empty source/);
    expect(() => parseParallelTsv('a\t ', 'x.tsv')).toThrow(/line 1 has an empty target/);
    expect(() => parseParallelTsv('\n\n', 'x.tsv')).toThrow(/has no source<TAB>target lines/);
  });

  it('loads a user TSV (CRLF, BOM) into padded teacher-forcing arrays', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `number ${i}\t${i}`);
    file('n.tsv', `\uFEFF${lines.join('\r\n')}\r\n`);
    const d = loadSeq2SeqData({ path: 'n.tsv' }, { baseDir: dir, sourceTokenizer: { kind: 'char' }, targetTokenizer: { kind: 'char' }, seed: 1 });
    expect(d.count).toBe(60);
    expect(d.sourceLength).toBe('number 10'.length);
    expect(d.sourceTokenizer.vocab).not.toContain('\r');
    expect(d.sourceTokenizer.vocab).not.toContain('\uFEFF');
  });
});

describe('text files', () => {
  it('reads UTF-8 text and refuses binary or non-UTF-8 files by name', () => {
    expect(readTextFile(file('a.txt', 'a\r\nb\rc'))).toBe('a\nb\nc');
    expect(() => readTextFile(file('b.bin', Buffer.from([65, 0, 66])))).toThrow(/b.bin is not a text file/);
    expect(() => readTextFile(file('c.txt', Buffer.from([0x61, 0xff, 0x62])))).toThrow(/c.txt is not UTF-8 text/);
    expect(() => readTextFile(join(dir, 'missing.txt'))).toThrow(/no such file/);
  });

  it('a plain-text file too short for the context says so, naming the file', () => {
    file('short.txt', 'Too short.');
    expect(() => loadLanguageModelData({ path: 'short.txt' }, { baseDir: dir, contextLength: 64, tokenizer: { kind: 'char' } })).toThrow(/short.txt: The text has 10 characters: too short/);
  });
});

describe('built-in text data', () => {
  it('lists the built-ins with their licences', () => {
    expect(TEXT_BUILTINS.map((b) => b.name)).toEqual(['bible-kjv', 'dates']);
    expect(TEXT_BUILTINS[0]!.license).toMatch(/Public domain/);
  });

  it('ships the King James Bible: over 1 MB of English, one verse per line', () => {
    const text = loadBuiltinText('bible-kjv');
    expect(text.length).toBe(TEXT_BUILTINS[0]!.size);
    expect(text.startsWith('In the beginning God created the heaven and the earth.\n')).toBe(true);
    expect(text.endsWith('The grace of our Lord Jesus Christ be with you all. Amen.\n')).toBe(true);
    expect(text.split('\n').length - 1).toBe(31_102);
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
  });

  it('makes language-model windows from (the start of) the Bible with a BPE vocabulary', () => {
    const d = loadLanguageModelData({ builtin: 'bible-kjv' }, { limit: 120_000, contextLength: 32, tokenizer: { kind: 'bpe', vocabSize: 300 }, seed: 0 });
    expect(d.tokenizer.vocabSize).toBe(300);
    expect(d.split.validation.length).toBeGreaterThan(0);
    expect(d.tokenizer.vocab).toContain(' the');
  });

  it('generates the dates task with held-out dates', () => {
    const pairs = loadBuiltinPairs('dates', { count: 1000 });
    expect(pairs.length).toBe(1000);
    expect(pairs.every((p) => /^\d{4}-\d\d-\d\d$/.test(p.target))).toBe(true);
    const d = loadSeq2SeqData({ builtin: 'dates' }, { limit: 1000, sourceTokenizer: { kind: 'char' }, targetTokenizer: { kind: 'char' } });
    expect(d.targetLength).toBe(11);
    expect(d.split.test.length).toBeGreaterThan(50);
    expect(() => loadBuiltinPairs('nope')).toThrow(/no built-in sentence-pair set "nope"/);
  });
});
