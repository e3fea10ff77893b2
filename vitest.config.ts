import { defineConfig } from 'vitest/config';

// One runner, two environments: pure/Node code runs in node, React components in jsdom.
// e2e (Playwright) and parity suites run under the node project too; they are slow but lean.
export default defineConfig({
  test: {
    globals: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['renderer/test-setup.ts'],
        },
      },
      {
        // Real browser journeys (Playwright + Debian Chromium against web mode). Run after unit tests.
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.test.ts'],
          // The journeys run against the production build: made fresh once before them.
          globalSetup: ['e2e/global-setup.ts'],
          testTimeout: 300_000,
          fileParallelism: false,
          // expect.poll gives up after 1 s by default, shorter than a loaded Chromium may take to show
          // the result of a click; 30 s is Playwright's own default for a locator wait.
          expect: { poll: { timeout: 30_000 } },
        },
      },
    ],
  },
});
