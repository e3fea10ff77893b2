/**
 * Just enough protobuf to write an ONNX ModelProto (field numbers from onnx/onnx.proto). Pure TS:
 * varints, length-delimited submessages, packed repeated ints/floats, raw tensor bytes.
 */

export class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array) {
    this.chunks.push(b);
    this.size += b.length;
  }

  varint(v: number | bigint) {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (n > 0x7fn) {
      out.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(Number(n));
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number) {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint) {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number) {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }

  bytes(field: number, b: Uint8Array) {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
  }

  string(field: number, s: string) {
    this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: Writer) {
    this.bytes(field, m.finish());
  }

  packedInts(field: number, vs: readonly number[]) {
    const w = new Writer();
    vs.forEach((v) => w.varint(v));
    this.bytes(field, w.finish());
  }

  packedFloats(field: number, vs: readonly number[]) {
    const b = new Uint8Array(vs.length * 4);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    this.bytes(field, b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export const DT = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

export type Attr =
  | { name: string; f: number }
  | { name: string; i: number }
  | { name: string; s: string }
  | { name: string; floats: number[] }
  | { name: string; ints: number[] }
  | { name: string; strings: string[] };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs?: Attr[];
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array;
}

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** number = fixed, string = symbolic (dynamic batch). */
  dims: (number | string)[];
}

export interface OnnxModel {
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  opset: number;
  irVersion: number;
  producer: string;
  docString?: string;
}

function attribute(a: Attr): Writer {
  const w = new Writer();
  w.string(1, a.name);
  if ('f' in a) {
    w.float(2, a.f);
    w.int(20, 1);
  } else if ('i' in a) {
    w.int(3, a.i);
    w.int(20, 2);
  } else if ('s' in a) {
    w.string(4, a.s);
    w.int(20, 3);
  } else if ('floats' in a) {
    w.packedFloats(7, a.floats);
    w.int(20, 6);
  } else if ('ints' in a) {
    w.packedInts(8, a.ints);
    w.int(20, 7);
  } else {
    a.strings.forEach((s) => w.string(9, s));
    w.int(20, 8);
  }
  return w;
}

function valueInfo(v: OnnxValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.dims) {
    const dim = new Writer();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new Writer();
  tensorType.int(1, v.elemType);
  tensorType.message(2, shape);
  const type = new Writer();
  type.message(1, tensorType);
  const w = new Writer();
  w.string(1, v.name);
  w.message(2, type);
  return w;
}

export function encodeModel(m: OnnxModel): Uint8Array {
  const g = new Writer();
  for (const n of m.nodes) {
    const w = new Writer();
    n.inputs.forEach((s) => w.string(1, s));
    n.outputs.forEach((s) => w.string(2, s));
    w.string(3, n.name);
    w.string(4, n.op);
    (n.attrs ?? []).forEach((a) => w.message(5, attribute(a)));
    g.message(1, w);
  }
  g.string(2, m.graphName);
  for (const t of m.initializers) {
    const w = new Writer();
    if (t.dims.length) w.packedInts(1, t.dims);
    w.int(2, t.dataType);
    w.string(8, t.name);
    w.bytes(9, t.raw);
    g.message(5, w);
  }
  m.inputs.forEach((v) => g.message(11, valueInfo(v)));
  m.outputs.forEach((v) => g.message(12, valueInfo(v)));

  const model = new Writer();
  model.int(1, m.irVersion);
  model.string(2, m.producer);
  model.string(3, '1');
  if (m.docString) model.string(6, m.docString);
  model.message(7, g);
  const opset = new Writer();
  opset.string(1, '');
  opset.int(2, m.opset);
  model.message(8, opset);
  return model.finish();
}
