/**
 * The committed kernels-wasm.ts is exactly what scripts/build-kernels.mjs builds from
 * assembly/kernels.ts, and the binary owns nothing in the heap it borrows: its only import is the
 * memory, it exports no memory, and it has no data segment (static data would be written over
 * tfjs-backend-wasm's heap at instantiation).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { KERNELS_WASM_BASE64 } from './kernels-wasm';

const root = path.resolve(__dirname, '../../../..');

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

it('kernels-wasm.ts is up to date with its AssemblyScript source', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'build-kernels.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  expect(out).toContain('up to date');
}, 120_000);

it('imports only the memory and has no data segment', () => {
  const bytes = Buffer.from(KERNELS_WASM_BASE64, 'base64');
  const mod = new WebAssembly.Module(bytes);
  expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  expect(WebAssembly.Module.exports(mod).filter((e) => e.kind !== 'function')).toEqual([]);
  const ids = sectionIds(bytes);
  expect(ids).toContain(10); // code
  expect(ids).not.toContain(11); // data
  expect(ids).not.toContain(6); // globals (a stack pointer would mean memory use)
});
