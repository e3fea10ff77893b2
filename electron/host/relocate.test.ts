/**
 * Save As into another folder rewrites relative dataset paths so they name the same files (relocate.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, serializeDocument, type LoomDocument } from '../../shared/document';
import { relocateDataPath, relocateDataset, relocateDocumentText, relocateRunRecord } from './relocate';

const P = '/home/ana/proj';

describe('relocateDataPath', () => {
  it('inside the new folder: relative again (with "/")', () => {
    expect(relocateDataPath('models/data/a.csv', P, `${P}/models`)).toBe('data/a.csv');
    expect(relocateDataPath('data/a.csv', `${P}/models`, P)).toBe('models/data/a.csv');
    expect(relocateDataPath('./photos', `${P}/a`, `${P}/a/b/..`)).toBe('photos');
  });
  it('outside the new folder: absolute on the desktop, relative ("..") in web mode or when the path already climbed', () => {
    expect(relocateDataPath('data/a.csv', P, `${P}/models`)).toBe(`${P}/data/a.csv`);
    expect(relocateDataPath('data/a.csv', P, `${P}/models`, { keepRelative: true })).toBe('../data/a.csv');
    expect(relocateDataPath('../shared/x.npy', `${P}/a`, `${P}/b/c`)).toBe('../../shared/x.npy');
  });
  it('leaves absolute paths alone (also Windows ones on Linux)', () => {
    expect(relocateDataPath('/data/a.csv', P, '/elsewhere')).toBe('/data/a.csv');
    expect(relocateDataPath('C:\\data\\a.csv', P, '/elsewhere')).toBe('C:\\data\\a.csv');
    expect(relocateDataPath('D:/data', P, '/elsewhere')).toBe('D:/data');
  });
});

describe('relocateDataset', () => {
  it('rewrites CSV, image-folder and .npy paths and lists the changes; built-ins and the same folder unchanged (same object)', () => {
    const csv = { source: 'csv' as const, path: 'data/a.csv', target: 'y' };
    expect(relocateDataset(csv, P, `${P}/m`, { keepRelative: true })).toEqual({ dataset: { ...csv, path: '../data/a.csv' }, changes: [{ field: 'path', from: 'data/a.csv', to: '../data/a.csv' }] });
    const npy = { source: 'npy' as const, x: 'x.npy', y: '/abs/y.npy', normalize: 'none' as const };
    expect(relocateDataset(npy, P, '/other')).toEqual({ dataset: { ...npy, x: `${P}/x.npy` }, changes: [{ field: 'x', from: 'x.npy', to: `${P}/x.npy` }] });
    const images = { source: 'images' as const, path: 'm/photos' };
    expect(relocateDataset(images, P, `${P}/m`).dataset).toEqual({ source: 'images', path: 'photos' });
    const builtin = { source: 'builtin' as const, name: 'iris' };
    expect(relocateDataset(builtin, P, '/other').dataset).toBe(builtin);
    expect(relocateDataset(csv, P, `${P}/`).dataset).toBe(csv);
  });
});

const doc = (dataset: LoomDocument['dataset']): LoomDocument => ({
  format: 'layerloom.model', version: 1, name: 'm',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [2] } }, { id: 'out', type: 'Dense', params: { units: 1 } }],
  edges: [{ from: 'x', to: 'out' }],
  ...(dataset ? { dataset } : {}),
});

describe('relocateDocumentText', () => {
  it('rewrites the dataset in canonical text; other documents are written byte for byte as given', () => {
    const text = serializeDocument(doc({ source: 'csv', path: 'data/a.csv', target: 'y' }));
    const r = relocateDocumentText(text, P, `${P}/sub`, { keepRelative: true });
    expect(r.changes).toEqual([{ field: 'path', from: 'data/a.csv', to: '../data/a.csv' }]);
    const back = parseDocument(r.text);
    expect(back.ok && back.doc.dataset).toEqual({ source: 'csv', path: '../data/a.csv', target: 'y' });
    expect(r.text).toBe(text.replace('"data/a.csv"', '"../data/a.csv"'));
    for (const t of [serializeDocument(doc({ source: 'builtin', name: 'iris' })), serializeDocument(doc(undefined)), 'not json', text]) {
      expect(relocateDocumentText(t, P, t === text ? P : '/x').text).toBe(t);
    }
  });
});

describe('relocateRunRecord', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerloom-relocate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('rewrites the run\'s dataset snapshot (and its document snapshot) in run.json, keeping the rest', async () => {
    mkdirSync(join(dir, 'run-1'));
    const ds = { source: 'csv', path: 'data/a.csv', target: 'y' };
    writeFileSync(join(dir, 'run-1', 'run.json'), JSON.stringify({ format: 'layerloom.run', runId: 'run-1', dataset: ds, doc: doc(ds as never), history: [1, 2] }));
    expect(await relocateRunRecord(join(dir, 'run-1'), P, `${P}/m`, { keepRelative: true })).toEqual([{ field: 'path', from: 'data/a.csv', to: '../data/a.csv' }]);
    const rec = JSON.parse(readFileSync(join(dir, 'run-1', 'run.json'), 'utf8'));
    expect(rec.dataset.path).toBe('../data/a.csv');
    expect(rec.doc.dataset.path).toBe('../data/a.csv');
    expect(rec.history).toEqual([1, 2]);
    // An imported run without a dataset: untouched.
    mkdirSync(join(dir, 'run-2'));
    const raw = JSON.stringify({ format: 'layerloom.run', runId: 'run-2', doc: doc(undefined) });
    writeFileSync(join(dir, 'run-2', 'run.json'), raw);
    expect(await relocateRunRecord(join(dir, 'run-2'), P, '/x')).toEqual([]);
    expect(readFileSync(join(dir, 'run-2', 'run.json'), 'utf8')).toBe(raw);
  });
});
