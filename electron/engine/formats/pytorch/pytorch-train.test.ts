/**
 * The exported PyTorch train.py runs one epoch on a tiny slice of the document's own data (data.npz
 * written by the exporter), single-process and unchanged under torchrun --nproc_per_node=2 (DDP
 * with gloo on CPU), and saves weights that load back into the exported model.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePytorch } from './writer';
import { writeTrainingData } from '../data';
import { nodeWeights } from '../weights';
import { prepare, PY, templateCases, TEMPLATES_DIR } from '../test-cases';
import { needs } from '../../../../scripts/needs';

needs('torch', 'torch.distributed.run', 'numpy').describe('PyTorch train.py', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-pttrain-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // residual-block (CNN + BatchNorm, images) runs both ways; gru-model (token ids, explicit GRU) under torchrun only.
  it.each([['residual-block', true], ['gru-model', false]])('%s: one epoch single-process and/or under torchrun --nproc_per_node=2', async (name, single) => {
    const c = templateCases().find((x) => x.name === `template-${name}`)!;
    const dir = join(root, name);
    const p = prepare(c);
    try {
      await writePytorch(c.doc, nodeWeights(p.compiled), dir);
    } finally {
      p.compiled.model.dispose();
    }
    expect(await writeTrainingData(c.doc, dir, TEMPLATES_DIR)).toBe(join(dir, 'data.npz'));
    const env = { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' };
    if (single) {
      const one = execFileSync(PY, ['train.py', '--epochs', '1', '--limit', '64', '--resume'], { cwd: dir, encoding: 'utf8', env });
      expect(one).toMatch(/epoch 1\/1 loss=[0-9.]+ .*\(64 samples.*1 process\)/);
      rmSync(join(dir, 'trained.pt'));
    }
    // --redirects/--tee: torch 1.13's launcher cannot parse their default "0" on Python >= 3.11 (Debian's
    // python3-torch); "2" (stderr) is equivalent here. The script itself is unchanged.
    const ddp = execFileSync(PY, ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--redirects', '2', '--tee', '2',
      'train.py', '--epochs', '1', '--limit', '64'],
      { cwd: dir, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(ddp).toMatch(/epoch 1\/1 loss=[0-9.]+ .*2 processes\)/);
    const check = execFileSync(PY, ['-c', 'import torch; from model import Model; m = Model(); m.load_state_dict(torch.load("trained.pt")); print("loaded")'],
      { cwd: dir, encoding: 'utf8', env });
    expect(check.trim()).toBe('loaded');
  }, 300_000); // six Python processes import torch (~1.5 s CPU each): a loaded 2-core box took 150 s
});
