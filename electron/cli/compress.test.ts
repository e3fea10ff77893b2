import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressReportSchema } from '../../shared/compress';
import { parseDocument, serializeDocument, type LoomDocument } from '../../shared/document';
import type { CliIO } from './io';
import { runCli } from './main';

function fakeIO() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  return { io, out, err };
}

const model = (units: number): LoomDocument => ({
  format: 'layerloom.model', version: 1, name: 'tiny-bn',
  nodes: [
    { id: 'image', type: 'Input', params: { shape: [28, 28, 1] } },
    { id: 'conv', type: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' } },
    { id: 'bn', type: 'BatchNormalization', params: {} },
    { id: 'pool', type: 'MaxPooling2D', params: { poolSize: 4 } },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'hidden', type: 'Dense', params: { units, activation: 'relu' } },
    { id: 'digit', type: 'Dense', params: { units: 10, activation: 'softmax' } },
  ],
  edges: [['image', 'conv'], ['conv', 'bn'], ['bn', 'pool'], ['pool', 'flat'], ['flat', 'hidden'], ['hidden', 'digit']].map(([from, to]) => ({ from: from!, to: to! })),
  training: { optimizer: 'adam', learningRate: 0.003, momentum: 0, nesterov: false, loss: 'categoricalCrossentropy', metrics: ['accuracy'], batchSize: 32, epochs: 2, validationSplit: 0.1, shuffle: true, seed: 5, threads: 1 },
  dataset: { source: 'builtin', name: 'digits', limit: 400, testSplit: 0.02 },
});

