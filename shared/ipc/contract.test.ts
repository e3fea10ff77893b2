import {
  EVENT_NAMES, REQUEST_NAMES, events, requestSpec, type EventName, type EventOf, type RequestName, type RequestOf, type ResponseOf,
} from './contract';
import { createApi, EVENT_METHODS, type Transport } from './client';
import { sampleCompressResult } from '../compress/test-report';
import { dispatch, IpcError, parseEvent, parseRequest, type Envelope, type Handlers } from './rpc';

const doc = {
  format: 'layerloom.model' as const,
  version: 1 as const,
  name: 'tiny',
  nodes: [
    { id: 'input', type: 'Input', params: { shape: [4] } },
    { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } },
  ],
  edges: [{ from: 'input', to: 'out' }],
};
const backend = { name: 'wasm' as const, native: false, reason: 'native TensorFlow (@tensorflow/tfjs-node) is not installed' };
const settings = { theme: 'dark' as const, recentFiles: ['/a/b.loom'], snapToGrid: true, ui: { leftPanel: 240 } };
const evaluation = { runId: 'r1', samples: 4, logs: { loss: 0.5, accuracy: 0.75 }, classes: ['a', 'b'], confusion: [[2, 0], [1, 1]] };
const colour = [{ kind: 'categorical' as const, column: 'colour' }];
const fairnessReport = {
  task: 'classification' as const, attribute: 'colour', grouping: colour, split: 'test' as const, samples: 10, classes: ['No', 'Yes'], positiveClass: 'Yes',
  groups: [{ name: 'Black', support: 4, metrics: { accuracy: 0.75, selectionRate: 0.5, tpr: 1, fpr: null }, ci: { accuracy: [0.5, 1] as [number, number], fpr: null }, smallGroup: true, confusion: [[1, 1], [0, 2]] }],
  summary: { demographicParityDifference: 0.1, worstGroup: 'Black', ci: { demographicParityDifference: [0, 0.3] as [number, number] } },
  bootstrap: { samples: 100, seed: 0, stratified: false, level: 0.95 }, minSupport: 30, warnings: ['Black has 4 samples: its rates are noisy.'],
};
const thresholdRule = {
  grouping: colour, positiveClass: 'Yes', objective: 'demographicParity' as const, tolerance: 0.05, thresholds: [{ group: 'Black', threshold: 0.4 }], fallbackThreshold: 0.5,
  validation: { samples: 10, before: { accuracy: 0.8, difference: 0.2 }, after: { accuracy: 0.78, difference: 0.04 } },
};

