/**
 * PyTorch parity: every layer example and every template, exported (model.py + weights.pt written
 * from Node) and run under /usr/bin/python3 with torch on a fixed input, weights.pt loaded with
 * torch.load(weights_only=True): every output equals the engine's within 1e-4 (max abs). One
 * Python process runs every case. The runner itself is shown to fail on NaN/Inf, a missing or
 * extra output and a wrong shape (doctored copies of one export).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeWeights } from '../weights';
import { writePytorch } from './writer';
import { allCases, extraCases, prepare, PY, type ParityCase } from '../test-cases';
import { needs } from '../../../../scripts/needs';

interface ManifestCase {
  dir: string;
  inputs: { file: string; shape: number[]; dtype: string }[];
  outputs: { file: string; shape: number[] }[];
}

/** Export one case to `dir` with its input and the engine's outputs beside it. */
async function exportCase(c: ParityCase, dir: string): Promise<ManifestCase> {
  const { compiled, inputs, outputs } = prepare(c);
  try {
    await writePytorch(c.doc, nodeWeights(compiled), dir);
  } finally {
    compiled.model.dispose();
  }
  const ins = inputs.map((x, i) => {
    const file = join(dir, `in${i}.bin`);
    writeFileSync(file, x.data);
    return { file, shape: x.shape, dtype: x.dtype };
  });
  const outs = outputs.map((y, i) => {
    const file = join(dir, `out${i}.bin`);
    writeFileSync(file, y.data);
    return { file, shape: y.shape };
  });
  return { dir, inputs: ins, outputs: outs };
}

/** Run pytorch_parity.py over the cases: {dir: max abs difference, or the error}. */
function runParity(root: string, cases: ManifestCase[]): Record<string, number | string> {
  const manifest = join(root, 'manifest.json');
  writeFileSync(manifest, JSON.stringify(cases));
  const out = execFileSync(PY, [join(import.meta.dirname, 'pytorch_parity.py'), manifest], {
    encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  return JSON.parse(out) as Record<string, number | string>;
}

/** model.py with its forward wrapped: `body` gets the model's outputs as `ys` (a tuple) and returns. */
const doctor = (body: string) => `

_exported_load_model = load_model


def load_model(*args, **kwargs):
    model = _exported_load_model(*args, **kwargs)
    forward = model.forward

    def doctored(*xs):
        ys = forward(*xs)
        ${body}

    model.forward = doctored
    return model
`;

/** Copies of one export whose forward is doctored (name → body of the doctored forward). */
const DOCTORED = {
  unchanged: 'return ys',
  nan: "ys[0].view(-1)[3] = float('nan')\n        return ys",
  inf: "ys[1].view(-1)[0] = float('-inf')\n        return ys",
  missing: 'return ys[0]',
  extra: 'return (*ys, ys[1])',
  shape: 'return (ys[0].unsqueeze(-1), ys[1])',
};

async function doctoredCases(root: string): Promise<ManifestCase[]> {
  // Two outputs, so that a dropped one leaves a model that still returns something.
  const c = extraCases().find((x) => x.name === 'extra-mha-qvk-two-outputs')!;
  const base = await exportCase(c, join(root, 'doctored-base'));
  return Object.entries(DOCTORED).map(([name, body]) => {
    const dir = join(root, `doctored-${name}`);
    cpSync(base.dir, dir, { recursive: true });
    appendFileSync(join(dir, 'model.py'), doctor(body));
    const moved = (f: string) => join(dir, f.slice(base.dir.length + 1));
    return { ...base, dir, inputs: base.inputs.map((x) => ({ ...x, file: moved(x.file) })), outputs: base.outputs.map((y) => ({ ...y, file: moved(y.file) })) };
  });
}

needs('torch', 'numpy').describe('PyTorch export parity', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-pt-'));
  const cases = allCases();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // One Python process (torch takes seconds to import) for the real and the doctored exports, run
  // by the first test that asks (not in a beforeAll, which would run before needs() says what is missing).
  let run: Promise<Record<string, number | string>> | undefined;
  const parity = () => (run ??= (async () => {
    const manifest: ManifestCase[] = [];
    for (const c of cases) manifest.push(await exportCase(c, join(root, c.name)));
    return runParity(root, [...manifest, ...(await doctoredCases(root))]);
  })());

  it('every layer example and template matches the engine within 1e-4', async () => {
    const results = await parity();
    const real = cases.map((c) => [c.name, results[join(root, c.name)]] as const);
    const failures = real.filter(([, v]) => typeof v !== 'number' || !(v < 1e-4)).map(([k, v]) => `${k}: ${v}`);
    expect(failures).toEqual([]);
    expect(Object.keys(results)).toHaveLength(cases.length + Object.keys(DOCTORED).length);
  }, 240_000);

  it('the parity runner fails on NaN, infinity, a missing or extra output and a wrong shape', async () => {
    const results = await parity();
    const at = (name: keyof typeof DOCTORED) => results[join(root, `doctored-${name}`)];
    expect(at('unchanged')).toBeLessThan(1e-4);
    expect(at('nan')).toMatch(/output 0 is not finite at \[.*\]: nan/);
    expect(at('inf')).toMatch(/output 1 is not finite at \[.*\]: -inf/);
    expect(at('missing')).toMatch(/1 outputs, the engine has 2/);
    expect(at('extra')).toMatch(/3 outputs, the engine has 2/);
    expect(at('shape')).toMatch(/output 0: shape \(2, 3, 4, 1\), the engine's is \(2, 3, 4\)/);
  }, 240_000);
});
