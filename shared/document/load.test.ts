import { MAX_FILE_BYTES, fitsInModelFile, formatMiB, parseDocument, utf8Length } from './load';

const valid = JSON.stringify({ format: 'layerloom.model', version: 1, name: 'bom', nodes: [{ id: 'input', type: 'Input', params: { shape: [2] } }], edges: [] });

describe('reading a .loom file', () => {
  it('accepts a UTF-8 byte-order mark (as Windows editors write it), like the CSV loader', () => {
    const r = parseDocument(`\uFEFF${valid}`);
    expect(r).toMatchObject({ ok: true, doc: { name: 'bom' } });
  });

  it('measures the size limit in bytes of UTF-8, as on disk, and says it in MiB', () => {
    expect(formatMiB(MAX_FILE_BYTES)).toBe('64 MiB');
    expect(utf8Length('aé€😀')).toBe(Buffer.byteLength('aé€😀'));
    expect(utf8Length('\ud800x')).toBe(Buffer.byteLength('\ud800x')); // a lone surrogate is written as U+FFFD
    const atLimit = 'é'.repeat(MAX_FILE_BYTES / 2); // half as many characters as bytes
    expect(fitsInModelFile(atLimit)).toBe(true);
    expect(fitsInModelFile(`${atLimit}x`)).toBe(false);
    const r = parseDocument(`${atLimit}x`);
    expect(r).toEqual({ ok: false, errors: [{ path: '', message: 'file is 67108865 bytes; model files are at most 64 MiB (67108864 bytes)' }] });
  });
});
