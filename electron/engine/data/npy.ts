/**
 * NumPy `.npy` reader (format versions 1.0, 2.0, 3.0): C-order arrays of float32/float64, signed or
 * unsigned 8/16/32/64-bit integers and bool, little- or big-endian. Fortran order and other dtypes
 * (complex, strings, objects) are refused with a message naming the file.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type Dataset, DataError } from './types';

export interface NpyArray {
  shape: number[];
  /** numpy dtype string as written in the header, e.g. '<f4'. */
  dtype: string;
  /** float32/float64 → Float32Array (float64 narrowed); integers/bool → Int32Array, uint8 → Uint8Array. */
  data: Float32Array | Int32Array | Uint8Array;
  kind: 'float' | 'int';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parse the bytes of a .npy file. `file` names it in error messages. */
export function parseNpy(bytes: Uint8Array, file = 'array.npy'): NpyArray {
  const name = basename(file);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new DataError(`${name} is not a NumPy .npy file (it does not start with \\x93NUMPY).`, file);
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else throw new DataError(`${name}: unsupported .npy format version ${major}.${bytes[7]}.`, file);
  if (headerStart + headerLen > bytes.length) throw new DataError(`${name}: the .npy header is truncated.`, file);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeStr === undefined) throw new DataError(`${name}: cannot read the .npy header ${JSON.stringify(header.trim())}.`, file);
  if (fortran === 'True') throw new DataError(`${name} is stored in Fortran order; save it in C order (np.save(path, np.ascontiguousarray(a))).`, file);
  const shape = shapeStr.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new DataError(`${name}: bad shape (${shapeStr}) in the .npy header.`, file);
  const n = shape.reduce((a, b) => a * b, 1);
  const m = /^([<>|=])?([fiub])(\d+)$/.exec(descr);
  if (!m) throw new DataError(`${name} has dtype '${descr}', which Layerloom cannot read: use float32, float64, int8–int64, uint8–uint64 or bool.`, file);
  const little = m[1] !== '>';
  const kindCh = m[2]!;
  const size = Number(m[3]);
  const ok = (kindCh === 'f' && (size === 4 || size === 8)) || ((kindCh === 'i' || kindCh === 'u') && [1, 2, 4, 8].includes(size)) || (kindCh === 'b' && size === 1);
  if (!ok) throw new DataError(`${name} has dtype '${descr}', which Layerloom cannot read: use float32, float64, int8–int64, uint8–uint64 or bool.`, file);
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart + n * size) throw new DataError(`${name}: expected ${n * size} bytes of data for shape (${shape.join(', ')}), found ${bytes.length - dataStart}.`, file);
  const at = dataStart;
  if (kindCh === 'f') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = size === 4 ? dv.getFloat32(at + 4 * i, little) : dv.getFloat64(at + 8 * i, little);
      out[i] = v;
      if (!Number.isFinite(out[i]!)) throw nonFinite(name, file, shape, i, v);
    }
    return { shape, dtype: descr, data: out, kind: 'float' };
  }
  if ((kindCh === 'u' || kindCh === 'b') && size === 1) {
    return { shape, dtype: descr, data: bytes.slice(at, at + n), kind: 'int' };
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = at + size * i;
    let v: number;
    switch (size) {
      case 1: v = dv.getInt8(o); break;
      case 2: v = kindCh === 'u' ? dv.getUint16(o, little) : dv.getInt16(o, little); break;
      case 4: v = kindCh === 'u' ? dv.getUint32(o, little) : dv.getInt32(o, little); break;
      default: v = Number(kindCh === 'u' ? dv.getBigUint64(o, little) : dv.getBigInt64(o, little));
    }
    if (v > 2147483647 || v < -2147483648) throw new DataError(`${name}: value ${v} at flat index ${i} does not fit in int32.`, file);
    out[i] = v;
  }
  return { shape, dtype: descr, data: out, kind: 'int' };
}

/** Element `flat` of an array of this shape as an index: [12, 3]. */
function indexOf(shape: number[], flat: number): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

/**
 * NaN or ±Infinity (or a float64 beyond float32's range) would train on garbage and end with a
 * misleading "the loss became NaN: lower the learning rate": name the element instead.
 */
