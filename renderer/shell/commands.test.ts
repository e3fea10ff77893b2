import { serializeDocument } from '../../shared/document';
import { bundledTemplates, setPlatform, type Platform } from '../services/platform';
import { readRecovery, readRecoveryFromApp, writeRecovery, type Recovery } from '../services/recovery';
import { undo, useEditor } from '../store';
import { newDocument, newFromTemplate, openFile, runMenuCommand, save, saveAs } from './commands';
import { setUnsavedPrompt } from './unsaved';

/** An in-memory platform: a folder of files, like web mode's project folder. */
function fakePlatform(desktop = false) {
  const files = new Map<string, string>();
  const settings = new Map<string, string | number | boolean | null>();
  const recovery: { copy: Recovery | null } = { copy: null };
  const p: Platform = {
    desktop,
    open: async (path) => (path && files.has(path) ? { path, name: path, text: files.get(path)! } : null),
    save: async (path, text) => { files.set(path, text); return { path, name: path }; },
    saveAs: async (text, suggested, path) => { const at = path ?? suggested; files.set(at, text); return { path: at, name: at }; },
    recent: async () => [],
    list: async () => [...files.keys()].map((path) => ({ path, name: path })),
    templates: async () => bundledTemplates(),
    getSetting: async (k) => settings.get(k),
    setSetting: async (k, v) => { settings.set(k, v); },
    readRecoveryCopy: async () => recovery.copy,
    writeRecoveryCopy: async (c) => { recovery.copy = c; },
    getTheme: async () => 'light',
    setTheme: async () => {},
    getSnapToGrid: async () => true,
    setSnapToGrid: async () => {},
    setDirty: () => {},
    ready: async () => [],
    onMenuCommand: () => () => {},
    onBeforeClose: () => () => {},
    closeReady: () => {},
  };
  return { p, files, settings, recovery };
}

const state = () => useEditor.getState();
const dirty = () => state().doc !== state().savedDoc;

describe('document commands', () => {
  let fake: ReturnType<typeof fakePlatform>;
  beforeEach(() => {
    fake = fakePlatform();
    setPlatform(fake.p);
    setUnsavedPrompt(async () => 'discard');
    state().loadDocument(state().doc);
    void newDocument();
  });
  afterEach(() => {
    setPlatform(null);
    setUnsavedPrompt(null);
    vi.restoreAllMocks();
  });

  it('new from template, edit (dirty), save as, save again, reopen the same graph', async () => {
    const t = bundledTemplates().find((x) => x.id === 'mnist-cnn')!;
    expect(await newFromTemplate(t)).toBe(true);
    expect(state().doc.nodes.length).toBeGreaterThan(3);
    expect(dirty()).toBe(false);
    state().setParam(['dense'], 'units', 64);
    expect(dirty()).toBe(true);

    // Web mode without a path: the in-app Save As dialog asks for a name first.
    await save();
    expect(state().dialog).toBe('saveAs');
    await saveAs('mine.loom');
    expect(state().filePath).toBe('mine.loom');
    expect(state().dialog).toBeNull();
    expect(dirty()).toBe(false);
    expect(fake.files.get('mine.loom')).toBe(serializeDocument(state().doc));
    expect(state().doc.name).toBe('mnist-cnn'); // a template keeps its name

    state().setParam(['dense'], 'units', 32);
    await save();
    expect(JSON.parse(fake.files.get('mine.loom')!).nodes.find((n: { id: string }) => n.id === 'dense').params.units).toBe(32);

    const savedDoc = state().doc;
    await newDocument();
    expect(state().doc.nodes).toEqual([]);
    await openFile('mine.loom');
    expect(state().doc).toEqual(savedDoc);
    expect(dirty()).toBe(false);
    // Opening is not undoable: the history starts fresh.
    undo();
    expect(state().doc).toEqual(savedDoc);
  });

  it('asks before discarding unsaved changes: Cancel keeps them, Save saves first, Don\'t save discards (web mode too)', async () => {
    setUnsavedPrompt(null); // the in-app question
    state().addNode('Input');
    let done = newDocument();
    await vi.waitFor(() => expect(state().prompt?.name).toBe('untitled'));
    state().prompt!.answer('cancel');
    await done;
    expect(state().doc.nodes).toHaveLength(1);
    expect(state().prompt).toBeNull();
    // Save: a model without a file is named first (the Save As dialog); the New waits for that.
    done = newDocument();
    await vi.waitFor(() => expect(state().prompt).not.toBeNull());
    state().prompt!.answer('save');
    await done;
    expect(state().dialog).toBe('saveAs');
    expect(state().doc.nodes).toHaveLength(1);
    await saveAs('kept.loom');
    state().addNode('Dense');
    done = newDocument();
    await vi.waitFor(() => expect(state().prompt).not.toBeNull());
    state().prompt!.answer('save');
    await done;
    expect(JSON.parse(fake.files.get('kept.loom')!).nodes).toHaveLength(2); // saved, then replaced
    expect(state().doc.nodes).toEqual([]);
    state().addNode('Input');
    runMenuCommand('new');
    await vi.waitFor(() => expect(state().prompt).not.toBeNull());
    state().prompt!.answer('discard');
    await vi.waitFor(() => expect(state().doc.nodes).toEqual([]));
  });

  it('reports an unreadable file and keeps the current document', async () => {
    fake.files.set('bad.loom', '{"format": "layerloom.model", "version": 1, "nodes": [{"id": "1x", "type": "Dense"}]}');
    state().addNode('Input');
    state().markSaved(null);
    await openFile('bad.loom');
    expect(state().notice?.kind).toBe('error');
    expect(state().notice?.text).toMatch(/nodes\[0\]/);
    expect(state().doc.nodes).toHaveLength(1);
  });

  it('a new untitled model takes the name of the file it is saved as', async () => {
    state().addNode('Input');
    await saveAs('digits.loom');
    expect(state().doc.name).toBe('digits');
    expect(JSON.parse(fake.files.get('digits.loom')!).name).toBe('digits');
    expect(dirty()).toBe(false);
  });

  it('the desktop Save As goes straight to the native dialog', async () => {
    setPlatform(fakePlatform(true).p);
    state().addNode('Input');
    await saveAs();
    expect(state().dialog).toBeNull();
    expect(state().filePath).toBe('untitled.loom');
  });

  it('keeps a recovery copy in browser storage and in the app (web mode changes origin per launch), whatever its size', async () => {
    writeRecovery({ text: '{}', filePath: null, savedAt: 1 });
    expect(readRecovery()).toEqual({ text: '{}', filePath: null, savedAt: 1 });
    expect(await readRecoveryFromApp()).toEqual({ text: '{}', filePath: null, savedAt: 1 });
    const big = { text: 'x'.repeat(200_000), filePath: 'big.loom', savedAt: 2 };
    writeRecovery(big);
    localStorage.clear(); // a new origin: only the app's copy is left
    expect(await readRecoveryFromApp()).toEqual(big);
    await newDocument();
    expect(readRecovery()).toBeNull();
    expect(fake.recovery.copy).toBeNull();
  });

  it('reads (and then clears) a copy an older version left in the settings', async () => {
    fake.settings.set('editor.recovery', JSON.stringify({ text: '{"old":1}', filePath: null, savedAt: 3 }));
    expect((await readRecoveryFromApp())?.text).toBe('{"old":1}');
    await newDocument();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.settings.get('editor.recovery')).toBeNull();
  });
});
