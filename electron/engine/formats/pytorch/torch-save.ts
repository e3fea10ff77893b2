/**
 * Writes a PyTorch state dict in torch.save's format (the zip archive of PyTorch ≥ 1.6) from Node,
 * without Python: `archive/data.pkl` (a protocol-2 pickle of an OrderedDict of tensors rebuilt by
 * `torch._utils._rebuild_tensor_v2`, each referencing a storage by persistent id), one raw
 * little-endian file per storage under `archive/data/`, and `archive/version`. Loadable with plain
 * `torch.load(path)` (also with `weights_only=True`: only allow-listed globals are used).
 * Also writes NumPy `.npy`/`.npz`.
 */
import type { HostTensor } from '../../../../shared/formats/tensor';
import { writeZip, type ZipEntry } from '../zip';

class Pickler {
  private parts: number[] = [];
  private enc = new TextEncoder();
  op(...bytes: number[]) {
    this.parts.push(...bytes);
  }
  ascii(s: string) {
    for (const ch of this.enc.encode(s)) this.parts.push(ch);
  }
  global(module: string, name: string) {
    this.op(0x63); // 'c'
    this.ascii(`${module}\n${name}\n`);
  }
  str(s: string) {
    const b = this.enc.encode(s);
    this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, (b.length >>> 24) & 0xff); // BINUNICODE
    for (const ch of b) this.parts.push(ch);
  }
  int(n: number) {
    if (n >= 0 && n < 256) this.op(0x4b, n); // BININT1
    else if (n >= -(2 ** 31) && n < 2 ** 31) this.op(0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
    else throw new Error(`pickle: integer ${n} out of range`);
  }
  tuple(items: (() => void)[]) {
    if (items.length === 0) return this.op(0x29); // EMPTY_TUPLE
    this.op(0x28); // MARK
    items.forEach((f) => f());
    this.op(0x74); // TUPLE
  }
  bytes() {
    return new Uint8Array(this.parts);
  }
}

const STORAGE: Record<string, [string, number]> = { float32: ['FloatStorage', 4], int64: ['LongStorage', 8] };

function rawBytes(t: HostTensor): Uint8Array {
  if ((t.dtype ?? 'float32') === 'float32') return new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength));
  const out = new BigInt64Array(t.data.length);
  t.data.forEach((v, i) => (out[i] = BigInt(Math.round(v))));
  return new Uint8Array(out.buffer);
}

const contiguousStrides = (shape: number[]) => {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
};

/** torch.save(OrderedDict(entries)) as bytes. `archiveName` is the zip's top folder (torch uses the file stem). */
export function torchSave(entries: [string, HostTensor][], archiveName = 'archive'): Uint8Array {
  const p = new Pickler();
  p.op(0x80, 2); // PROTO 2
  p.global('collections', 'OrderedDict');
  p.op(0x29, 0x52); // EMPTY_TUPLE, REDUCE
  const files: ZipEntry[] = [];
  entries.forEach(([key, t], i) => {
    const dtype = t.dtype ?? 'float32';
    const [storage] = STORAGE[dtype]!;
    p.str(key);
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.tuple([
      () => {
        // Persistent id: ('storage', storage_type, key, location, numel) → BINPERSID
        p.tuple([() => p.str('storage'), () => p.global('torch', storage), () => p.str(String(i)), () => p.str('cpu'), () => p.int(t.data.length)]);
        p.op(0x51);
      },
      () => p.int(0),
      () => p.tuple(t.shape.map((d) => () => p.int(d))),
      () => p.tuple(contiguousStrides(t.shape).map((d) => () => p.int(d))),
      () => p.op(0x89), // NEWFALSE: requires_grad
      () => {
        p.global('collections', 'OrderedDict');
        p.op(0x29, 0x52);
      },
    ]);
    p.op(0x52); // REDUCE
    p.op(0x73); // SETITEM
    files.push({ name: `${archiveName}/data/${i}`, data: rawBytes(t) });
  });
  p.op(0x2e); // STOP
  const enc = new TextEncoder();
  return writeZip([
    { name: `${archiveName}/data.pkl`, data: p.bytes() },
    ...files,
    { name: `${archiveName}/version`, data: enc.encode('3\n') },
  ]);
}

/** A NumPy .npy file (format 1.0, C order) from a dtype descriptor, a shape and the raw bytes. */
function npyBytes(descr: string, shape: number[], body: Uint8Array): Uint8Array {
  const sh = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${sh}, }`;
  // The header is padded so that the data starts on a 64-byte boundary, as NumPy writes it.
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const enc = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + enc.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, enc.length, true);
  out.set(enc, 10);
  out.set(body, 10 + enc.length);
  return out;
}

/** One tensor as .npy (little-endian float32, or int64 for integer tensors). */
export function npy(t: HostTensor): Uint8Array {
  return npyBytes((t.dtype ?? 'float32') === 'float32' ? '<f4' : '<i8', t.shape, rawBytes(t));
}

/** np.savez: one .npy per entry. */
export function npz(entries: [string, HostTensor][]): Uint8Array {
  return writeZip(entries.map(([k, t]) => ({ name: `${k}.npy`, data: npy(t) })));
}

/** A raw typed array as .npy (float32, int32, uint8 or float64). */
export function npyArray(data: Float32Array | Int32Array | Uint8Array | Float64Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : data instanceof Int32Array ? '<i4' : data instanceof Uint8Array ? '|u1' : '<f8';
  return npyBytes(descr, shape, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}