/** A valid request and response for every request in the contract (the map must stay exhaustive). */
const samples: { [N in RequestName]: { req: RequestOf<N>; res: ResponseOf<N> } } = {
  'app.info': { req: {}, res: { mode: 'web', version: '0.1.0', platform: 'linux', projectDir: '/p' } },
  'app.ready': { req: {}, res: { openFiles: ['/x/a.loom'] } },
  'app.setDirty': { req: { dirty: true, name: 'tiny' }, res: { ok: true } },
  'app.closeReady': { req: { requestId: 'c1', close: true }, res: { ok: true } },
  'file.new': { req: { template: 'mnist-cnn' }, res: { path: null, name: 'mnist-cnn.loom', text: '{}' } },
  'file.open': { req: { path: 'models/a.loom' }, res: { canceled: false, path: 'models/a.loom', name: 'a.loom', text: '{}' } },
  'file.save': { req: { path: '/x/a.loom', text: '{}' }, res: { canceled: false, path: '/x/a.loom', name: 'a.loom' } },
  'file.saveAs': { req: { text: '{}', suggestedName: 'a' }, res: { canceled: true } },
  'file.recent': { req: {}, res: { files: [{ path: '/x/a.loom', name: 'a.loom' }] } },
  'file.list': { req: {}, res: { dir: '/p', files: [{ path: 'a.loom', name: 'a.loom' }] } },
  'file.listTemplates': { req: {}, res: { templates: [{ id: 't', name: 'T', description: 'd', text: '{}' }] } },
  'file.importModel': { req: { path: 'keras/model.json' }, res: { canceled: false, name: 'model.loom', text: '{}', warnings: ['Dropout rate defaulted'], weightsFound: true } },
  'file.loadWeights': { req: { path: 'm.weights.h5', doc, docPath: 'a.loom' }, res: { canceled: false, run: { runId: 'imported-1', createdAt: '2026-01-01T00:00:00Z', source: 'm.weights.h5' }, matched: ['out'], problems: [{ layer: 'hidden', reason: 'shape mismatch: [4, 8] in the file, [4, 16] expected' }], unused: [], warnings: [] } },
  'file.upload': { req: { dir: 'data', name: 'photos/cat/1.png', offset: 0, base64: 'iVBORw0K', done: true }, res: { path: 'data/photos/cat/1.png', bytes: 6 } },
  'settings.get': { req: {}, res: settings },
  'settings.set': { req: { theme: 'light' }, res: { ...settings, theme: 'light' } },
  'settings.checkRuntime': {
    req: { choice: 'pytorch', python: '', device: 'cpu', processes: 2, hosts: [{ host: 'me@gpu', dir: 'runs', keep: false }], where: 'me@gpu' },
    res: { ok: true, python: 'python3', torch: '2.3.0', message: 'PyTorch 2.3.0 with python3 on me@gpu (devices: 1 CUDA GPU, CPU)' },
  },
  'recovery.read': { req: {}, res: { recovery: { text: '{}', filePath: null, savedAt: 1 } } },
  'recovery.write': { req: { recovery: null }, res: { ok: true } },
  'engine.backend': { req: {}, res: backend },
  'engine.train': { req: { runId: 'run-1', doc, docPath: '/x/a.loom', overrides: { epochs: 2 } }, res: { runId: 'run-1' } },
  'engine.stop': { req: { runId: 'run-1' }, res: { ok: true } },
  'engine.pause': { req: { runId: 'run-1' }, res: { ok: false } },
  'engine.resume': { req: { runId: 'run-1' }, res: { ok: true } },
  'engine.evaluate': { req: { runId: 'r1', doc }, res: evaluation },
  'engine.predict': { req: { runId: 'r1', doc, inputs: [[1, 2, 3, 4]] }, res: { outputs: [[0.1, 0.9]], labels: ['b'], classes: ['a', 'b'] } },
  'engine.confusionSamples': { req: { runId: 'r1', doc, trueClass: 1, predictedClass: 0 }, res: { samples: [{ index: 3, values: [1, 2, 3, 4], shape: [4], probabilities: [0.6, 0.4] }] } },
  'engine.saliency': { req: { runId: 'r1', doc, input: [1, 2, 3, 4] }, res: { classIndex: 1, shape: [4], values: [0, 0.5, 1, 0.2] } },
  'engine.cancel': { req: { jobId: 'job-1' }, res: { ok: true } },
  'explain.run': {
    req: { runId: 'r1', doc, docPath: 'a.loom', jobId: 'job-1', input: { kind: 'sample', index: 3 }, spec: { method: 'ig', steps: 20 } },
    res: {
      method: 'ig', target: { index: 1, label: 'b' }, output: 0.9, baseValue: 0.5, attributions: [0.1, 0.2, 0.05, 0.05], shape: [4],
      featureNames: ['a', 'b', 'c', 'd'], featureValues: [1, 2, 3, 4], completenessGap: 0.001, details: { steps: 20, baseline: 'zero' }, forwardPasses: 21, elapsedSec: 0.01,
    },
  },
  'explain.global': {
    req: { runId: 'r1', doc, method: 'permutation', repeats: 2 },
    res: { method: 'permutation', featureNames: ['a', 'b'], importance: [0.2, 0], spread: [0.01, 0], score: { name: 'accuracy', baseline: 0.9 }, samples: 30, forwardPasses: 150, elapsedSec: 0.1 },
  },
  'explain.sanity': {
    req: { runId: 'r1', doc, jobId: 'job-2', input: { kind: 'values', values: [1, 2, 3, 4], featureNames: ['d', 'c', 'b', 'a'] }, spec: { method: 'gradient' } },
    res: { method: 'gradient', steps: [{ layer: 'out', spearman: 0.1 }], flagged: false, threshold: 0.5, forwardPasses: 2, elapsedSec: 0.01 },
  },
  'fairness.audit': { req: { runId: 'r1', doc, docPath: 'a.loom', jobId: 'job-3', sensitive: [{ kind: 'column', column: 'colour' }], bootstrap: { samples: 100 } }, res: fairnessReport },
  'text.generate': {
    req: { runId: 'r1', doc, docPath: 'a.loom', jobId: 'job-4', prompt: 'And God said', maxTokens: 3, temperature: 0, seed: 1 },
    res: { text: ' Le', tokens: [5, 20, 9], promptTokens: 12, truncatedPromptTokens: 0, stopReason: 'length', seed: 1, elapsedSec: 0.1, unknown: 0, unknownChars: [], notices: [] },
  },
  'text.attentionMaps': {
    req: { runId: 'r1', doc, text: 'ab' },
    res: { tokens: [4, 5], labels: ['a', 'b'], maps: [{ layer: 'block1', kind: 'self', heads: [[[1, 0], [0.5, 0.5]]] }], truncatedTokens: 0, unknown: 0 },
  },
  'text.translate': {
    req: { runId: 'r1', doc, text: '3/3/21' },
    res: { text: '2021-03-03', tokens: [6, 4, 6, 5, 14, 4, 7, 14, 4, 7], truncatedSourceTokens: 0, unknown: 0, unknownChars: [], notices: [] },
  },
  'fairness.thresholds': { req: { runId: 'r1', doc, sensitive: [{ kind: 'column', column: 'colour' }], objective: 'demographicParity' }, res: thresholdRule },
  'compress.run': { req: { runId: 'r1', doc, docPath: 'a.loom', jobId: 'job-4', method: 'prune', sparsity: 0.5, finetuneEpochs: 1 }, res: sampleCompressResult() },
  'data.augmentPreview': { req: { dataset: { source: 'builtin', name: 'digits', augmentation: { rotation: 10 } }, count: 2 }, res: { shape: [2, 2, 1], samples: [[0, 1, 2, 3], [3, 2, 1, 0]] } },
  'data.files': { req: { docPath: 'a.loom' }, res: { dir: '/p', files: [{ path: 'data/x.csv', kind: 'csv' }, { path: 'photos', kind: 'folder' }] } },
  'data.describeCsv': { req: { path: 'houses.csv', docPath: 'a.loom' }, res: { rows: 2, columns: [{ name: 'price', kind: 'numeric', distinct: 2, empty: 0, examples: ['1', '2'] }], suggestedTarget: 'price' } },
  'data.pick': { req: { kind: 'npy', docPath: '/x/a.loom' }, res: { canceled: false, path: 'x.npy', paths: ['x.npy', 'y.npy'] } },
  'runs.persistImported': { req: { runId: 'imported-1', docPath: 'a.loom' }, res: { ok: true } },
  'runs.persist': { req: { runIds: ['run-1', 'imported-1'], docPath: 'b.loom', fromPath: 'a.loom' }, res: { saved: ['run-1'], failed: [{ runId: 'imported-1', message: 'gone' }] } },
  'runs.list': { req: { docPath: '/x/a.loom' }, res: { runs: [{ runId: 'r1', createdAt: '2026-01-01T00:00:00Z', history: [{ loss: 1 }] }] } },
  'data.preview': { req: { dataset: { source: 'builtin', name: 'digits' }, limit: 8 }, res: { name: 'digits', inputShape: [28, 28, 1], count: 100, samples: [] } },
  'export.run': { req: { format: 'pytorch', doc, runId: 'r1' }, res: { canceled: false, outDir: '/x/export', files: ['model.py'] } },
};

