// What the test suites need from the system, declared once: `npm test` (scripts/test.mjs) installs
// what is missing (apt, as root) or stops; the suites ask here before using any of it
// (scripts/needs.ts), so that under `npm test` nothing is skipped, and a single suite run by hand
// says loudly what it skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Set by `npm test`: every suite must run, so a missing requirement fails instead of skipping. */
export const NPM_TEST_ENV = 'LAYERLOOM_NPM_TEST';

const py = (code) => spawnSync('/usr/bin/python3', ['-c', code], { stdio: 'ignore' }).status === 0;
/** Debian's dataset-fashion-mnist (the engine reads it from there: electron/engine/data/builtins.ts). */
const fashionDir = () => process.env.LAYERLOOM_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

/** Where third-party model files are looked for, in order (the first that exists). */
export function realworldModelsCandidates(env = process.env) {
  if (env.LAYERLOOM_REALWORLD_MODELS) return [env.LAYERLOOM_REALWORLD_MODELS];
  return [join(import.meta.dirname, '..', '..', 'shared', 'realworld-models'), '/work/shared/realworld-models'];
}
/**
 * The folder of third-party model files (kept outside the project: their licences vary, so they are
 * never copied into it): $LAYERLOOM_REALWORLD_MODELS when set (only there), else
 * ../shared/realworld-models beside the repository (where CI has it), else
 * /work/shared/realworld-models (worktrees sit deeper). The first candidate when none exists.
 */
export function realworldModelsDir(env = process.env) {
  const all = realworldModelsCandidates(env);
  return all.find((d) => existsSync(join(d, 'README.md'))) ?? all[0];
}

// `apt`: the Debian package npm test installs; `get`: how to obtain what no package provides.
export const REQUIREMENTS = {
  chromium: { apt: 'chromium', why: 'the end-to-end tests drive the UI in Debian Chromium', present: () => existsSync('/usr/bin/chromium') },
  torch: { apt: 'python3-torch', why: 'PyTorch export parity tests', present: () => py('import torch') },
  'torch.distributed.run': { apt: 'python3-torch', why: 'the exported train.py under torchrun', present: () => py('import torch.distributed.run') },
  h5py: { apt: 'python3-h5py', why: 'Keras .weights.h5 layout checks', present: () => py('import h5py') },
  onnx: { apt: 'python3-onnx', why: 'ONNX exports are validated with onnx.checker (full_check)', present: () => py('import onnx.checker') },
  numpy: { apt: 'python3-numpy', why: 'NumPy weight export checks', present: () => py('import numpy') },
  sshd: { apt: 'openssh-server', why: 'remote PyTorch runs are tested against a real sshd', present: () => existsSync('/usr/sbin/sshd') },
  ssh: { apt: 'openssh-client', why: 'remote PyTorch runs use ssh and scp', present: () => existsSync('/usr/bin/ssh') && existsSync('/usr/bin/scp') },
  sklearn: { apt: 'python3-sklearn', why: 'fairness metrics are checked against scikit-learn', present: () => py('import sklearn.metrics') },
  'realworld-models': {
    get: `put the folder of third-party model files at ../shared/realworld-models beside the repository, or set LAYERLOOM_REALWORLD_MODELS to it (looked for: ${realworldModelsCandidates().join(', ')})`,
    why: 'the importer is tested on model files other people made with the real libraries',
    present: () => existsSync(join(realworldModelsDir(), 'README.md')),
  },
  'fashion-mnist': { apt: 'dataset-fashion-mnist', why: 'the full Fashion-MNIST built-in dataset', present: () => existsSync(join(fashionDir(), 'train-images-idx3-ubyte.gz')) },
};

const seen = new Map();
/** The requirements among `names` that are not on this machine (each checked once per process). */
export function missingRequirements(names) {
  return names.filter((n) => {
    if (!seen.has(n)) seen.set(n, REQUIREMENTS[n].present());
    return !seen.get(n);
  }).map((n) => ({ name: n, ...REQUIREMENTS[n] }));
}

export function underNpmTest(env = process.env) {
  return env[NPM_TEST_ENV] === '1';
}