describe('layerloom compress', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cli-compress-'));
  const file = join(dir, 'tiny.loom');
  const run = join(dir, 'run');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    writeFileSync(file, serializeDocument(model(12)));
    const f = fakeIO();
    const code = await runCli(['train', file, '--out', run, '--backend', 'wasm', '--json'], f.io);
    if (code !== 0) throw new Error(`training failed: ${f.err.join('\n')}`);
  }, 180_000);

  it('is listed in the usage', async () => {
    const f = fakeIO();
    expect(await runCli(['--help'], f.io)).toBe(0);
    expect(f.out.join('\n')).toMatch(/layerloom compress model\.loom --run RUN_DIR --method int8\|dynamic\|float16\|prune\|prune-channels/);
  });

  it('usage errors exit 2 and name the flag: a sparsity outside (0, 1) among them', async () => {
    const out = join(dir, 'never');
    const cases: [string[], RegExp][] = [
      [[], /no model file given/],
      [[file, '--method', 'int8', '--out', out], /--run is required/],
      [[file, '--run', run, '--method', 'int4', '--out', out], /--method must be int8, dynamic, float16, prune, prune-channels; got "int4"/],
      [[file, '--run', run, '--method', 'prune', '--sparsity', '1.5', '--out', out], /--sparsity must be a number in \(0, 1\), got "1\.5"/],
      [[file, '--run', run, '--method', 'prune', '--sparsity', '0', '--out', out], /--sparsity must be a number in \(0, 1\), got "0"/],
      [[file, '--run', run, '--method', 'int8', '--sparsity', '0.5', '--out', out], /--sparsity applies to prune and prune-channels, not int8/],
      [[file, '--run', run, '--method', 'prune', '--calibration', '100', '--out', out], /--calibration applies to int8, not prune/],
      [[file, '--run', run, '--method', 'int8', '--calibration', 'lots', '--out', out], /--calibration must be a whole number from 1 to 100000/],
      [[file, '--run', run, '--method', 'int8', '--percentile', '99', '--out', out], /--percentile needs --calibration-method percentile/],
      [[file, '--run', run, '--method', 'int8', '--out', out, '--frobnicate'], /unknown option --frobnicate/],
    ];
    for (const [args, message] of cases) {
      const f = fakeIO();
      expect({ args, code: await runCli(['compress', ...args], f.io) }).toEqual({ args, code: 2 });
      expect(f.err.join('\n')).toMatch(message);
      expect(f.err.join('\n')).toMatch(/usage: layerloom compress/);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('int8 --json (percentile calibration): one report on stdout; the BatchNormalization without an int8 path is named and kept float', async () => {
    const f = fakeIO();
    expect(await runCli(['compress', file, '--run', run, '--method', 'int8', '--calibration', '64', '--calibration-method', 'percentile', '--percentile', '99.9',
      '--latency-runs', '0', '--out', join(dir, 'int8'), '--json'], f.io)).toBe(0);
    expect(f.out).toHaveLength(1);
    const r = CompressReportSchema.parse(JSON.parse(f.out[0]!));
    expect(r.method).toBe('int8');
    expect(r.keptFloat.map((k) => k.nodeId)).toEqual(['bn']);
    expect(f.err).toEqual(['layerloom compress: warning: BatchNormalization "bn" kept in float: BatchNormalization has no int8 path in Layerloom: its weights and arithmetic stay float32']);
    expect(r.compression.options).toEqual({ calibrationSamples: 64, calibration: 'percentile', percentile: 99.9, activationDtype: 'uint8' });
    // Percentiles clip: the input's calibrated range is inside the data's [0, 1] (normalised pixels).
    const input = r.compression.activations!.find((a) => a.nodeId === 'image')!;
    expect(input.min).toBe(0);
    expect(input.max).toBeLessThanOrEqual(1);
    expect(r.agreement).toBeGreaterThan(0.9);
    expect(JSON.parse(readFileSync(join(dir, 'int8', 'run.json'), 'utf8')).compression.method).toBe('int8');
    const again = fakeIO();
    expect(await runCli(['compress', file, '--run', run, '--method', 'int8', '--out', join(dir, 'int8')], again.io)).toBe(1);
    expect(again.err.join('\n')).toMatch(/already holds a run: choose a new folder for the compressed run/);
  }, 120_000);

  it('prune-channels: the human table, and the smaller model written beside the new run', async () => {
    const f = fakeIO();
    const out = join(dir, 'channels');
    expect(await runCli(['compress', file, '--run', run, '--method', 'prune-channels', '--sparsity', '0.5', '--finetune-epochs', '1', '--latency-runs', '2', '--out', out], f.io)).toBe(0);
    const text = f.out.join('\n');
    expect(text).toMatch(/^The smaller model is in .*channels\.loom\nCompressed .* with prune-channels into .*channels \(test split: \d+ samples\)/);
    expect(text).toMatch(/\n {2}FLOPs\/sample +[\d,]+ +→ [\d,]+/);
    expect(text).toMatch(/\nAgreement with the original: \d+\.\d\d %/);
    const small = parseDocument(readFileSync(`${out}.loom`, 'utf8'));
    expect(small.ok).toBe(true);
    if (small.ok) expect(small.doc.nodes.find((n) => n.id === 'hidden')!.params.units).toBe(6);
  }, 120_000);

  it('a document that no longer matches the run\'s weights, or no run folder, exits 1 with a named error', async () => {
    const edited = join(dir, 'edited.loom');
    writeFileSync(edited, serializeDocument(model(24)));
    const a = fakeIO();
    expect(await runCli(['compress', edited, '--run', run, '--method', 'float16', '--out', join(dir, 'f16')], a.io)).toBe(1);
    expect(a.err.join('\n')).toMatch(/no longer matches the document: Dense "hidden" has units 24 in the document but 12 in the run/);
    const b = fakeIO();
    expect(await runCli(['compress', file, '--run', join(dir, 'nowhere'), '--method', 'float16', '--out', join(dir, 'f16')], b.io)).toBe(1);
    expect(b.err.join('\n')).toMatch(/is not a run folder \(no run\.json, model\.json or weights\.bin\)/);
    expect(existsSync(join(dir, 'f16'))).toBe(false);
  }, 60_000);
});
