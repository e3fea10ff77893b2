/**
 * Nothing is skipped quietly: suites declare what they need from the system (scripts/needs.ts).
 * Under `npm test` a missing requirement fails the tests that need it, naming what to install;
 * run by hand, those tests are skipped with a loud line on stderr; `npm test` counts skipped tests
 * and fails on any. And no test file skips on its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listBuiltins } from '../electron/engine/data';
import { NPM_TEST_ENV, missingRequirements } from './requirements.mjs';
import { notRun, stages } from './test.mjs';

const root = join(import.meta.dirname, '..');

/** The demo suite run in a child Vitest with Fashion-MNIST absent: statuses by test name, and stderr. */
function runDemo(npmTest: boolean) {
  const empty = mkdtempSync(join(tmpdir(), 'll-no-fashion-'));
  const report = join(empty, 'report.json');
  try {
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'scripts/fixtures/vitest.needs-demo.config.ts', '--reporter=json', `--outputFile.json=${report}`], {
      cwd: root, encoding: 'utf8', env: { ...process.env, LAYERLOOM_FASHION_MNIST_DIR: empty, [NPM_TEST_ENV]: npmTest ? '1' : '', FORCE_COLOR: '0' },
    });
    const json = JSON.parse(readFileSync(report, 'utf8'));
    const results = json.testResults.flatMap((f: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }) => f.assertionResults);
    return { exit: r.status, stderr: r.stderr, results, json };
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

describe('suites that need something from the system', () => {
  it('fail under npm test when it is missing, saying what to install', () => {
    const { exit, results } = runDemo(true);
    expect(exit).not.toBe(0);
    const byName = Object.fromEntries(results.map((r: { fullName: string; status: string; failureMessages: string[] }) => [r.fullName, r]));
    for (const name of ['a suite that needs the full Fashion-MNIST reads it', 'a test that needs the full Fashion-MNIST']) {
      expect(byName[name], name).toMatchObject({ status: 'failed', failureMessages: [expect.stringContaining('npm test needs fashion-mnist (Debian package dataset-fashion-mnist')] });
      expect(byName[name].failureMessages[0]).toContain('apt-get install -y dataset-fashion-mnist');
    }
    expect(byName['a test whose requirement is present']).toMatchObject({ status: 'passed' });
  }, 120_000);

  it('run by hand, are skipped with a loud message; npm test counts them as not run', () => {
    const { exit, stderr, results, json } = runDemo(false);
    expect(exit).toBe(0);
    expect(results.map((r: { status: string }) => r.status).sort()).toEqual(['passed', 'skipped', 'skipped']);
    expect(stderr).toContain('*** SKIPPED suite "a suite that needs the full Fashion-MNIST": missing fashion-mnist (Debian package dataset-fashion-mnist');
    expect(stderr).toContain('*** SKIPPED test "a test that needs the full Fashion-MNIST"');
    expect(notRun(json)).toEqual([
      expect.stringMatching(/needs-demo\.ts › a suite that needs the full Fashion-MNIST reads it \(skipped\)$/),
      expect.stringMatching(/needs-demo\.ts › a test that needs the full Fashion-MNIST \(skipped\)$/),
    ]);
  }, 120_000);

  it('the Fashion-MNIST requirement agrees with the engine about where the dataset is', () => {
    const engineHasIt = listBuiltins().find((b) => b.name === 'fashion-mnist-full')!.available;
    expect(missingRequirements(['fashion-mnist']).length === 0).toBe(engineHasIt);
  });
});

describe('npm test', () => {
  it('never passes an empty end-to-end stage (only a filter may leave it with nothing to run)', () => {
    const e2e = stages().find(([name]) => /end-to-end/.test(name))!;
    expect(e2e[2]).not.toContain('--passWithNoTests');
    expect(stages(['electron/web']).find(([name]) => /end-to-end/.test(name))![2]).toContain('--passWithNoTests');
  });

  it('no test file skips on its own: every skip goes through needs()', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        if (['node_modules', 'dist', '.vite', '.git', 'release', 'output'].includes(name)) continue;
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(test\.tsx?|ts|tsx|mjs)$/.test(name) && p !== join(root, 'scripts', 'needs.ts') && p !== join(root, 'scripts', 'needs.test.ts')) {
          const text = readFileSync(p, 'utf8');
          const m = /\b(describe|it|test)\.(skipIf|runIf|skip|todo)\b|\bctx\.skip\(|--passWithNoTests/.exec(text);
          if (m && !(p === join(root, 'scripts', 'test.mjs') && m[0] === '--passWithNoTests')) offenders.push(`${p.slice(root.length + 1)}: ${m[0]}`);
        }
      }
    };
    for (const d of ['electron', 'shared', 'renderer', 'scripts', 'e2e', 'bench']) walk(join(root, d));
    expect(offenders).toEqual([]);
  });
});
