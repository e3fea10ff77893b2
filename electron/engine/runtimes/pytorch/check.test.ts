/**
 * The runtime settings' "Check": a real interpreter with PyTorch reports its version; one without
 * PyTorch, or no interpreter at all, reports the cause and the install line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '../../../../scripts/needs';
import { PytorchRuntimeSchema } from '../../../../shared/runtime/options';
import { checkPytorchRuntime } from './check';
import { PY } from './test-support';

const runtime = (python: string) => PytorchRuntimeSchema.parse({ python });

needs('torch').describe('PyTorch runtime check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the PyTorch version of an interpreter that has it', async () => {
    const r = await checkPytorchRuntime(runtime(PY));
    expect(r).toMatchObject({ ok: true, python: PY });
    expect(r.torch).toMatch(/^\d+\.\d+/);
    expect(r.message).toContain(`PyTorch ${r.torch} with ${PY} on this computer`);
  }, 120_000);

  it('names a missing PyTorch with the install line for that interpreter', async () => {
    // An interpreter whose "import torch" fails (as when PyTorch is not installed).
    const fake = join(dir, 'python-without-torch');
    writeFileSync(fake, `#!/bin/sh\nexec ${PY} -c 'import sys; sys.modules["torch"] = None; exec(sys.argv[1])' "$2"\n`, { mode: 0o755 });
    const r = await checkPytorchRuntime(runtime(fake));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/PyTorch cannot be loaded by .*python-without-torch on this computer \(ModuleNotFoundError/);
    expect(r.install).toContain(`"${fake}" -m pip install torch numpy`);
  }, 120_000);

  it('names a missing interpreter', async () => {
    const r = await checkPytorchRuntime(runtime(join(dir, 'no-such-python')));
    expect(r).toMatchObject({ ok: false, python: '' });
    expect(r.message).toMatch(/No Python interpreter at ".*no-such-python" on this computer/);
  });
});