const eventSamples: { [E in EventName]: EventOf<E> } = {
  'train.event': { type: 'error', runId: 'r1', code: 'crash', message: 'The engine process stopped unexpectedly (killed by SIGKILL).' },
  'engine.status': { state: 'ready', backend },
  'job.progress': { jobId: 'job-1', done: 10, total: 40, etaSec: 2.5, message: 'Bootstrap resamples' },
  'menu.command': { command: 'openFile', arg: '/x/a.loom' },
  'app.beforeClose': { requestId: 'c1' },
};

describe('IPC contract', () => {
  it('lists every request and event once', () => {
    expect(new Set(REQUEST_NAMES).size).toBe(REQUEST_NAMES.length);
    expect(REQUEST_NAMES.slice().sort()).toEqual(Object.keys(samples).sort());
    expect(EVENT_NAMES.slice().sort()).toEqual(Object.keys(eventSamples).sort());
    expect(Object.values(EVENT_METHODS).sort()).toEqual(EVENT_NAMES.slice().sort());
  });

  it.each(REQUEST_NAMES)('%s: request and response round-trip through the schemas (as JSON)', (name) => {
    const spec = requestSpec(name)!;
    const { req, res } = samples[name];
    const wireReq = JSON.parse(JSON.stringify(req));
    expect(spec.request.parse(wireReq)).toMatchObject(wireReq);
    const wireRes = JSON.parse(JSON.stringify(res));
    expect(spec.response.parse(wireRes)).toEqual(wireRes);
  });

  it.each(EVENT_NAMES)('%s: event payload round-trips', (name) => {
    const payload = JSON.parse(JSON.stringify(eventSamples[name]));
    expect(events[name].parse(payload)).toEqual(payload);
  });

  it('rejects malformed payloads with an error naming the request and the field', () => {
    expect(() => parseRequest('file.save', { path: '/x/a.loom' })).toThrow(/file\.save: invalid request: text: /);
    expect(() => parseRequest('engine.stop', { runId: '../../etc' })).toThrow(/runId: a run id is letters/);
    expect(() => parseRequest('settings.set', { theme: 'neon' })).toThrow(/theme/);
    expect(() => parseRequest('settings.set', { evil: true })).toThrow(/settings\.set: invalid request/);
    expect(() => parseRequest('engine.train', { doc: { ...doc, nodes: 'x' } })).toThrow(/doc\.nodes/);
    expect(() => parseRequest('nope.nothing' as RequestName, {})).toThrow(/unknown request "nope.nothing"/);
    expect(() => parseEvent('train.event', { type: 'batch', runId: 'r' })).toThrow(/train\.event: invalid event/);
    expect(() => parseRequest('engine.cancel', { jobId: '../x' })).toThrow(/engine\.cancel: invalid request: jobId: a job id is letters/);
    expect(() => parseRequest('explain.run', { ...samples['explain.run'].req, jobId: 'a b' })).toThrow(/explain\.run: invalid request: jobId/);
    expect(() => parseRequest('explain.run', { ...samples['explain.run'].req, spec: { method: 'magic' } })).toThrow(/explain\.run: invalid request: spec\.method/);
    expect(() => parseRequest('fairness.audit', { ...samples['fairness.audit'].req, sensitive: [] })).toThrow(/fairness\.audit: invalid request: sensitive/);
    expect(() => parseEvent('job.progress', { jobId: 'job-1', done: -1, total: 3 })).toThrow(/job\.progress: invalid event: done/);
    try {
      parseRequest('file.open', { path: 42 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IpcError);
      expect((e as IpcError).code).toBe('invalid-request');
      expect((e as IpcError).issues).toEqual([expect.stringMatching(/^path: /)]);
    }
  });

  it('file.upload and data.pick: only known folders and kinds, base64 chunks of bounded size', () => {
    const chunk = { dir: 'data', name: 'iris.csv', offset: 0, base64: 'YSxi', done: false };
    expect(parseRequest('file.upload', chunk)).toEqual(chunk);
    expect(() => parseRequest('file.upload', { ...chunk, dir: '..' })).toThrow(/file\.upload: invalid request: dir/);
    expect(() => parseRequest('file.upload', { ...chunk, base64: 'not base64!' })).toThrow(/base64: base64 text/);
    expect(() => parseRequest('file.upload', { ...chunk, base64: 'A'.repeat(4 * 1024 * 1024) })).toThrow(/base64/);
    expect(() => parseRequest('file.upload', { ...chunk, offset: -1 })).toThrow(/offset/);
    expect(() => parseRequest('file.upload', { ...chunk, name: '' })).toThrow(/name/);
    expect(() => parseRequest('data.pick', { kind: 'exe' })).toThrow(/data\.pick: invalid request: kind/);
    expect(() => requestSpec('data.pick')!.response.parse({ canceled: false })).toThrow(/path/);
  });

  it('fills defaults for the handler (settings)', () => {
    expect(requestSpec('settings.get')!.response.parse({})).toEqual({ theme: 'system', recentFiles: [], snapToGrid: false, ui: {} });
  });
});

describe('dispatch + createApi over a loopback transport', () => {
  function loopback(handlers: Partial<Handlers>) {
    const listeners = new Map<string, Set<(p: unknown) => void>>();
    const sent: unknown[] = [];
    const transport: Transport = {
      invoke: async (name, payload): Promise<Envelope> => {
        sent.push(payload);
        return dispatch(handlers, name, JSON.parse(JSON.stringify(payload)), undefined);
      },
      subscribe: (name, l) => {
        const set = listeners.get(name) ?? new Set();
        listeners.set(name, set);
        set.add(l);
        return () => set.delete(l);
      },
    };
    const emit = (name: string, payload: unknown) => listeners.get(name)?.forEach((l) => l(payload));
    return { transport, emit, sent };
  }

  it('every request reaches its handler validated and returns the validated answer', async () => {
    const seen: string[] = [];
    const handlers = Object.fromEntries(
      REQUEST_NAMES.map((n) => [n, (req: unknown) => (seen.push(n), expect(req).toBeTypeOf('object'), samples[n].res)]),
    ) as unknown as Partial<Handlers>;
    const { transport } = loopback(handlers);
    const api = createApi(transport) as unknown as Record<string, Record<string, (r: unknown) => Promise<unknown>>>;
    for (const n of REQUEST_NAMES) {
      const [ns, m] = n.split('.') as [string, string];
      await expect(api[ns]![m]!(samples[n].req)).resolves.toEqual(samples[n].res);
    }
    expect(seen).toEqual(REQUEST_NAMES);
  });

  it('a malformed request is refused before it is sent; a server-side refusal and a handler error come back as IpcError', async () => {
    const { transport, sent } = loopback({
      'file.save': () => {
        throw new Error('disk full');
      },
      'engine.backend': () => ({ name: 'gpu' }) as never,
    });
    const api = createApi(transport);
    await expect(api.file.save({ path: '/a.loom' } as never)).rejects.toThrow(/file\.save: invalid request: text/);
    expect(sent).toHaveLength(0);
    await expect(api.file.save({ path: '/a.loom', text: '' })).rejects.toMatchObject({ code: 'failed', message: 'disk full' });
    await expect(api.engine.backend()).rejects.toMatchObject({ code: 'invalid-response' });
    await expect(api.file.recent()).rejects.toMatchObject({ code: 'unavailable' });
    // The server validates independently of the client.
    expect(await dispatch({}, 'file.save', { path: 3 }, undefined)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await dispatch({}, 'constructor', {}, undefined)).toMatchObject({ ok: false, error: { code: 'unknown-request' } });
    expect(await dispatch({}, 'file.__proto__', {}, undefined)).toMatchObject({ ok: false, error: { code: 'unknown-request' } });
  });

  it('subscriptions deliver validated events and stop after unsubscribe', () => {
    const { transport, emit } = loopback({});
    const invalid: string[] = [];
    const api = createApi(transport, { onInvalidEvent: (n) => invalid.push(n) });
    const got: unknown[] = [];
    const off = api.onMenuCommand((c) => got.push(c.command));
    emit('menu.command', { command: 'save' });
    emit('menu.command', { command: 'rm -rf' });
    off();
    emit('menu.command', { command: 'undo' });
    expect(got).toEqual(['save']);
    expect(invalid).toEqual(['menu.command']);
  });
});
