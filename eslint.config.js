// Import boundaries by runtime (the VS Code way): shared/ is pure TypeScript, renderer/ sees only
// shared/, electron/ may use Node. These rules are what keeps the folders honest.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'util', 'worker_threads', 'stream', 'events', 'zlib', 'module'];
// A regex on the whole specifier: gitignore-style patterns would also match our own
// `../engine/events` or a folder named `path`.
const nodeOnlyRegex = `^(node:.*|(${nodeBuiltins.join('|')})(/.*)?)$`;

export default tseslint.config(
  // simd/assembly is AssemblyScript (compiled by asc, scripts/build-wasm.mjs), not TypeScript.
  { ignores: ['node_modules/**', 'dist/**', 'release/**', 'e2e/output/**', '.vite/**', 'coverage/**', 'electron/engine/kernels/simd/assembly/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'shared/ must not import Electron.' },
          { group: ['react', 'react-dom', 'react/*', 'react-dom/*', '@xyflow/*', 'zustand', 'zustand/*', 'zundo'], message: 'shared/ must not import React or UI state.' },
          { group: ['@tensorflow/*'], message: 'shared/ must not import TensorFlow.js (engine only).' },
          { regex: nodeOnlyRegex, message: 'shared/ must not import Node-only modules.' },
          { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ is the spine: it imports nothing from electron/ or renderer/.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'require', 'Buffer'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'renderer/ talks to main only through window.api (preload).' },
          { group: ['@tensorflow/*'], message: 'renderer/ never runs TensorFlow.js: the engine does.' },
          { regex: nodeOnlyRegex, message: 'renderer/ is sandboxed: no Node modules.' },
          { group: ['**/electron/**'], message: 'renderer/ imports only shared/.' },
        ],
      }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/renderer/**', 'react', 'react-dom', '@xyflow/*'], message: 'electron/ must not import the renderer.' },
        ],
      }],
    },
  },
  {
    // The host layer (handlers, supervisor, files, settings) serves desktop and web mode alike; plain
    // Node utilities serve everyone. Only electron/desktop and electron/preload may use Electron.
    files: ['electron/host/**/*.ts', 'electron/node/**/*.ts', 'electron/web/**/*.ts', 'electron/cli/**/*.ts'],
    ignores: ['electron/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'Only electron/desktop and electron/preload may import Electron.' },
          { group: ['**/renderer/**', 'react', 'react-dom', '@xyflow/*'], message: 'electron/ must not import the renderer.' },
          { group: ['**/desktop/**'], message: 'The host, web mode and the CLI do not depend on the desktop app.' },
        ],
      }],
    },
  },
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'The engine is plain Node: it runs in the CLI and a child process too.' },
          { group: ['**/renderer/**'], message: 'electron/ must not import the renderer.' },
          { group: ['**/host/**', '**/desktop/**', '**/web/**', '**/cli/**'], message: 'The engine is called by the host, web mode and the CLI; it never calls them.' },
        ],
      }],
    },
  },
);
