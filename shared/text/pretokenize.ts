/**
 * Splits text into the chunks that byte-pair merges never cross (GPT-2's pre-tokenisation, written
 * as a scanner rather than a regular expression so that an exported Python `generate.py` can repeat
 * it exactly with `str.isalpha()` / `str.isdecimal()`):
 * - a chunk is a maximal run of letters (Unicode L*), of decimal digits (Nd), or of other non-space
 *   characters, optionally preceded by ONE space ' ' (the space before a word belongs to the word);
 * - whitespace (only ' ', \t, \n, \r, \f, \v) forms chunks of its own; when a run of whitespace is
 *   followed by a non-space and ends in ' ', that last ' ' goes to the next chunk instead.
 * Concatenating the chunks gives back the text exactly.
 */

export type CharClass = 'space' | 'letter' | 'digit' | 'other';

const SPACES = new Set([' ', '\t', '\n', '\r', '\f', '\v']);
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

const classCache = new Map<string, CharClass>();

export function charClass(c: string): CharClass {
  let cls = classCache.get(c);
  if (cls === undefined) {
    cls = SPACES.has(c) ? 'space' : LETTER.test(c) ? 'letter' : DIGIT.test(c) ? 'digit' : 'other';
    if (classCache.size < 65_536) classCache.set(c, cls);
  }
  return cls;
}

/** The chunks of `text` (code points, so surrogate pairs stay whole). */
export function pretokenize(text: string): string[] {
  const cps = Array.from(text);
  const classes = cps.map(charClass);
  const out: string[] = [];
  let i = 0;
  while (i < cps.length) {
    const cls = classes[i]!;
    let j: number;
    if (cls === 'space') {
      const end = takeRun(classes, i);
      const spaceBeforeWord = end < cps.length && cps[end - 1] === ' ';
      if (!spaceBeforeWord) j = end;
      else if (end - 1 > i) j = end - 1; // the run without its last ' '
      else j = takeRun(classes, end); // a lone ' ' joins the word after it
    } else {
      j = takeRun(classes, i);
    }
    out.push(cps.slice(i, j).join(''));
    i = j;
  }
  return out;
}

/** End of the run of one class starting at `start`. */
function takeRun(classes: CharClass[], start: number): number {
  const cls = classes[start]!;
  let j = start + 1;
  while (j < classes.length && classes[j] === cls) j++;
  return j;
}
