#!/usr/bin/env node
// `npm test`: make sure the system tools the suites need are present (installing them with apt when
// running as root, otherwise saying exactly what is missing), then typecheck, lint and run every suite.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What the suites need from the system, and how to tell it is there. */
const NEEDS = [
  { apt: 'chromium', why: 'e2e tests drive the UI in Debian Chromium', ok: () => existsSync('/usr/bin/chromium') },
  { apt: 'python3-torch', why: 'PyTorch export parity tests', ok: () => py('import torch') },
  { apt: 'python3-h5py', why: 'Keras .weights.h5 layout checks', ok: () => py('import h5py') },
  { apt: 'python3-numpy', why: 'NumPy weight export checks', ok: () => py('import numpy') },
  { apt: 'python3-sklearn', why: 'fairness metrics are checked against scikit-learn', ok: () => py('import sklearn.metrics') },
  { apt: 'openssh-server', why: 'remote PyTorch runs are tested against a real sshd', ok: () => existsSync('/usr/sbin/sshd') },
  { apt: 'openssh-client', why: 'remote PyTorch runs use ssh and scp', ok: () => existsSync('/usr/bin/ssh') && existsSync('/usr/bin/scp') },
];

function py(code) {
  return spawnSync('/usr/bin/python3', ['-c', code], { stdio: 'ignore' }).status === 0;
}

function ensureSystemDeps() {
  const missing = NEEDS.filter((n) => !n.ok());
  if (!missing.length) return;
  const names = missing.map((m) => m.apt);
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canApt) {
    console.error('npm test needs these system packages, which are missing:');
    for (const m of missing) console.error(`  - ${m.apt}: ${m.why}`);
    console.error(`Install them with:  sudo apt-get install -y ${names.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing system packages for the tests: ${names.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...names], { stdio: 'inherit', env });
  const still = NEEDS.filter((n) => !n.ok());
  if (still.length) {
    console.error(`Still missing after apt-get: ${still.map((m) => m.apt).join(', ')}`);
    process.exit(1);
  }
}

function step(name, cmd, args) {
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } });
  if (r.status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

ensureSystemDeps();
const only = process.argv.slice(2);
step('typecheck', 'npx', ['tsc', '-p', '.']);
step('lint', 'npx', ['eslint', '.', '--max-warnings=0']);
step('unit, engine and parity tests', 'npx', ['vitest', 'run', '--project', 'node', '--project', 'renderer', ...only]);
step('end-to-end (Chromium, web mode)', 'npx', ['vitest', 'run', '--project', 'e2e', '--passWithNoTests', ...only]);
console.log('\n✔ all test stages passed');
