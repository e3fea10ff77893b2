import { z } from 'zod';
import { unavailableEngine } from '../../electron/engine/fixtures/unavailable-engine';
import { EngineError, ENGINE_OPS, engineOperations, isJobOp, parseEngineRequest, parseEngineResponse, type EngineApi, type EngineClient } from './api';
import { requests, requestSpec, REQUEST_NAMES } from '../ipc/contract';
import { newRunId, RUN_ID_PATTERN } from './run-id';

/** The smallest valid request of each long operation. */
const minimal = {
  'explain.run': { runId: 'r', input: { kind: 'sample', index: 0 }, spec: { method: 'ig' } },
  'explain.global': { runId: 'r', method: 'shap' },
  'explain.sanity': { runId: 'r', input: { kind: 'values', values: [1] }, spec: { method: 'gradient' } },
  'fairness.audit': { runId: 'r', sensitive: [{ kind: 'class' }] },
  'fairness.thresholds': { runId: 'r', sensitive: [{ kind: 'column', column: 'g' }], objective: 'equalizedOdds' },
  'compress.run': { runId: 'r', method: 'int8', outDir: '/x/out' },
  'text.generate': { runId: 'r', prompt: 'In the beginning' },
} as const;

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
      // @ts-expect-error -- only long operations (jobs) take job options
      client.call('engine.evaluate', { runId: 'r' }, { onProgress: () => undefined }),
      client.call('explain.run', { runId: 'r', input: { kind: 'sample', index: 0 }, spec: { method: 'ig' } }, { signal: new AbortController().signal }),
      // @ts-expect-error -- explain.run needs a method spec
      client.call('explain.run', { runId: 'r', input: { kind: 'sample', index: 0 } }),
      // @ts-expect-error -- fairness.audit takes the engine's places (runDir/baseDir), not the renderer's docPath
      client.call('fairness.audit', { runId: 'r', docPath: '/x/a.loom', sensitive: [{ kind: 'class' }] }),
    ];
    const { 'fairness.audit': _noAudit, ...withoutAudit } = api;
    // @ts-expect-error -- an engine without fairness.audit is not an EngineApi
    const noAudit: EngineApi = withoutAudit;
    expect([incomplete, wrong, calls, noAudit]).toHaveLength(4);
  });

  it('declares the long operations (jobs) once: they take a jobId here and in their IPC request; engine.cancel stops them', () => {
    const jobs = ENGINE_OPS.filter(isJobOp);
    expect(jobs).toEqual(['explain.run', 'explain.global', 'explain.sanity', 'fairness.audit', 'fairness.thresholds', 'compress.run', 'text.generate']);
    for (const op of jobs) {
      expect(parseEngineRequest(op, { ...minimal[op], jobId: 'job-1' })).toMatchObject({ jobId: 'job-1' });
      expect(() => parseEngineRequest(op, { ...minimal[op], jobId: 'no spaces' })).toThrow(/jobId/);
      const ipc = requestSpec(op)!.request;
      expect(ipc instanceof z.ZodObject && 'jobId' in ipc.shape, `${op}: its IPC request takes a jobId`).toBe(true);
    }
    expect(parseEngineRequest('engine.cancel', { jobId: 'job-1' })).toEqual({ jobId: 'job-1' });
    expect(parseEngineResponse('explain.global', { method: 'shap', featureNames: ['a'], importance: [1], spread: [0], samples: 1, forwardPasses: 1, elapsedSec: 0 })).toMatchObject({ importance: [1] });
    expect(() => parseEngineResponse('fairness.thresholds', { thresholds: [] })).toThrow(/fairness\.thresholds: invalid response/);
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
