/** Reading user text files: UTF-8 only, a leading BOM dropped, line ends normalised to \n. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DataError } from '../types';

/** The text of `path`, or a DataError naming the file when it is missing, binary or not UTF-8. */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`, path);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new DataError(`${basename(path)} is not a text file (it has a zero byte at offset ${nul}).`, path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DataError(`${basename(path)} is not UTF-8 text: save it as UTF-8 and choose it again.`, path);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.replace(/\r\n?/g, '\n');
}
