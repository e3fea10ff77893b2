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
import { OPTIM_WASM_BASE64 } from '../electron/engine/optim/optim-wasm';

const root = path.resolve(__dirname, '..');

/** Section ids of a wasm binary, in order. */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let i = 8; // magic + version
  while (i < bytes.length) {
    const id = bytes[i++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[i++]!;
      size |= (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    ids.push(id);
    i += size;
  }
  return ids;
}

it('every generated module is up to date with its AssemblyScript source', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'build-wasm.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  expect(out).toContain('kernels-wasm.ts is up to date');
  expect(out).toContain('optim-wasm.ts is up to date');
}, 180_000);

describe.each([
  ['kernels', KERNELS_WASM_BASE64, null],
  ['optim', OPTIM_WASM_BASE64, ['function adam', 'function momentum', 'function sgd']],
] as const)('%s module', (_name, base64, exportsExpected) => {
  it('imports only the memory and has no memory export, data segment or globals', () => {
    const bytes = Buffer.from(base64, 'base64');
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
