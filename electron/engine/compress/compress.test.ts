/**
 * compress(request) end to end on a tiny CNN trained on the built-in digits: every method writes a run
 * folder that loads like any other, with the report's figures consistent with what was written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressReportSchema, type CompressReport } from '../../../shared/compress';
import { initBackend } from '../backend';
import { loadRun } from '../persist';
import { disposeRun, getRun } from '../runs';
import { compress, CompressError } from './index';
import { readNodeWeights } from './layers';
import { tinyDigits, trainTiny } from './test-fixtures';

describe('compress()', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-compress-'));
  const source = join(root, 'source');
  const reports: Partial<Record<CompressReport['method'], CompressReport>> = {};
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeAll(async () => {
    await initBackend('wasm');
    await trainTiny(source);
  }, 240_000);

  it('int8: ~4x smaller, calibrated points recorded, most predictions unchanged; the new run loads', async () => {
    const r = CompressReportSchema.parse(await compress({ runDir: source, outDir: join(root, 'int8'), method: 'int8', calibration: { samples: 96 }, latencyRuns: 3 }));
    reports.int8 = r;
    expect(r.testSamples).toBe(400);
    expect(r.before.accuracy).toBeGreaterThan(0.5);
    expect(r.before.bytes).toBe(4 * r.before.params);
    // int8 kernels (1 byte + a float32 scale per channel), int32 biases (4 bytes + a scale per channel)
    const int8Bytes = [[54, 6], [294 * 16, 16], [160, 10]].reduce((a, [n, c]) => a + n! + 4 * c! + 8 * c!, 0);
    expect(r.after.bytes).toBe(int8Bytes);
    expect(r.before.bytes / r.after.bytes).toBeGreaterThan(3.3);
    expect(r.agreement).toBeGreaterThan(0.95);
    expect(r.changedTotal).toBe(Math.round((1 - r.agreement!) * 400));
    expect(r.changed).toHaveLength(r.changedTotal);
    expect(r.perClass.map((c) => c.label)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(r.after.latencyMs).toBeNull();
    expect(r.compression.activations!.map((p) => p.nodeId)).toEqual(['in', 'l0', 'l3']);
    const record = JSON.parse(readFileSync(join(root, 'int8', 'run.json'), 'utf8'));
    expect(record.compression.from.runId).toBe('tiny');
    expect(record.runId).toBe('int8');
    await loadRun(join(root, 'int8'), 'int8-loaded');
    // The saved weights are the dequantized int8 values: each kernel column has at most 255 levels.
    const k = readNodeWeights(getRun('int8-loaded').compiled).l3!.kernel!;
    const col0 = new Set(Array.from(k.values).filter((_, i) => i % 16 === 0));
    expect(col0.size).toBeLessThanOrEqual(255);
    disposeRun('int8-loaded');
  }, 120_000);

  it('dynamic and float16: weights only; float16 halves the bytes and keeps nearly every prediction', async () => {
    const d = await compress({ runDir: source, outDir: join(root, 'dyn'), method: 'dynamic', latencyRuns: 0 });
    expect(d.compression.activations).toBeUndefined();
    expect(d.before.bytes / d.after.bytes).toBeGreaterThan(3.5);
    const h = await compress({ runDir: source, outDir: join(root, 'f16'), method: 'float16', latencyRuns: 0 });
    expect(h.after.bytes * 2).toBe(h.before.bytes);
    expect(h.agreement).toBeGreaterThan(0.99);
  }, 120_000);

  it('prune: the target sparsity of every kernel, zeros on disk, gzip smaller than the dense file', async () => {
    const r = await compress({ runDir: source, outDir: join(root, 'prune'), method: 'prune', sparsity: 0.8, finetuneEpochs: 1, latencyRuns: 0 });
    expect(r.compression.sparsity!.map((s) => [s.nodeId, s.weight, s.sparsity])).toEqual([['l0', 54], ['l3', 294 * 16], ['l4', 160]].map(([id, n]) => [id, 'kernel', Math.round(0.8 * (n as number)) / (n as number)]));
    const kernels = 54 + 294 * 16 + 160;
    expect(r.before.nonZero - r.after.nonZero).toBeGreaterThanOrEqual(Math.round(0.8 * kernels) - 2);
    expect(r.after.gzipBytes).toBeLessThan(0.6 * r.before.gzipBytes);
    expect(r.after.bytes).toBe(r.before.bytes);
    const record = JSON.parse(readFileSync(join(root, 'prune', 'run.json'), 'utf8'));
    expect(record.history).toHaveLength(1);
    expect(record.epochsCompleted).toBe(1);
  }, 120_000);

  it('prune-channels: a smaller document, fewer FLOPs and parameters, written as the run\'s snapshot', async () => {
    const r = await compress({ runDir: source, outDir: join(root, 'chan'), method: 'prune-channels', sparsity: 0.5, finetuneEpochs: 1, latencyRuns: 2 });
    expect(r.compression.channels).toEqual([{ nodeId: 'l0', param: 'filters', before: 6, after: 3 }, { nodeId: 'l3', param: 'units', before: 16, after: 8 }]);
    expect(r.after.flops).toBeLessThan(0.6 * r.before.flops);
    expect(r.after.params).toBeLessThan(0.6 * r.before.params);
    expect(r.document!.nodes.find((n) => n.id === 'l0')!.params.filters).toBe(3);
    expect(r.after.latencyMs).not.toBeNull();
    const saved = await loadRun(join(root, 'chan'), 'chan-loaded');
    expect(saved.doc.nodes.find((n) => n.id === 'l3')!.params.units).toBe(8);
    disposeRun('chan-loaded');
  }, 120_000);

  it('named errors: a document that no longer matches the run, a sparsity outside (0, 1), unreadable weights', async () => {
    const edited = { ...tinyDigits, nodes: tinyDigits.nodes.map((n) => (n.id === 'l3' ? { ...n, params: { ...n.params, units: 32 } } : n)) };
    await expect(compress({ runDir: source, outDir: join(root, 'x'), method: 'int8' }, { doc: edited }))
      .rejects.toThrow(/no longer matches the document: Dense "l3" has units 32 in the document but 16 in the run/);
    await expect(compress({ runDir: source, outDir: join(root, 'x'), method: 'prune', sparsity: 1.2 })).rejects.toThrow(/sparsity: the sparsity must be below 1/);
    const broken = join(root, 'broken');
    await compress({ runDir: source, outDir: broken, method: 'float16', latencyRuns: 0 });
    writeFileSync(join(broken, 'weights.bin'), Buffer.alloc(100));
    const e = await compress({ runDir: broken, outDir: join(root, 'x'), method: 'int8' }).catch((err) => err);
    expect(e).toBeInstanceOf(CompressError);
    expect(e.message).toMatch(/^Cannot load the run in .*broken/);
    expect(existsSync(join(root, 'x'))).toBe(false);
    await expect(compress({ runDir: source, outDir: source, method: 'float16' })).rejects.toThrow(/source already holds a run: choose a new folder/);
  }, 120_000);
});
