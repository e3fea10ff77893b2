import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatch } from '../../shared/ipc/rpc';
import { checkUploadName, ProjectFiles, sweepAbandonedUploads } from './files';
import { noEngine } from './fixtures/engine-stubs';
import { createHandlers } from './handlers';

let dir: string;
let project: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-upload-'));
  project = join(dir, 'project');
  mkdirSync(project);
  mkdirSync(join(dir, 'outside'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('web-mode upload (ProjectFiles.upload)', () => {
  it('writes chunks in order to a hidden temporary file and renames it into place when done', async () => {
    const pf = new ProjectFiles(project);
    const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
    let r = await pf.upload({ dir: 'data', name: 'arrays/x.npy', offset: 0, base64: b64(bytes.subarray(0, 128)), done: false });
    expect(r).toEqual({ path: 'data/arrays/x.npy', bytes: 128 });
    // Nothing half-written is visible under the final name.
    expect(existsSync(join(project, 'data', 'arrays', 'x.npy'))).toBe(false);
    expect(readdirSync(join(project, 'data', 'arrays'))).toEqual(['.x.npy.upload']);
    r = await pf.upload({ dir: 'data', name: 'arrays/x.npy', offset: 128, base64: b64(bytes.subarray(128, 256)), done: false });
    expect(r.bytes).toBe(256);
    r = await pf.upload({ dir: 'data', name: 'arrays/x.npy', offset: 256, base64: b64(bytes.subarray(256)), done: true });
    expect(r).toEqual({ path: 'data/arrays/x.npy', bytes: 300 });
    expect(readFileSync(join(project, 'data', 'arrays', 'x.npy')).equals(bytes)).toBe(true);
    expect(readdirSync(join(project, 'data', 'arrays'))).toEqual(['x.npy']);
  });

  it('never replaces a different file: a second, different upload of a name is kept beside it; the same bytes again reuse it', async () => {
    const pf = new ProjectFiles(project);
    await pf.upload({ dir: 'data', name: 'iris.csv', offset: 0, base64: b64('a,b\n1,2\n'), done: true });
    await pf.upload({ dir: 'data', name: 'iris.csv', offset: 0, base64: b64('a,b\n'), done: false });
    expect(readFileSync(join(project, 'data', 'iris.csv'), 'utf8')).toBe('a,b\n1,2\n');
    const r = await pf.upload({ dir: 'data', name: 'iris.csv', offset: 4, base64: b64('3,4\n'), done: true });
    expect(r.path).toBe('data/iris-2.csv');
    expect(readFileSync(join(project, 'data', 'iris.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(readFileSync(join(project, 'data', 'iris-2.csv'), 'utf8')).toBe('a,b\n3,4\n');
    // The same bytes as the first file: its own name, no third copy.
    expect((await pf.upload({ dir: 'data', name: 'iris.csv', offset: 0, base64: b64('a,b\n1,2\n'), done: true })).path).toBe('data/iris.csv');
    expect((await pf.upload({ dir: 'data', name: 'iris.csv', offset: 0, base64: b64('x\n'), done: true })).path).toBe('data/iris-3.csv');
    expect(readdirSync(join(project, 'data')).sort()).toEqual(['iris-2.csv', 'iris-3.csv', 'iris.csv']);
    // A file of an uploaded folder is synced in place (the folder is uploaded again).
    await pf.upload({ dir: 'data', name: 'photos/cat/1.png', offset: 0, base64: b64('one'), done: true });
    expect((await pf.upload({ dir: 'data', name: 'photos/cat/1.png', offset: 0, base64: b64('two'), done: true })).path).toBe('data/photos/cat/1.png');
    expect(readFileSync(join(project, 'data', 'photos', 'cat', '1.png'), 'utf8')).toBe('two');
    await pf.upload({ dir: 'imports', name: 'empty.json', offset: 0, base64: '', done: true });
    expect(readFileSync(join(project, 'imports', 'empty.json'), 'utf8')).toBe('');
  });

  it('removes the temporary files of uploads abandoned over an hour ago, and nothing else', async () => {
    const pf = new ProjectFiles(project);
    await pf.upload({ dir: 'data', name: 'photos/cat/old.png', offset: 0, base64: b64('half'), done: false });
    await pf.upload({ dir: 'imports', name: 'fresh.json', offset: 0, base64: b64('{'), done: false });
    await pf.upload({ dir: 'data', name: 'kept.csv', offset: 0, base64: b64('a\n'), done: true });
    const old = join(project, 'data', 'photos', 'cat', '.old.png.upload');
    const hourAgo = (Date.now() - 2 * 3600_000) / 1000;
    utimesSync(old, hourAgo, hourAgo);
    expect(await sweepAbandonedUploads(project)).toEqual([old]);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(join(project, 'imports', '.fresh.json.upload'))).toBe(true);
    expect(existsSync(join(project, 'data', 'kept.csv'))).toBe(true);
    expect(await sweepAbandonedUploads(join(dir, 'no-such-project'))).toEqual([]);
  });

  it('refuses chunks out of order or without a start, and drops the partial file', async () => {
    const pf = new ProjectFiles(project);
    await expect(pf.upload({ dir: 'data', name: 'a.csv', offset: 10, base64: b64('x'), done: true })).rejects.toThrow(/upload of "a.csv" was interrupted.*upload the file again/);
    await pf.upload({ dir: 'data', name: 'a.csv', offset: 0, base64: b64('abcd'), done: false });
    await expect(pf.upload({ dir: 'data', name: 'a.csv', offset: 8, base64: b64('x'), done: true })).rejects.toThrow(/"a.csv" is out of order \(4 bytes received, a chunk at offset 8/);
    expect(readdirSync(join(project, 'data'))).toEqual([]);
  });

  it('enforces the size limit with a message naming the file and the limit', async () => {
    const pf = new ProjectFiles(project, { maxUploadBytes: 10 });
    await pf.upload({ dir: 'data', name: 'big.csv', offset: 0, base64: b64('123456'), done: false });
    await expect(pf.upload({ dir: 'data', name: 'big.csv', offset: 6, base64: b64('789012'), done: true })).rejects.toMatchObject({
      code: 'failed', message: '"big.csv" is too large to upload: the limit is 10 bytes',
    });
    expect(readdirSync(join(project, 'data'))).toEqual([]);
  });

  it('stays inside the project folder: no "..", absolute or hidden names, no symlink escapes', async () => {
    const pf = new ProjectFiles(project);
    for (const name of ['../x.csv', 'a/../../x.csv', '/etc/x.csv', 'C:/x.csv', 'a\\b.csv', 'a//b.csv', '.hidden.csv', 'photos/.DS_Store', './a.csv']) {
      await expect(pf.upload({ dir: 'data', name, offset: 0, base64: b64('x'), done: true }), name).rejects.toMatchObject({ code: 'forbidden' });
    }
    // data/ itself a symlink out of the project.
    symlinkSync(join(dir, 'outside'), join(project, 'data'));
    await expect(pf.upload({ dir: 'data', name: 'x.csv', offset: 0, base64: b64('x'), done: true })).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/leads outside the project folder/) });
    rmSync(join(project, 'data'));
    // A symlinked subfolder, and a symlink planted at the final name.
    mkdirSync(join(project, 'data'));
    symlinkSync(join(dir, 'outside'), join(project, 'data', 'photos'));
    await expect(pf.upload({ dir: 'data', name: 'photos/cat/1.png', offset: 0, base64: b64('x'), done: true })).rejects.toMatchObject({ code: 'forbidden' });
    writeFileSync(join(dir, 'outside', 'secret.csv'), 'secret');
    symlinkSync(join(dir, 'outside', 'secret.csv'), join(project, 'data', 'x.csv'));
    await expect(pf.upload({ dir: 'data', name: 'x.csv', offset: 0, base64: b64('x'), done: true })).rejects.toMatchObject({ code: 'forbidden' });
    // A symlink planted at the temporary name is not written through.
    symlinkSync(join(dir, 'outside', 'secret.csv'), join(project, 'data', '.y.csv.upload'));
    await expect(pf.upload({ dir: 'data', name: 'y.csv', offset: 1, base64: b64('x'), done: true })).rejects.toThrow(/interrupted/);
    expect(readFileSync(join(dir, 'outside', 'secret.csv'), 'utf8')).toBe('secret');
    expect(readdirSync(join(dir, 'outside'))).toEqual(['secret.csv']);
  });

  it('names: a folder upload keeps its subfolders', () => {
    expect(checkUploadName('photos/cat/1.png')).toEqual(['photos', 'cat', '1.png']);
    expect(() => checkUploadName('photos/../../x')).toThrow(/cannot upload "photos\/..\/..\/x"/);
  });
});

describe('file.upload and data.pick through the shared handlers (web mode)', () => {
  it('validates the chunk, writes into the project folder; data.pick has no dialog on the server', async () => {
    const h = createHandlers({ mode: 'web', version: '1', files: new ProjectFiles(project), settings: {} as never, engine: noEngine, templatesDir: dir });
    const ok = await dispatch(h, 'file.upload', { dir: 'data', name: 'iris.csv', offset: 0, base64: b64('a,b\n1,2\n'), done: true }, undefined);
    expect(ok).toEqual({ ok: true, value: { path: 'data/iris.csv', bytes: 8 } });
    expect(readFileSync(join(project, 'data', 'iris.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(await dispatch(h, 'file.upload', { dir: '/etc', name: 'passwd', offset: 0, base64: '', done: true }, undefined)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await dispatch(h, 'file.upload', { dir: 'data', name: '../x', offset: 0, base64: '', done: true }, undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await dispatch(h, 'data.pick', { kind: 'csv' }, undefined)).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/browser picks the files and uploads them/) } });
  });
});
