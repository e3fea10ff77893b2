/**
 * The committed optim-wasm.ts is exactly what build-wasm.mjs builds from assembly/optim.ts, and the
 * binary owns nothing in the heap it borrows: its only import is the memory, it exports no memory,
 * it has no data segment and no globals.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { OPTIM_WASM_BASE64 } from './optim-wasm';

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

it('optim-wasm.ts is up to date with its AssemblyScript source', () => {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'build-wasm.mjs'), '--check'], { encoding: 'utf8' });
  expect(out).toContain('up to date');
}, 120_000);

it('imports only the memory, exports the three updates, has no data segment or globals', () => {
  const bytes = Buffer.from(OPTIM_WASM_BASE64, 'base64');
  const mod = new WebAssembly.Module(bytes);
  expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  expect(WebAssembly.Module.exports(mod).map((e) => `${e.kind} ${e.name}`).sort()).toEqual(['function adam', 'function momentum', 'function sgd']);
  const ids = sectionIds(bytes);
  expect(ids).toContain(10); // code
  expect(ids).not.toContain(11); // data
  expect(ids).not.toContain(6); // globals
});
