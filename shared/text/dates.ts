/**
 * A generated translation task: dates written the ways people write them → ISO 8601 dates
 * ("Wednesday, March 3, 2021" → "2021-03-03"). Deterministic for a seed. Dates 1950-01-01 to
 * 2049-12-31; the split is by date (a fixed hash of the day), so a held-out date never appears in
 * training in any form. Slash dates are month first (3/14/2021), dotted dates day first (14.3.2021),
 * two-digit years 50–99 mean 19xx and 00–49 mean 20xx.
 */
import { mixSeed, mulberry32 } from '../random';
import type { ParallelPair } from './seq2seq';
import type { Part } from './split';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FIRST_DAY = Date.UTC(1950, 0, 1);
export const DATE_DAYS = Math.round((Date.UTC(2050, 0, 1) - FIRST_DAY) / 86_400_000);

interface Ymd { y: number; m: number; d: number; wd: number }

const pad2 = (n: number) => String(n).padStart(2, '0');
const ordinal = (d: number) => `${d}${d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th'}`;
const mon = (m: number) => MONTHS[m - 1]!.slice(0, 3);
const month = (m: number) => MONTHS[m - 1]!;
const yy = (y: number) => pad2(y % 100);

/** The human forms, each a function of the date. */
export const DATE_FORMS: readonly ((t: Ymd) => string)[] = [
  (t) => `${t.d} ${month(t.m)} ${t.y}`,
  (t) => `${month(t.m)} ${t.d}, ${t.y}`,
  (t) => `${mon(t.m)} ${t.d} ${t.y}`,
  (t) => `${t.d} ${mon(t.m)} ${t.y}`,
  (t) => `the ${ordinal(t.d)} of ${month(t.m)} ${t.y}`,
  (t) => `${DAYS[t.wd]}, ${month(t.m)} ${t.d}, ${t.y}`,
  (t) => `${DAYS[t.wd]!.slice(0, 3)} ${t.d} ${mon(t.m)} ${t.y}`,
  (t) => `${t.m}/${t.d}/${t.y}`,
  (t) => `${pad2(t.m)}/${pad2(t.d)}/${yy(t.y)}`,
  (t) => `${t.d}.${t.m}.${t.y}`,
  (t) => `${month(t.m).toUpperCase()} ${t.d}, ${t.y}`,
  (t) => `${month(t.m).toLowerCase()} ${ordinal(t.d)} ${t.y}`,
  (t) => `${ordinal(t.d)} ${month(t.m)} '${yy(t.y)}`,
  (t) => `${t.y}, ${mon(t.m).toLowerCase()} ${t.d}`,
];

export function dateOfDay(day: number): Ymd {
  const dt = new Date(FIRST_DAY + day * 86_400_000);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate(), wd: dt.getUTCDay() };
}

export const isoDate = (t: Ymd) => `${t.y}-${pad2(t.m)}-${pad2(t.d)}`;

/** Which part a day belongs to: a fixed hash, 10 % test, 10 % validation. */
export function partOfDay(day: number): Part {
  const h = (mixSeed(day, 0xda7e) >>> 0) % 100;
  return h < 10 ? 'test' : h < 20 ? 'validation' : 'train';
}

export interface DatePairsOptions {
  /** Number of pairs (default 20,000). */
  count?: number;
  /** Seed of the draws (default 0). */
  seed?: number;
}

/** `count` pairs (human form → ISO date), each with its part. */
export function generateDatePairs(opts: DatePairsOptions = {}): ParallelPair[] {
  const rng = mulberry32(mixSeed(opts.seed ?? 0, 0x5eed));
  const pairs: ParallelPair[] = [];
  for (let i = 0; i < (opts.count ?? 20_000); i++) {
    const day = Math.floor(rng() * DATE_DAYS);
    const t = dateOfDay(day);
    const form = DATE_FORMS[Math.floor(rng() * DATE_FORMS.length)]!;
    pairs.push({ source: form(t), target: isoDate(t), part: partOfDay(day) });
  }
  return pairs;
}
