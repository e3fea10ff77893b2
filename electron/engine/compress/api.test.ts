/**
 * `compress.run` through the engine session, as the host calls it: progress by stage, the new run
 * held by the engine like any other (an int8 run evaluates through its simulated arithmetic, so
 * Evaluate gives the report's figures), the changed samples' images, a source held only in memory,
 * and a cancel that leaves no run folder behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../shared/analysis';
import { COMPRESS_THUMBNAILS, CompressionRecordSchema, estimateCompression } from '../../../shared/compress';
import { EngineError } from '../../../shared/engine/api';
import type { JobProgress } from '../../../shared/engine/job';
import { engineApi } from '../api';
import { initBackend } from '../backend';
import { loadRun } from '../persist';
import { disposeRun, getRun } from '../runs';
import { createEngineSession } from '../session';
import { tinyDigits, trainTiny } from './test-fixtures';

describe('compress.run (engine operation)', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-compress-op-'));
  const source = join(root, 'source');
  const session = createEngineSession(async () => engineApi, () => undefined);
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeAll(async () => {
    await initBackend('wasm');
    await trainTiny(source);
  }, 240_000);

  it('int8: reports progress by stage; the new run is held and evaluates to the report\'s figures; changed samples come with their images', async () => {
    const progress: JobProgress[] = [];
    const outDir = join(root, 'compressed-int8');
    const r = await session.call('compress.run', { runId: 'tiny', runDir: source, outDir, method: 'int8', calibration: { samples: 96 }, latencyRuns: 0 },
      { onProgress: (p) => progress.push(p) });
    expect(r.run.runId).toBe('compressed-int8');
    expect(r.report.from).toEqual({ runId: 'tiny', runDir: source });
    expect(new Set(progress.map((p) => p.message))).toEqual(new Set(['Measuring before and after', 'Calibrating activation ranges']));
    expect(progress.every((p) => p.total === 1000 && p.done <= 1000)).toBe(true);
    // The tab's estimate, made from the document alone, is the measured size to the byte.
    expect(estimateCompression(tinyDigits, 'int8')).toMatchObject({ bytesBefore: r.report.before.bytes, bytesAfter: r.report.after.bytes, flopsAfter: r.report.after.flops });
    expect(estimateCompression(tinyDigits, 'dynamic').bytesAfter).toBe(r.report.after.bytes - 4 * (6 + 16 + 10));

    // Evaluate goes through the quantization points: the loss equals the report's to float precision…
    const ev = await session.call('engine.evaluate', { runId: r.run.runId });
    expect(ev.logs.accuracy).toBeCloseTo(r.report.after.accuracy!, 6);
    expect(ev.logs.loss).toBeCloseTo(r.report.after.loss, 5);
    // …and without them (the dequantized weights in float arithmetic) it would not.
    const held = getRun(r.run.runId);
    const simulated = held.forward;
    held.forward = undefined;
    const floatEv = await session.call('engine.evaluate', { runId: r.run.runId });
    held.forward = simulated;
    expect(Math.abs(floatEv.logs.loss! - r.report.after.loss)).toBeGreaterThan(1e-5);

    expect(r.report.changed.length, 'the tiny model changes some predictions at int8').toBeGreaterThan(0);
    expect(r.samples).toHaveLength(Math.min(r.report.changed.length, COMPRESS_THUMBNAILS));
    expect(r.samples.map((s) => s.index)).toEqual(r.report.changed.slice(0, COMPRESS_THUMBNAILS).map((c) => c.index));
    for (const s of r.samples) {
      expect(s.shape).toEqual([28, 28, 1]);
      expect(s.values).toHaveLength(784);
      expect(Math.max(...s.values)).toBeGreaterThan(0);
    }
  }, 240_000);

  it('a source held only in memory is compressed too, and its record names no folder', async () => {
    await loadRun(source, 'held');
    const outDir = join(root, 'compressed-channels');
    const r = await session.call('compress.run', { runId: 'held', outDir, method: 'prune-channels', finetuneEpochs: 0, latencyRuns: 0 });
    disposeRun('held');
    expect(r.report.from).toEqual({ runId: 'held' });
    const record = JSON.parse(readFileSync(join(outDir, 'run.json'), 'utf8')) as { compression: unknown; doc: typeof tinyDigits };
    expect(CompressionRecordSchema.parse(record.compression).from).toEqual({ runId: 'held' });
    expect(record.doc.nodes.find((n) => n.id === 'l0')!.params.filters).toBe(3);
    expect(r.report.document?.nodes.find((n) => n.id === 'l0')!.params.filters).toBe(3);
    // The tab's estimate gives the engine's smaller model: same widths, FLOPs and parameters.
    const est = estimateCompression(tinyDigits, 'prune-channels');
    expect(est.channels).toEqual(r.report.compression.channels);
    expect([est.flopsAfter, est.paramsAfter]).toEqual([analyze(r.report.document!).flops, r.report.after.params]);
    expect(est.flopsAfter).toBe(r.report.after.flops);
    await expect(session.call('engine.evaluate', { runId: r.run.runId })).resolves.toMatchObject({ samples: r.report.testSamples });
  }, 240_000);

  it('a cancel during fine-tuning fails it with `canceled` and writes no run folder', async () => {
    const outDir = join(root, 'compressed-canceled');
    const stop = new AbortController();
    const call = session.call('compress.run', { runId: 'tiny', runDir: source, outDir, method: 'prune', finetuneEpochs: 20, latencyRuns: 0 },
      { signal: stop.signal, onProgress: (p) => { if (p.message === 'Fine-tuning' && p.done > 0) stop.abort(); } });
    const e = await call.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe('canceled');
    expect(existsSync(outDir)).toBe(false);
  }, 240_000);
});
