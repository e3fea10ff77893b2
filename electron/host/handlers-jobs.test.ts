/**
 * Long operations (jobs) end to end: the renderer's typed API → the host's handlers → the engine
 * process (forked, as in web mode) and back, with `job.progress` events for the request's jobId and
 * `engine.cancel`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../shared/engine/job';
import { createApi, type Transport } from '../../shared/ipc/client';
import type { EventName, EventOf } from '../../shared/ipc/contract';
import { dispatch, parseEvent } from '../../shared/ipc/rpc';
import { HIRING_DOC, writeHiring } from '../engine/fairness/hiring-fixture';
import { forkEngine } from './engine-fork';
import { EngineSupervisor } from './engine-supervisor';
import { FAKE_ANSWERS } from './fixtures/fake-engine';
import { ProjectFiles } from './files';
import { createHandlers } from './handlers';
import { SettingsStore } from './settings';

/** A host over a forked engine in `dir` (web mode's files), and the renderer's API over a loopback transport. */
function host(dir: string, engineModule?: string) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  // As the web server pushes an event: validated, as JSON.
  const emit = <E extends EventName>(name: E, payload: EventOf<E>) => {
    const wire: unknown = JSON.parse(JSON.stringify(parseEvent(name, payload)));
    listeners.get(name)?.forEach((l) => l(wire));
  };
  const engine = new EngineSupervisor({ spawn: forkEngine({ engineModule, echoStderr: false }), onTrainEvent: (e) => emit('train.event', e) });
  const handlers = createHandlers({
    mode: 'web', version: '0', files: new ProjectFiles(dir), settings: new SettingsStore(join(dir, 'settings.json')), engine,
    templatesDir: join(dir, 'none'), projectDir: dir, emit,
  });
  const transport: Transport = {
    invoke: (name, payload) => dispatch(handlers, name, JSON.parse(JSON.stringify(payload)), undefined),
    subscribe: (name, l) => {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(l);
      return () => set.delete(l);
    },
  };
  const api = createApi(transport);
  const progress: JobProgress[] = [];
  api.onJobProgress((p) => progress.push(p));
  return { api, engine, progress, of: (jobId: string) => progress.filter((p) => p.jobId === jobId) };
}

describe('jobs through the host and the real engine process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerloom-jobs-'));
  let h: ReturnType<typeof host>;
  const run = { runId: 'run-hiring', doc: HIRING_DOC, docPath: 'hiring.loom' };

  beforeAll(async () => {
    writeHiring(dir);
    h = host(dir);
    const ended = new Promise((resolve) => h.api.onTrainEvent((e) => (e.type === 'end' || e.type === 'error') && resolve(e)));
    await h.api.engine.train({ ...run, overrides: { epochs: 2 } });
    expect(await ended).toMatchObject({ type: 'end' });
  }, 180_000);
  afterAll(() => {
    h?.engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('explain.run: a named row is explained in the run\'s feature order, with progress for its jobId', async () => {
    const e = await h.api.explain.run({
      ...run, jobId: 'explain-1', spec: { method: 'shap' },
      input: { kind: 'values', values: [1.5, 0.25], featureNames: ['zip', 'score'] },
    });
    expect(e.featureNames).toEqual(['score', 'zip']);
    expect(e.featureValues).toEqual([0.25, 1.5]);
    // Exact SHAP on two features: efficiency holds.
    expect(Math.abs(e.baseValue! + e.attributions[0]! + e.attributions[1]! - e.output)).toBeLessThan(1e-4);
    const reports = h.of('explain-1');
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.at(-1)).toMatchObject({ done: reports.at(-1)!.total, etaSec: 0 });
  });

  it('fairness.audit: the groups of a column the model never saw, with progress while predicting and per bootstrap resample', async () => {
    const r = await h.api.fairness.audit({ ...run, jobId: 'audit-1', sensitive: [{ kind: 'column', column: 'group' }], bootstrap: { samples: 300 } });
    expect(r.groups.map((g) => g.name).sort()).toEqual(['A', 'B']);
    expect(r.groups.reduce((n, g) => n + g.support, 0)).toBe(r.samples);
    expect(r.groups[0]!.ci.accuracy).toHaveLength(2);
    const reports = h.of('audit-1');
    expect(reports.some((p) => p.message === 'Predicting the test split')).toBe(true);
    expect(reports.at(-1)).toMatchObject({ message: 'Bootstrap resamples', done: 300, total: 300 });
  });

  it('compress.run: the new run goes beside the document (or waits in staging until the first save) and answers like any run', async () => {
    const r = await h.api.compress.run({ ...run, jobId: 'compress-1', method: 'prune', sparsity: 0.5, finetuneEpochs: 1, latencyRuns: 0 });
    expect(r.run.runId).toMatch(/^compressed-/);
    expect(existsSync(join(dir, 'hiring.runs', r.run.runId, 'run.json'))).toBe(true);
    expect((await h.api.runs.list({ docPath: 'hiring.loom' })).runs.map((x) => x.runId)).toContain(r.run.runId);
    const ev = await h.api.engine.evaluate({ runId: r.run.runId, doc: HIRING_DOC, docPath: 'hiring.loom' });
    expect(ev.samples).toBe(r.report.testSamples);
    expect(ev.logs.loss).toBeCloseTo(r.report.after.loss, 5);
    expect(h.of('compress-1').some((p) => p.message === 'Fine-tuning')).toBe(true);

    // A document not saved yet: the held run is the source, the new run is staged, the first save keeps it.
    const staged = await h.api.compress.run({ runId: run.runId, doc: HIRING_DOC, method: 'dynamic', latencyRuns: 0 });
    expect(staged.report.from).toEqual({ runId: run.runId });
    expect(existsSync(join(dir, 'copy.runs'))).toBe(false);
    await expect(h.api.runs.persist({ runIds: [staged.run.runId], docPath: 'copy.loom' })).resolves.toEqual({ saved: [staged.run.runId], failed: [] });
    expect(existsSync(join(dir, 'copy.runs', staged.run.runId, 'weights.bin'))).toBe(true);
  });

  it('a request outside what the run can do fails by name, and no progress leaks to other jobs', async () => {
    await expect(h.api.explain.global({ ...run, jobId: 'bad-1', method: 'shap', target: 7 })).rejects.toMatchObject({ code: 'failed', message: /Target 7 is out of range/ });
    expect(h.progress.every((p) => ['explain-1', 'audit-1', 'compress-1', 'bad-1'].includes(p.jobId))).toBe(true);
  });
});

