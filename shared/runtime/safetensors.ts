/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length, a JSON header `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? }`, then
 * the raw little-endian data. The weights exchanged with runner.py in both directions: trivial to
 * write and read from Python (struct + numpy) and from TypeScript, no torch pickle on either side.
 */
import type { HostTensor } from '../formats/tensor';

export interface NamedTensor {
  name: string;
  tensor: HostTensor;
}

const DTYPES = { float32: 'F32', int64: 'I64' } as const;

export function encodeSafetensors(entries: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const { name, tensor } of entries) {
    const bytes = tensor.data.length * (tensor.dtype === 'int64' ? 8 : 4);
    header[name] = { dtype: DTYPES[tensor.dtype ?? 'float32'], shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // data starts 8-byte aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const { tensor } of entries) {
    if (tensor.dtype === 'int64') {
      for (const v of tensor.data) view.setBigInt64((at += 8) - 8, BigInt(Math.round(v)), true);
    } else {
      // Float32Array memory is little-endian on every platform the app runs on.
      out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), at);
      at += tensor.data.byteLength;
    }
  }
  return out;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Decode F32 and I64 tensors (I64 values become float32 numbers); throws naming the problem. */
export function decodeSafetensors(bytes: Uint8Array, file = 'weights.safetensors'): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  const bad = (why: string) => new Error(`${file} is not a valid safetensors file: ${why}`);
  if (bytes.length < 8) throw bad('shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw bad(`header of ${n} bytes in a file of ${bytes.length}`);
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw bad(`unreadable header (${(e as Error).message})`);
  }
  const base = 8 + n;
  const tensors = new Map<string, HostTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [b, e] } = entry as HeaderEntry;
    const count = shape.reduce((a, s) => a * s, 1);
    const width = dtype === 'F32' ? 4 : dtype === 'I64' ? 8 : 0;
    if (!width) throw bad(`${name} has dtype ${dtype} (F32 or I64 expected)`);
    if (e - b !== count * width) throw bad(`${name}: ${e - b} bytes for shape [${shape.join(', ')}]`);
    if (base + e > bytes.length) throw bad(`${name} goes past the end of the file (${bytes.length} bytes): it is cut short`);
    const data = width === 4 ? new Float32Array(bytes.slice(base + b, base + e).buffer) : new Float32Array(count);
    if (width === 8) for (let i = 0; i < count; i++) data[i] = Number(view.getBigInt64(base + b + 8 * i, true));
    tensors.set(name, { shape: [...shape], data, ...(width === 8 ? { dtype: 'int64' as const } : {}) });
  }
  const metadata = (header.__metadata__ as Record<string, string> | undefined) ?? {};
  return { tensors, metadata };
}
