#!/usr/bin/env node
// Runs after `npm install` / `npm ci` in this project. npm 11 blocks dependencies' install scripts
// unless package.json `allowScripts` approves them. Electron's (which downloads the Electron binary)
// is deliberately NOT approved there, because a failed download would fail the whole install on
// machines without access to GitHub releases; it is run here instead, tolerantly:
//   - binary already present, or ELECTRON_SKIP_BINARY_DOWNLOAD set → nothing to do;
//   - download works → the desktop app is ready (`npm start`);
//   - download fails → explain, and keep going: `npm start` then serves Layerloom in web mode.
// @tensorflow/tfjs-node (optional, native TensorFlow) is approved in allowScripts: when its native
// library cannot be fetched npm drops it (it is optional) and training uses WebAssembly.
// This script never fails the install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const say = (m) => console.log(`layerloom: ${m}`);

function electronBinary() {
  try {
    const p = require('electron');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

function ensureElectron() {
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return say('electron is not installed (production install?): skipping the desktop binary.');
  if (electronBinary()) return say('Electron binary present: `npm start` opens the desktop app.');
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return say('ELECTRON_SKIP_BINARY_DOWNLOAD is set: the Electron binary was not downloaded; `npm start` will run Layerloom in web mode.');
  }
  say('downloading the Electron binary…');
  const r = spawnSync(process.execPath, [installer], { cwd: dirname(installer), stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8', timeout: 15 * 60_000 });
  if (r.status === 0 && electronBinary()) return say('Electron binary installed: `npm start` opens the desktop app.');
  const why = (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`).trim().split('\n')[0];
  say(`the Electron binary could not be downloaded (${why}).`);
  say('Layerloom still works: `npm start` serves it in your browser (web mode). To get the desktop app later, run');
  say('  node node_modules/electron/install.js   (or set ELECTRON_OVERRIDE_DIST_PATH to an existing Electron build)');
}

function reportTensorflow() {
  try {
    require.resolve('@tensorflow/tfjs-node');
    say('native TensorFlow (@tensorflow/tfjs-node) is installed.');
  } catch {
    say('native TensorFlow (@tensorflow/tfjs-node) is not installed: training uses the WebAssembly backend.');
  }
}

try {
  ensureElectron();
  reportTensorflow();
} catch (e) {
  say(`postinstall note: ${e?.message ?? e}`);
}
