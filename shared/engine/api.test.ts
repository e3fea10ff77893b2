import { unavailableEngine } from '../../electron/engine/fixtures/unavailable-engine';
import { EngineError, ENGINE_OPS, engineOperations, parseEngineRequest, parseEngineResponse, type EngineApi, type EngineClient } from './api';
import { requests, REQUEST_NAMES } from '../ipc/contract';
import { newRunId, RUN_ID_PATTERN } from './run-id';

const api: EngineApi = {
  ...unavailableEngine(),
  'engine.backend': async () => ({ name: 'cpu', native: false }),
  'engine.train': () => ({ stop() {}, pause() {}, resume() {}, done: new Promise(() => undefined) }),
};

describe('the engine API', () => {
  it('is checked by the compiler: a missing operation, a wrong answer and a misspelt operation do not compile', () => {
    const { 'export.run': _missing, ...rest } = api;
    // @ts-expect-error -- an engine without export.run is not an EngineApi
    const incomplete: EngineApi = rest;
    // @ts-expect-error -- engine.backend answers a BackendInfo
    const wrong: EngineApi = { ...api, 'engine.backend': async () => ({ name: 'gpu', native: false }) };
    // Compiled, never run: calls a client refuses to type.
    const calls = (client: EngineClient) => [
      // @ts-expect-error -- no such operation
      client.call('data.previewData', {}),
      // @ts-expect-error -- data.preview needs a dataset
      client.call('data.preview', {}),
      // @ts-expect-error -- a run id is a string
      client.call('engine.stop', { runId: 1 }),
    ];
    expect([incomplete, wrong, calls]).toHaveLength(3);
  });

  it('names each operation that serves an IPC request like that request', () => {
    const ipc = new Set<string>(REQUEST_NAMES);
    const own = ENGINE_OPS.filter((op) => !ipc.has(op));
    expect(own).toEqual(['runs.save', 'runs.dispose']);
    // Every IPC namespace the engine serves exists in the contract.
    for (const op of ENGINE_OPS) expect(Object.keys(requests)).toContain(op.split('.')[0]);
  });

  it('validates requests and answers, naming the operation and each bad field', () => {
    expect(parseEngineRequest('engine.stop', { runId: 'r1' })).toEqual({ runId: 'r1' });
    expect(() => parseEngineRequest('engine.stop', { runId: '../x' })).toThrow(/engine\.stop: invalid request: runId/);
    expect(() => parseEngineRequest('export.run', { format: 'caffe', doc: {} })).toThrow(/export\.run: invalid request: format: .*; doc/);
    expect(() => parseEngineRequest('engine.stop', { runId: 'r1', extra: 1 })).toThrow(EngineError);
    expect(() => parseEngineResponse('engine.backend', { name: 'gpu' })).toThrow(/engine\.backend: invalid response/);
    expect(() => parseEngineResponse('runs.save', {})).toThrow(expect.objectContaining({ code: 'invalid-response' }));
    expect(Object.keys(engineOperations)).toEqual([...ENGINE_OPS]);
  });
});

describe('run ids', () => {
  it('are sortable by time, unique, folder-safe and say what made them', () => {
    const at = new Date('2026-03-04T05:06:07.890Z');
    const a = newRunId('trained', at);
    expect(a).toMatch(/^run-20260304T050607-[0-9a-f]{6}$/);
    expect(newRunId('imported', at)).toMatch(/^imported-20260304T050607-[0-9a-f]{6}$/);
    expect(RUN_ID_PATTERN.test(a)).toBe(true);
    expect(new Set(Array.from({ length: 50 }, () => newRunId())).size).toBe(50);
  });
});
