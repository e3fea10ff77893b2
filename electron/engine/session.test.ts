import type { EngineApi, JobContext } from '../../shared/engine/api';
import { JobCanceledError, type JobProgress } from '../../shared/engine/job';
import type { EngineMessage } from '../../shared/engine/protocol';
import { unavailableEngine } from './fixtures/unavailable-engine';
import { createEngineSession } from './session';
import { serve } from './worker';

const explanation = { method: 'gradient' as const, target: { index: 0, label: '0' }, output: 0.5, baseValue: null, attributions: [1], shape: [1], forwardPasses: 1, elapsedSec: 0 };
const sanity = { method: 'gradient' as const, steps: [], flagged: false, threshold: 0.5, forwardPasses: 1, elapsedSec: 0 };
const ask = (runId: string, jobId?: string) => ({ runId, input: { kind: 'values' as const, values: [1] }, spec: { method: 'gradient' as const }, ...(jobId ? { jobId } : {}) });
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

/** A promise and its resolver. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/** A job that reports a step per macrotask until canceled (or `steps` steps). */
async function steps(job: JobContext, steps: number): Promise<void> {
  for (let i = 1; i <= steps; i++) {
    await new Promise((r) => setTimeout(r, 0));
    if (job.signal.aborted) throw new JobCanceledError();
    job.onProgress(i, steps);
  }
}

describe('engine session: one operation at a time per run', () => {
  it('a predict on a run waits while its sanity check has the weights swapped; other runs are not held up', async () => {
    const weights = { r1: 'trained', r2: 'trained' } as Record<string, string>;
    const inside = gate();
    const release = gate();
    const seen: string[] = [];
    const api: EngineApi = {
      ...unavailableEngine(),
      // As the real sanity check does: random weights while it runs, restored at the end.
      'explain.sanity': async (req) => {
        weights[req.runId] = 'random';
        inside.open();
        await release.opened;
        weights[req.runId] = 'trained';
        return sanity;
      },
      'engine.predict': async (req) => {
        seen.push(`${req.runId}:${weights[req.runId]}`);
        return { outputs: [[1]] };
      },
    };
    const session = createEngineSession(async () => api, () => undefined);
    const check = session.call('explain.sanity', ask('r1'));
    await inside.opened;
    const onR1 = session.call('engine.predict', { runId: 'r1', inputs: [[1]] });
    await session.call('engine.predict', { runId: 'r2', inputs: [[1]] });
    await turns();
    expect(seen).toEqual(['r2:trained']); // r1's predict is still waiting
    release.open();
    await Promise.all([check, onR1]);
    // Without the lock the predict would have run on the random weights ('r1:random').
    expect(seen).toEqual(['r2:trained', 'r1:trained']);
  });
});

describe('engine session: jobs', () => {
  const jobsApi = (calls: string[] = []): EngineApi => ({
    ...unavailableEngine(),
    'explain.run': async (req, job) => {
      calls.push(req.runId);
      await steps(job, req.runId.startsWith('hold') ? 1e9 : 3);
      return explanation;
    },
  });

  it('reports progress to the caller; a cancel fails the job with `canceled`; the next request works', async () => {
    const session = createEngineSession(async () => jobsApi(), () => undefined);
    const progress: JobProgress[] = [];
    const done = await session.call('explain.run', ask('r1'), { onProgress: (p) => progress.push(p) });
    expect(done).toEqual(explanation);
    expect(progress.at(-1)).toMatchObject({ jobId: expect.stringMatching(/^job-/), done: 3, total: 3, etaSec: 0 });

    const abort = new AbortController();
    const twice = gate();
    let reports = 0;
    const held = session.call('explain.run', ask('hold-1', 'j1'), {
      signal: abort.signal,
      onProgress: () => (++reports === 1 ? twice.open() : abort.abort()),
    });
    await twice.opened;
    // One job per id at a time.
    await expect(session.call('explain.run', ask('r2', 'j1'))).rejects.toMatchObject({ code: 'invalid-request', message: /job "j1" is already running/ });
    await expect(held).rejects.toMatchObject({ name: 'EngineError', code: 'canceled', message: 'explain.run was canceled' });
    await expect(session.call('explain.run', ask('r1', 'j1'))).resolves.toEqual(explanation); // an ended job's id can be used again
  });

  it('engine.cancel by id: ok for a running job, ok:false once ended, and a cancel that overtakes its job cancels it at start', async () => {
    const calls: string[] = [];
    const session = createEngineSession(async () => jobsApi(calls), () => undefined);
    const running = session.call('explain.run', ask('hold-2', 'j2'));
    await turns();
    expect(await session.call('engine.cancel', { jobId: 'j2' })).toEqual({ ok: true });
    await expect(running).rejects.toMatchObject({ code: 'canceled' });
    expect(await session.call('engine.cancel', { jobId: 'j2' })).toEqual({ ok: false });
    // The host may still be locating the run folder when the renderer cancels.
    expect(await session.call('engine.cancel', { jobId: 'j3' })).toEqual({ ok: true });
    await expect(session.call('explain.run', ask('r3', 'j3'))).rejects.toMatchObject({ code: 'canceled' });
    expect(calls).toEqual(['hold-2']); // the overtaken job never ran
  });

  it('a job waiting for its run leaves the queue as soon as it is canceled, without running', async () => {
    const calls: string[] = [];
    const session = createEngineSession(async () => jobsApi(calls), () => undefined);
    const first = session.call('explain.run', ask('hold-3', 'a'));
    await turns();
    const queued = session.call('explain.run', ask('hold-3', 'b'));
    await turns();
    await session.call('engine.cancel', { jobId: 'b' });
    await expect(queued).rejects.toMatchObject({ code: 'canceled' });
    await session.call('engine.cancel', { jobId: 'a' });
    await expect(first).rejects.toMatchObject({ code: 'canceled' });
    expect(calls).toEqual(['hold-3']);
  });

  it('in the engine process: progress messages carry the job id, and a cancel sent right after its call reaches it', async () => {
    const sent: EngineMessage[] = [];
    let deliver!: (m: unknown) => void;
    serve({ send: (m) => sent.push(m), onMessage: (l) => (deliver = l) }, async () => jobsApi());
    deliver({ kind: 'call', id: 1, op: 'explain.run', request: ask('r1', 'j1') });
    deliver({ kind: 'call', id: 2, op: 'explain.run', request: ask('hold-4', 'j2') });
    deliver({ kind: 'call', id: 3, op: 'engine.cancel', request: { jobId: 'j2' } });
    for (let i = 0; i < 200 && sent.filter((m) => m.kind === 'result').length < 3; i++) await turns(1);
    const results = Object.fromEntries(sent.flatMap((m) => (m.kind === 'result' ? [[m.id, m]] : [])));
    expect(results[1]).toMatchObject({ ok: true, value: explanation });
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'canceled' } });
    expect(results[3]).toMatchObject({ ok: true, value: { ok: true } });
    const progress = sent.flatMap((m) => (m.kind === 'progress' ? [m.progress] : []));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.jobId === 'j1')).toBe(true);
  });
});
