/**
 * The committed WebAssembly modules are exactly what scripts/build-wasm.mjs builds from their
 * AssemblyScript sources, and each binary owns nothing in the heap it borrows from
 * tfjs-backend-wasm: its only import is the memory, it exports no memory, and it has no data segment
 * (static data would be written over the backend's heap at instantiation) and no globals (a stack
 * pointer would mean memory use).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { KERNELS_WASM_BASE64 } from '../electron/engine/kernels/simd/kernels-wasm';
import { KERNELS_RELAXED_WASM_BASE64 } from '../electron/engine/kernels/simd/kernels-relaxed-wasm';
import { OPTIM_WASM_BASE64 } from '../electron/engine/optim/optim-wasm';

const root = path.resolve(__dirname, '..');

/** The sections of a wasm binary, in order: id and contents. */
function sections(bytes: Uint8Array): { id: number; body: Buffer }[] {
  const out: { id: number; body: Buffer }[] = [];
  let i = 8; // magic + version
  while (i < bytes.length) {
    const id = bytes[i++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[i++]!;
      size |= (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    out.push({ id, body: Buffer.from(bytes.subarray(i, i + size)) });
    i += size;
  }
  return out;
}
const sectionIds = (bytes: Uint8Array) => sections(bytes).map((s) => s.id);

it('every generated module is up to date with its AssemblyScript source', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'build-wasm.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  expect(out).toContain('kernels-wasm.ts is up to date');
  expect(out).toContain('kernels-relaxed-wasm.ts is up to date');
  expect(out).toContain('optim-wasm.ts is up to date');
}, 180_000);

describe.each([
  ['kernels', KERNELS_WASM_BASE64, null],
  ['kernels (relaxed SIMD)', KERNELS_RELAXED_WASM_BASE64, null],
  ['optim', OPTIM_WASM_BASE64, ['function adam', 'function momentum', 'function sgd']],
] as const)('%s module', (_name, base64, exportsExpected) => {
  it('imports only the memory and has no memory export, data segment or globals', () => {
    const bytes = Buffer.from(base64, 'base64');
    // The relaxed build compiles only where relaxed SIMD is on (not in Node 20 without the flag):
    // every section but the code (types, imports, functions, exports) is the plain build's.
    if (!WebAssembly.validate(bytes)) {
      expect(_name).toBe('kernels (relaxed SIMD)');
      const plain = sections(Buffer.from(KERNELS_WASM_BASE64, 'base64')).filter((s) => s.id !== 10);
      expect(sections(bytes).filter((s) => s.id !== 10)).toEqual(plain);
      return;
    }
    const mod = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(mod).filter((e) => e.kind !== 'function')).toEqual([]);
    if (exportsExpected) expect(WebAssembly.Module.exports(mod).map((e) => `${e.kind} ${e.name}`).sort()).toEqual([...exportsExpected]);
    const ids = sectionIds(bytes);
    expect(ids).toContain(10); // code
    expect(ids).not.toContain(11); // data
    expect(ids).not.toContain(6); // globals
  });
});