function nonFinite(name: string, file: string, shape: number[], flat: number, v: number): DataError {
  const at = `[${indexOf(shape, flat).join(', ')}]`;
  const what = Number.isNaN(v) ? 'is NaN (a missing value?)' : Number.isFinite(v) ? `is ${v}, too large for float32 (at most ±3.4e38)` : `is ${v > 0 ? '' : '-'}Infinity`;
  return new DataError(`${name}: element ${at} (sample ${indexOf(shape, flat)[0] ?? 0}) ${what}: the data must hold finite numbers; replace them (e.g. np.nan_to_num(a)) or drop those samples before saving.`, file, undefined, at);
}

export function readNpy(path: string): NpyArray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as Error).message}`, path);
  }
  return parseNpy(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), path);
}

/**
 * x.npy: samples along axis 0, any trailing shape. y.npy: one label per sample. Integer labels of
 * shape (n,) or (n, 1) → classification (class ids 0..k-1); float labels → regression with target
 * shape y.shape[1:] (or [1]). One-hot float labels (n, k) with 0/1 rows → classification.
 */
export function loadNpyDataset(xPath: string, yPath: string): Dataset {
  const xa = readNpy(xPath);
  const ya = readNpy(yPath);
  const n = xa.shape[0];
  if (n === undefined) throw new DataError(`${basename(xPath)} is a scalar; it needs the samples along its first axis.`, xPath);
  if (ya.shape[0] !== n) throw new DataError(`${basename(xPath)} has ${n} samples but ${basename(yPath)} has ${ya.shape[0] ?? 0}: they must have the same first dimension.`, yPath);
  const sampleShape = xa.shape.slice(1);
  if (sampleShape.length === 0) sampleShape.push(1);
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const yTail = ya.shape.slice(1);
  const ySize = yTail.reduce((a, b) => a * b, 1);
  let task: Dataset['task'];
  let y: Int32Array | Float32Array;
  let classes: string[] | undefined;
  const isOneHot = ya.kind === 'float' && yTail.length === 1 && ySize > 1 && isOneHotRows(ya.data as Float32Array, n, ySize);
  if ((ya.kind === 'int' && ySize === 1) || isOneHot) {
    task = 'classification';
    y = new Int32Array(n);
    if (isOneHot) {
      for (let i = 0; i < n; i++) for (let k = 0; k < ySize; k++) if (ya.data[i * ySize + k] === 1) y[i] = k;
    } else {
      for (let i = 0; i < n; i++) {
        const v = ya.data[i]!;
        if (v < 0) throw new DataError(`${basename(yPath)}: label ${v} at index ${i} is negative; class labels must be 0, 1, 2, ...`, yPath, undefined, i);
        y[i] = v;
      }
    }
    let k = 0;
    for (let i = 0; i < n; i++) k = Math.max(k, y[i]! + 1);
    if (isOneHot) k = ySize;
    classes = Array.from({ length: Math.max(k, 2) }, (_, i) => String(i));
  } else {
    task = 'regression';
    y = ya.data instanceof Float32Array ? ya.data : Float32Array.from(ya.data);
  }
  const isImage = sampleShape.length === 3 && xa.data instanceof Uint8Array;
  const xData = xa.data;
  return {
    name: basename(xPath),
    description: `${n} samples of shape [${sampleShape.join(', ')}] from ${basename(xPath)} with ${task === 'classification' ? 'labels' : 'targets'} from ${basename(yPath)}.`,
    task,
    kind: sampleShape.length === 3 ? 'image' : sampleShape.length === 2 ? 'sequence' : xa.kind === 'int' && !(xData instanceof Uint8Array) ? 'tokens' : 'tabular',
    count: n,
    x: xData,
    dtype: xData instanceof Int32Array ? 'int32' : 'float32',
    sampleShape,
    sampleSize,
    y,
    targetShape: task === 'classification' ? [1] : yTail.length ? yTail : [1],
    targetSize: task === 'classification' ? 1 : ySize,
    classes,
    defaultNormalize: isImage ? 'scale' : 'none',
    defaultTestSplit: 0.1,
  };
}

function isOneHotRows(d: Float32Array, n: number, k: number): boolean {
  for (let i = 0; i < n; i++) {
    let ones = 0;
    for (let j = 0; j < k; j++) {
      const v = d[i * k + j]!;
      if (v === 1) ones++;
      else if (v !== 0) return false;
    }
    if (ones !== 1) return false;
  }
  return true;
}
