import { UPLOAD_CHUNK_BYTES } from '../../shared/ipc/contract';
import { IpcError } from '../../shared/ipc/rpc';
import { onUploadProgress, pickAndUploadData, relativeToDocument, uploadFiles, type UploadProgress } from './upload';

/** A fake `file.upload` that reassembles the chunks per name (as the server does) and records each call. */
function fakeUploadApi(fail?: (chunk: any) => string | null) {
  const received = new Map<string, Uint8Array[]>();
  const calls: any[] = [];
  const api = {
    file: {
      upload: async (chunk: any) => {
        calls.push({ ...chunk, base64: chunk.base64.length });
        const why = fail?.(chunk);
        if (why) throw new IpcError('failed', why);
        const parts = chunk.offset === 0 ? [] : received.get(chunk.name)!;
        parts.push(new Uint8Array(Buffer.from(chunk.base64, 'base64')));
        received.set(chunk.name, parts);
        return { path: `${chunk.dir}/${chunk.name}`, bytes: parts.reduce((s, p) => s + p.length, 0) };
      },
    },
  };
  const bytesOf = (name: string) => {
    const parts = received.get(name) ?? [];
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  return { api: api as never, calls, bytesOf };
}

const inFolder = (content: BlobPart[], relPath: string) => {
  const f = new File(content, relPath.split('/').pop()!);
  Object.defineProperty(f, 'webkitRelativePath', { value: relPath });
  return f;
};

describe('uploadFiles', () => {
  it('sends a big file in ordered 1 MiB chunks, the last one marked done, and reports progress', async () => {
    const big = new Uint8Array(UPLOAD_CHUNK_BYTES * 2 + 1000).map((_, i) => (i * 7) % 251);
    const { api, calls, bytesOf } = fakeUploadApi();
    const seen: UploadProgress[] = [];
    const global: (UploadProgress | null)[] = [];
    const off = onUploadProgress((p) => global.push(p));
    const paths = await uploadFiles([new File([big], 'x.npy'), new File(['a,b\n'], 'y.csv')], 'data', (p) => seen.push(p), api);
    off();
    expect(paths).toEqual(['data/x.npy', 'data/y.csv']);
    expect(calls.map((c) => [c.name, c.offset, c.done])).toEqual([
      ['x.npy', 0, false], ['x.npy', UPLOAD_CHUNK_BYTES, false], ['x.npy', 2 * UPLOAD_CHUNK_BYTES, true], ['y.csv', 0, true],
    ]);
    expect(Buffer.from(bytesOf('x.npy')).equals(Buffer.from(big))).toBe(true); // (toEqual on 2 M elements takes ~20 s)
    expect(new TextDecoder().decode(bytesOf('y.csv'))).toBe('a,b\n');
    expect(seen.at(-1)).toEqual({ file: 'y.csv', fileIndex: 1, files: 2, loaded: big.length + 4, total: big.length + 4 });
    expect(seen.map((p) => p.loaded)).toEqual([0, UPLOAD_CHUNK_BYTES, 2 * UPLOAD_CHUNK_BYTES, big.length, big.length, big.length + 4]);
    expect(global.at(-1)).toBeNull();
    expect(global).toHaveLength(seen.length + 1);
  });

  it('keeps a folder layout, skips hidden entries inside it, and names the file in errors', async () => {
    const { api, calls } = fakeUploadApi((c) => (c.name === 'photos/dog/2.png' ? 'disk full' : null));
    await expect(uploadFiles([inFolder(['1'], 'photos/cat/1.png'), inFolder(['x'], 'photos/.DS_Store'), inFolder(['2'], 'photos/dog/2.png')], 'data', undefined, api))
      .rejects.toThrow('uploading "photos/dog/2.png" failed: disk full');
    expect(calls.map((c) => c.name)).toEqual(['photos/cat/1.png', 'photos/dog/2.png']);
    // The server's own message already names the file: not repeated.
    const { api: api2 } = fakeUploadApi(() => '"big.csv" is too large to upload: the limit is 1 GiB');
    await expect(uploadFiles([new File(['x'], 'big.csv')], 'data', undefined, api2)).rejects.toThrow(/^"big.csv" is too large to upload: the limit is 1 GiB$/);
  });

  it('uploads an empty file as one done chunk', async () => {
    const { api, calls } = fakeUploadApi();
    await expect(uploadFiles([new File([], 'empty.json')], 'imports', undefined, api)).resolves.toEqual(['imports/empty.json']);
    expect(calls).toEqual([{ dir: 'imports', name: 'empty.json', offset: 0, base64: 0, done: true }]);
  });
});

describe('web-mode data.pick', () => {
  it('paths are stored relative to the document folder', () => {
    expect(relativeToDocument('data/iris.csv', null)).toBe('data/iris.csv');
    expect(relativeToDocument('data/iris.csv', 'iris.loom')).toBe('data/iris.csv');
    expect(relativeToDocument('data/iris.csv', 'models/iris.loom')).toBe('../data/iris.csv');
    expect(relativeToDocument('data/photos', 'data/m.loom')).toBe('photos');
  });

  it('uploads the picked CSV, .npy pair or image folder (images only) and answers with the path', async () => {
    const { api, calls } = fakeUploadApi();
    await expect(pickAndUploadData({ kind: 'csv', docPath: 'models/m.loom' }, api, async () => [new File(['a,b\n1,2\n'], 'iris.csv')]))
      .resolves.toEqual({ canceled: false, path: '../data/iris.csv' });
    await expect(pickAndUploadData({ kind: 'npy' }, api, async () => [new File(['x'], 'x.npy'), new File(['y'], 'y.npy')]))
      .resolves.toEqual({ canceled: false, path: 'data/x.npy', paths: ['data/x.npy', 'data/y.npy'] });
    calls.length = 0;
    const folder = [inFolder(['p'], 'shapes/circle/1.png'), inFolder(['j'], 'shapes/square/2.JPG'), inFolder(['t'], 'shapes/README.txt')];
    await expect(pickAndUploadData({ kind: 'folder' }, api, async () => folder)).resolves.toEqual({ canceled: false, path: 'data/shapes' });
    expect(calls.map((c) => c.name)).toEqual(['shapes/circle/1.png', 'shapes/square/2.JPG']);
    await expect(pickAndUploadData({ kind: 'folder' }, api, async () => [inFolder(['t'], 'notes/a.txt')])).rejects.toThrow('the folder "notes" has no PNG or JPEG images');
    await expect(pickAndUploadData({ kind: 'csv' }, api, async () => null)).resolves.toEqual({ canceled: true });
  });
});
