/**
 * Cross-framework parity of the explanations (test-only helper): export a run to PyTorch (model.py +
 * weights.pt), compute the same attributions there with autograd and hooks (torch_explain.py), and
 * compare with the engine's. Debian's python3-torch is required: a missing torch fails the test.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePytorch } from '../formats/pytorch/writer';
import { nodeWeights } from '../formats/weights';
import type { TrainedRun } from '../runs';

export type TorchTask =
  | { kind: 'gradient'; target: number }
  | { kind: 'ig'; target: number; baseline: Float32Array; alphas: number[]; weights: number[] }
  | { kind: 'gradcam'; target: number; module: string; relu: boolean }
  | { kind: 'occlusion'; target: number; baseline: Float32Array; window: number[]; stride: number[] };

export interface TorchCase {
  name: string;
  run: TrainedRun;
  x: Float32Array;
  tasks: TorchTask[];
}

/** Each case's task results (flat, input order), computed by PyTorch in one Python process. */
export async function torchAttributions(root: string, cases: TorchCase[]): Promise<number[][][]> {
  const manifest = [];
  for (const c of cases) {
    const dir = join(root, c.name);
    await writePytorch(c.run.record.doc, nodeWeights(c.run.compiled), dir);
    const file = (name: string, data: Float32Array) => {
      const f = join(dir, `${name}.bin`);
      writeFileSync(f, data);
      return f;
    };
    const norm = c.run.normalization ?? { offset: [0], scale: [1] };
    manifest.push({
      dir, shape: c.run.compiled.inputShapes[0], x: file('x', c.x), norm: { offset: norm.offset, scale: norm.scale },
      tasks: c.tasks.map((t, i) => ('baseline' in t ? { ...t, baseline: file(`baseline${i}`, t.baseline) } : t)),
    });
  }
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest));
  const out = execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'torch_explain.py'), join(root, 'manifest.json')], {
    encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  const results = JSON.parse(out) as Record<string, number[][] | string>;
  return manifest.map((m) => {
    const r = results[m.dir];
    if (typeof r === 'string' || !r) throw new Error(`PyTorch failed on ${m.dir}: ${r}`);
    return r;
  });
}

/** max |a − b| over the map, relative to the reference's largest magnitude (NaN and length mismatches fail). */
export function parityError(engine: ArrayLike<number>, torch: number[]): { abs: number; rel: number; scale: number } {
  if (engine.length !== torch.length) return { abs: Infinity, rel: Infinity, scale: 0 };
  let abs = 0, scale = 0;
  for (let i = 0; i < torch.length; i++) {
    const d = Math.abs(engine[i]! - torch[i]!);
    abs = Number.isNaN(d) ? Infinity : Math.max(abs, d);
    scale = Math.max(scale, Math.abs(torch[i]!));
  }
  return { abs, rel: scale > 0 ? abs / scale : abs, scale };
}
