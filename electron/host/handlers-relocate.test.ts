/**
 * Save As into another folder keeps a model's data: relative dataset paths are rewritten for the new
 * folder (web mode: relative again; desktop: absolute when outside it), the data then loads from the
 * copy (data.preview), and a run folder carried by the copy evaluates on the same data after the
 * engine forgot it (as after a restart). Real engine in-process, real files.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, serializeDocument, type LoomDocument } from '../../shared/document';
import { initBackend } from '../engine/backend';
import { disposeRun } from '../engine/index';
import { DesktopFiles } from '../desktop/desktop-files';
import { ProjectFiles } from './files';
import { engineWithEnds } from './fixtures/in-process-engine';
import { createHandlers } from './handlers';

const { engine, ends } = engineWithEnds();

function writeCsv(file: string): void {
  const rows = ['a,b,label'];
  for (let i = 0; i < 40; i++) rows.push(`${(i % 7) / 3},${(i % 5) / 2},${i % 2 ? 'yes' : 'no'}`);
  writeFileSync(file, rows.join('\n') + '\n');
}

const model = (dataset: LoomDocument['dataset']): LoomDocument => ({
  format: 'layerloom.model', version: 1, name: 'm',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [2] } }, { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } }],
  edges: [{ from: 'x', to: 'out' }],
  training: { epochs: 1, batchSize: 16, learningRate: 0.05, seed: 1 } as LoomDocument['training'],
  dataset,
});
const datasetOf = (text: string) => {
  const r = parseDocument(text);
  if (!r.ok) throw new Error('not a document');
  return r.doc.dataset!;
};

describe('Save As into another folder rewrites relative dataset paths (handlers)', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'layerloom-relocate-h-')));
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('web mode: the copy in models/ names ../data/…, previews its data, and its copied run evaluates', async () => {
    const project = join(root, 'web');
    mkdirSync(join(project, 'data'), { recursive: true });
    mkdirSync(join(project, 'models'), { recursive: true });
    writeCsv(join(project, 'data', 'small.csv'));
    const h = createHandlers({ mode: 'web', version: '0', templatesDir: join(root, 'none'), projectDir: project, files: new ProjectFiles(project), settings: { addRecent: async () => undefined } as never, engine }) as any;
    const doc = model({ source: 'csv', path: 'data/small.csv', target: 'label' });
    const text = serializeDocument(doc);
    expect(await h['file.save']({ path: 'first.loom', text })).toMatchObject({ path: 'first.loom' });
    // A run of the saved file, kept in its run folder.
    const { runId } = await h['engine.train']({ runId: 'run-rel-1', doc, docPath: 'first.loom' });
    expect((await ends.get(runId)!).type).toBe('end');
    await engine.call('runs.save', { runId, runDir: join(project, 'first.runs', runId) });
    const evaluation = await h['engine.evaluate']({ runId, doc, docPath: 'first.loom' });
    // The engine then holds the run without its data, as after Try it on a reopened model.
    disposeRun(runId);
    expect((await h['engine.predict']({ runId, doc, docPath: 'first.loom', inputs: [[0, 0]] })).outputs).toHaveLength(1);

    const r = await h['file.saveAs']({ text, path: 'models/copy.loom', fromPath: 'first.loom' });
    expect(r).toMatchObject({ canceled: false, path: 'models/copy.loom', rewritten: [{ field: 'path', from: 'data/small.csv', to: '../data/small.csv' }] });
    const saved = readFileSync(join(project, 'models', 'copy.loom'), 'utf8');
    expect(datasetOf(saved)).toEqual({ source: 'csv', path: '../data/small.csv', target: 'label' });
    // The data loads from the new location.
    const preview = await h['data.preview']({ dataset: datasetOf(saved), docPath: 'models/copy.loom' });
    expect(preview.count).toBe(40);
    // Unchanged, the old path would not have been found from there.
    await expect(h['data.preview']({ dataset: doc.dataset, docPath: 'models/copy.loom' })).rejects.toThrow(/small\.csv/);

    // The copy carries the run folder; its dataset snapshot is relocated too, so evaluating it from
    // the copy (the engine no longer holding the run) reads the same data.
    expect((await h['runs.persist']({ runIds: [runId], docPath: 'models/copy.loom', fromPath: 'first.loom' })).saved).toEqual([runId]);
    const rec = JSON.parse(readFileSync(join(project, 'models', 'copy.runs', runId, 'run.json'), 'utf8'));
    expect(rec.dataset.path).toBe('../data/small.csv');
    expect(rec.doc.dataset.path).toBe('../data/small.csv');
    // The original run folder is left as it was.
    expect(JSON.parse(readFileSync(join(project, 'first.runs', runId, 'run.json'), 'utf8')).dataset.path).toBe('data/small.csv');
    const copyDoc = { ...doc, dataset: datasetOf(saved) };
    // Held in memory without data: the engine takes the copy's snapshot.
    expect((await h['engine.evaluate']({ runId, doc: copyDoc, docPath: 'models/copy.loom' })).logs).toEqual(evaluation.logs);
    // Not held (as after a restart): loaded from the copy's folder.
    disposeRun(runId);
    expect((await h['engine.evaluate']({ runId, doc: copyDoc, docPath: 'models/copy.loom' })).logs).toEqual(evaluation.logs);
    disposeRun(runId);

    // Saving as into the same folder, or a built-in dataset: nothing rewritten.
    const same = await h['file.saveAs']({ text, path: 'second.loom', fromPath: 'first.loom' });
    expect(same.rewritten).toBeUndefined();
    expect(readFileSync(join(project, 'second.loom'), 'utf8')).toBe(text);
    const builtin = serializeDocument(model({ source: 'builtin', name: 'iris' }));
    expect((await h['file.saveAs']({ text: builtin, path: 'models/b.loom', fromPath: 'first.loom' })).rewritten).toBeUndefined();
    // A document never saved: its paths were relative to the project folder.
    const fresh = await h['file.saveAs']({ text, path: 'models/fresh.loom' });
    expect(fresh.rewritten).toEqual([{ field: 'path', from: 'data/small.csv', to: '../data/small.csv' }]);
  }, 60_000);

  it('desktop: a copy saved outside the data\'s folder names the file by its absolute path; absolute paths stay', async () => {
    const home = join(root, 'desk');
    mkdirSync(join(home, 'proj', 'data'), { recursive: true });
    mkdirSync(join(home, 'elsewhere'), { recursive: true });
    writeCsv(join(home, 'proj', 'data', 'small.csv'));
    const files = new DesktopFiles({ showOpenDialog: vi.fn(), showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: join(home, 'elsewhere', 'copy') })) } as never, () => null, () => home);
    const h = createHandlers({ mode: 'electron', version: '0', templatesDir: join(root, 'none'), files, settings: { addRecent: async () => undefined } as never, engine }) as any;
    const text = serializeDocument(model({ source: 'npy', x: 'data/x.npy', y: join(home, 'y.npy') }));
    const r = await h['file.saveAs']({ text, suggestedName: 'm', fromPath: join(home, 'proj', 'm.loom') });
    expect(r).toMatchObject({ path: join(home, 'elsewhere', 'copy.loom'), rewritten: [{ field: 'x', from: 'data/x.npy', to: join(home, 'proj', 'data', 'x.npy') }] });
    expect(datasetOf(readFileSync(join(home, 'elsewhere', 'copy.loom'), 'utf8'))).toMatchObject({ x: join(home, 'proj', 'data', 'x.npy'), y: join(home, 'y.npy') });
    // Into a subfolder of the data's folder: relative again.
    const csv = serializeDocument(model({ source: 'csv', path: 'proj/data/small.csv', target: 'label' }));
    const sub = await h['file.saveAs']({ text: csv, path: join(home, 'proj', 'sub.loom'), fromPath: join(home, 'm.loom') });
    expect(sub.rewritten).toEqual([{ field: 'path', from: 'proj/data/small.csv', to: 'data/small.csv' }]);
    expect((await h['data.preview']({ dataset: datasetOf(readFileSync(join(home, 'proj', 'sub.loom'), 'utf8')), docPath: join(home, 'proj', 'sub.loom') })).count).toBe(40);
  }, 60_000);
});