describe('canceling a job through the host (fake engine process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerloom-cancel-'));
  let h: ReturnType<typeof host>;
  beforeAll(() => {
    h = host(dir, fileURLToPath(new URL('./fixtures/fake-engine.ts', import.meta.url)));
  });
  afterAll(() => {
    h?.engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('engine.cancel mid-operation fails it with `canceled`; the next request works; cancel of an ended job says so', async () => {
    const doc = { format: 'layerloom.model' as const, version: 1 as const, name: 'fake', nodes: [], edges: [] };
    const first = new Promise<void>((resolve) => h.api.onJobProgress((p) => p.jobId === 'hold-job' && resolve()));
    const held = h.api.explain.run({ runId: 'hold-run', doc, jobId: 'hold-job', input: { kind: 'sample', index: 0 }, spec: { method: 'gradient' } });
    await first;
    await expect(h.api.engine.cancel({ jobId: 'hold-job' })).resolves.toEqual({ ok: true });
    await expect(held).rejects.toMatchObject({ code: 'canceled', message: 'explain.run was canceled' });
    await expect(h.api.engine.cancel({ jobId: 'hold-job' })).resolves.toEqual({ ok: false });

    await expect(h.api.fairness.thresholds({ runId: 'run-2', doc, jobId: 'next', sensitive: [{ kind: 'column', column: 'group' }], objective: 'demographicParity' }))
      .resolves.toEqual(FAKE_ANSWERS.rule);
    expect(h.of('next').at(-1)).toMatchObject({ done: 4, total: 4, message: 'Fake steps' });
  });

  it('a host-side caller cancels with an AbortSignal: the supervisor sends engine.cancel for the job id it made up', async () => {
    const abort = new AbortController();
    const seen: string[] = [];
    const held = h.engine.call('explain.sanity', { runId: 'hold-2', input: { kind: 'values', values: [1] }, spec: { method: 'gradient' } }, {
      signal: abort.signal,
      onProgress: (p) => (seen.push(p.jobId), abort.abort()),
    });
    await expect(held).rejects.toMatchObject({ code: 'canceled', message: 'explain.sanity was canceled' });
    expect(seen[0]).toMatch(/^job-/);
    await expect(h.engine.call('explain.global', { runId: 'r', method: 'shap' })).resolves.toEqual(FAKE_ANSWERS.global);
  });
});
