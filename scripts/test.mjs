#!/usr/bin/env node
// `npm test`: make sure the system packages the suites need are present (installing them with apt
// when running as root, otherwise saying exactly what is missing and stopping), then typecheck,
// lint and run every suite. Under `npm test` nothing is skipped: the suites see NPM_TEST_ENV and
// fail where a requirement is missing (scripts/needs.ts), and any skipped test fails the run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NPM_TEST_ENV, REQUIREMENTS, missingRequirements } from './requirements.mjs';

function ensureSystemDeps() {
  const all = Object.keys(REQUIREMENTS);
  const missing = missingRequirements(all);
  if (!missing.length) return;
  const unpackaged = missing.filter((m) => !m.apt);
  if (unpackaged.length) {
    console.error('npm test needs these, which no package provides and which are missing:');
    for (const m of unpackaged) console.error(`  - ${m.name} (${m.why}): ${m.get}`);
    process.exit(1);
  }
  const names = [...new Set(missing.map((m) => m.apt))];
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
  // Checked again in a fresh process (this one remembers the first answers).
  const still = spawnSync(process.execPath, ['-e', `import('${pathToFileURL(join(import.meta.dirname, 'requirements.mjs')).href}').then((m) => { const s = m.missingRequirements(${JSON.stringify(all)}); console.log(s.map((x) => x.name).join(', ')); process.exit(s.length ? 1 : 0); })`], { encoding: 'utf8' });
  if (still.status !== 0) {
    console.error(`Still missing after apt-get: ${still.stdout.trim()}`);
    process.exit(1);
  }
}

/** The tests a Vitest JSON report counts as not run (skipped, todo), as "file › name". */
export function notRun(report) {
  return report.testResults.flatMap((f) => f.assertionResults
    .filter((a) => a.status !== 'passed' && a.status !== 'failed')
    .map((a) => `${f.name.replace(`${process.cwd()}/`, '')} › ${a.fullName ?? a.title} (${a.status})`));
}

let reports = '';
const skipped = [];

function step(name, cmd, args, { report } = {}) {
  console.log(`\n▶ ${name}`);
  const out = report ? join(reports, `${report}.json`) : null;
  const r = spawnSync(cmd, out ? [...args, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`] : args, {
    stdio: 'inherit',
    env: { ...process.env, [NPM_TEST_ENV]: '1', FORCE_COLOR: process.env.CI ? '0' : '1' },
  });
  if (out && existsSync(out)) skipped.push(...notRun(JSON.parse(readFileSync(out, 'utf8'))));
  if (r.status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

/** The stages of `npm test [-- filters]`: [name, command, args, Vitest report name]. */
export function stages(only = []) {
  return [
    ['typecheck', 'npx', ['tsc', '-p', '.']],
    ['lint', 'npx', ['eslint', '.', '--max-warnings=0']],
    ['unit, engine and parity tests', 'npx', ['vitest', 'run', '--project', 'node', '--project', 'renderer', ...only], 'unit'],
    // A filter (npm test -- some/file) may leave the e2e stage with nothing to run; without one, an
    // empty e2e stage is a broken suite, not a pass.
    ['end-to-end (Chromium, web mode)', 'npx', ['vitest', 'run', '--project', 'e2e', ...(only.length ? ['--passWithNoTests', ...only] : [])], 'e2e'],
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureSystemDeps();
  reports = mkdtempSync(join(tmpdir(), 'layerloom-test-'));
  for (const [name, cmd, args, report] of stages(process.argv.slice(2))) step(name, cmd, args, { report });
  rmSync(reports, { recursive: true, force: true });
  console.log(`\nSkipped tests: ${skipped.length}`);
  if (skipped.length) {
    for (const s of skipped) console.error(`  - ${s}`);
    console.error('✖ npm test runs every test: remove the skip, or make the test need its requirement (scripts/needs.ts)');
    process.exit(1);
  }
  console.log('✔ all test stages passed');
}
