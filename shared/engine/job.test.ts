import { checkpoint, JobCanceledError, newJobId, progressReporter, type JobProgress } from './job';

describe('job progress', () => {
  it('leaves warm-up out of the ETA: the pace is measured from the first report of a phase', () => {
    const sent: JobProgress[] = [];
    let t = 0;
    const report = progressReporter('job-1', (p) => sent.push(p), { now: () => t, minIntervalMs: 100 });
    t = 5000; // 5 s of warm-up (loading, compiling) before the first step finished
    report(10, 100);
    t = 6000; // then 10 steps per second
    report(20, 100);
    t = 6050; // within 100 ms of the last report: not sent
    report(21, 100);
    t = 6060;
    report(100, 100); // the last report of a phase is always sent
    expect(sent).toEqual([
      { jobId: 'job-1', done: 10, total: 100 }, // no pace known yet
      { jobId: 'job-1', done: 20, total: 100, etaSec: 8 }, // 80 steps at 0.1 s (not 6 s / 20 steps × 80 = 24 s)
      { jobId: 'job-1', done: 100, total: 100, etaSec: 0 },
    ]);
  });

  it('starts a new pace when the phase changes (message, total, or done going back)', () => {
    const sent: JobProgress[] = [];
    let t = 0;
    const report = progressReporter('j', (p) => sent.push(p), { now: () => t, minIntervalMs: 0 });
    report(50, 50, 'Predicting the test split');
    t = 10_000;
    report(1, 1000, 'Bootstrap resamples');
    t = 10_500;
    report(101, 1000, 'Bootstrap resamples');
    expect(sent.map((p) => [p.message, p.etaSec])).toEqual([['Predicting the test split', 0], ['Bootstrap resamples', undefined], ['Bootstrap resamples', 0.005 * 899]]);
  });

  it('checkpoint: lets the event loop run, then throws when the job was canceled', async () => {
    const signal = { aborted: false };
    let ticked = false;
    setTimeout(() => (ticked = true), 0);
    for (let i = 0; i < 50 && !ticked; i++) {
      await checkpoint({ signal });
      const until = performance.now() + 30; // a step of work that holds the thread
      while (performance.now() < until);
    }
    expect(ticked).toBe(true);
    signal.aborted = true;
    await expect(checkpoint({ signal })).rejects.toBeInstanceOf(JobCanceledError);
    await expect(checkpoint({})).resolves.toBeUndefined();
    expect(newJobId()).toMatch(/^job-[0-9a-z]+-[0-9a-f]{6}$/);
  });
});
