/** Test helper: a valid compression answer (an int8 run of a 3-class image model), for contract and UI tests. */
import type { CompressRunResult } from './schema';

const figures = (accuracy: number, bytes: number) => ({ accuracy, loss: 0.2, bytes, gzipBytes: Math.round(bytes * 0.9), params: 1000, nonZero: 990, flops: 20_000, latencyMs: null });

export function sampleCompressResult(overrides: Partial<CompressRunResult['report']> = {}): CompressRunResult {
  const runId = 'compressed-20260101T000000-abcdef';
  return {
    report: {
      method: 'int8', runId, outDir: `/p/m.runs/${runId}`, from: { runId: 'run-1', runDir: '/p/m.runs/run-1' },
      before: figures(0.9, 4000), after: figures(0.85, 1030), agreement: 0.9,
      changed: [{ index: 7, label: 'b', before: 'b', after: 'a' }, { index: 12, label: 'c', before: 'c', after: 'a' }],
      changedTotal: 2,
      perClass: [
        { label: 'a', before: 0.9, after: 0.9, support: 10 },
        { label: 'b', before: 0.9, after: 0.9, support: 10 },
        { label: 'c', before: 0.9, after: 0.6, support: 10 },
      ],
      warnings: ['Class "c" lost 30.0 points of accuracy (90.0 % → 60.0 %, 10 samples) against 10.0 on average: compression hurt it much more than the other classes'],
      keptFloat: [],
      compression: { method: 'int8', from: { runId: 'run-1' }, options: { calibrationSamples: 500 }, weightsNote: 'dequantized float32' },
      testSamples: 20,
      ...overrides,
    },
    run: { runId, createdAt: '2026-01-01T00:00:00.000Z' },
    samples: [{ index: 7, shape: [2, 2, 1], values: [0, 1, 1, 0] }],
  };
}
