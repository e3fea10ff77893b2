/**
 * Save As into another folder: main rewrites relative dataset paths (`rewritten`); the editor's
 * document, saved copy and undo history take the same rewrite, and the status line says what changed.
 */
import { act } from '@testing-library/react';
import type { LoomDocument } from '../../shared/document';
import { setPlatform } from '../services/platform';
import { undo, useEditor } from '../store';
import { installFakeApi, type FakeApi } from '../test-api';
import { saveAs } from './commands';

const doc: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'houses',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [2] } }, { id: 'out', type: 'Dense', params: { units: 1 } }],
  edges: [{ from: 'x', to: 'out' }],
  dataset: { source: 'csv', path: 'data/houses.csv', target: 'price' },
};
const state = () => useEditor.getState();

let fake: FakeApi;
beforeEach(() => {
  setPlatform(null);
  useEditor.setState({ runs: [], currentRunId: null, selectedRuns: [] });
  state().loadDocument(structuredClone(doc), 'houses.loom');
  fake = installFakeApi({
    'app.info': () => ({ mode: 'web', version: '0', platform: 'linux', projectDir: '/p' }),
    'file.saveAs': (req) => ({
      canceled: false, path: req.path!, name: req.path!.replace(/^.*\//, ''),
      ...(req.path!.startsWith('models/') ? { rewritten: [{ field: 'path' as const, from: 'data/houses.csv', to: '../data/houses.csv' }] } : {}),
    }),
    'runs.persist': (req) => ({ saved: req.runIds, failed: [] }),
  });
});
afterEach(() => setPlatform(null));

describe('Save As rewrites relative dataset paths for the new folder', () => {
  it('sends the current file, takes the rewritten paths into the document (saved, and in undo history), and says so', async () => {
    // An edit before saving, so that undo has a state with the old path.
    act(() => state().updateDocument((d) => ({ ...d, name: 'houses2' })));
    expect(await act(() => saveAs('models/houses2.loom'))).toBe(true);
    expect(fake.calls.find((c) => c.name === 'file.saveAs')!.req).toMatchObject({ path: 'models/houses2.loom', fromPath: 'houses.loom' });
    expect(state().doc.dataset).toEqual({ source: 'csv', path: '../data/houses.csv', target: 'price' });
    expect(state().savedDoc).toBe(state().doc);
    expect(state().filePath).toBe('models/houses2.loom');
    expect(state().notice?.text).toBe('Saved houses2.loom; data paths rewritten for its folder: data/houses.csv → ../data/houses.csv');
    // Undoing the earlier edit keeps the path that finds the file from the new folder.
    act(() => undo());
    expect(state().doc.name).toBe('houses');
    expect(state().doc.dataset).toMatchObject({ path: '../data/houses.csv' });
  });

  it('nothing rewritten (same folder): the document is the one sent, the notice plain', async () => {
    const before = state().doc;
    expect(await act(() => saveAs('copy.loom'))).toBe(true);
    expect(state().doc).toBe(before);
    expect(state().notice?.text).toBe('Saved copy.loom');
  });
});
