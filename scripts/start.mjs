#!/usr/bin/env node
// `npm start` / `npm run dev`: the desktop app when Electron can run here; otherwise web mode,
// saying why, and printing the URL to open. Never a bare crash.
//
//   npm start                    build if needed, then Electron (or web mode, serving the production build)
//   npm run dev                  Electron on the Vite dev server (or web mode through Vite's dev middleware)
//   npm start -- --web           web mode even where Electron is available
//   npm start -- --port 8080     any option after the flags above goes to web mode (see npm run web -- --help)
import { spawn } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rendererIsFresh } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
/** npm runs scripts from the package folder; paths the person typed are relative to where they were. */
const userCwd = process.env.INIT_CWD || process.cwd();

/** Can Electron run here? { ok: true, path } or { ok: false, reason }. */
export function electronStatus(env = process.env, platform = process.platform) {
  let path;
  try {
    path = require('electron'); // the binary's path; throws when the download never happened
  } catch (e) {
    const skipped = env.ELECTRON_SKIP_BINARY_DOWNLOAD ? ' (ELECTRON_SKIP_BINARY_DOWNLOAD is set)' : '';
    const notInstalled = /Cannot find module/.test(e?.message ?? '');
    return {
      ok: false,
      reason: notInstalled ? 'the electron package is not installed' : `its binary was not downloaded${skipped}`,
    };
  }
  if (typeof path !== 'string' || !existsSync(path)) return { ok: false, reason: `its binary is missing (${path})` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { ok: false, reason: 'there is no display (DISPLAY/WAYLAND_DISPLAY are not set)' };
  return { ok: true, path };
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when dist/ is missing or older than the sources. */
export function needsBuild() {
  const main = join(root, 'dist', 'electron', 'main.cjs');
  if (!existsSync(main) || !rendererIsFresh()) return true;
  const built = statSync(main).mtimeMs;
  return ['electron', 'shared'].some((d) => existsSync(join(root, d)) && newestMtime(join(root, d)) > built);
}

function run(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  child.on('error', (e) => {
    console.error(`could not start ${cmd}: ${e.message}`);
    process.exit(1);
  });
  return child;
}

function startWeb(args, dev) {
  // Web mode runs the TypeScript server through tsx (a dependency). Model files given on the command
  // line cannot be pushed into a browser page: serve their folder as the project and say so.
  const models = args.filter((a) => a.toLowerCase().endsWith('.loom'));
  const webArgs = args.filter((a) => !a.toLowerCase().endsWith('.loom'));
  if (models.length) {
    // The page opens them when it loads; their folder becomes the project folder.
    if (!webArgs.includes('--project')) webArgs.push('--project', dirname(resolve(userCwd, models[0])));
    webArgs.push(...models.map((m) => resolve(userCwd, m)));
  }
  if (dev && !webArgs.includes('--static')) webArgs.push('--dev');
  return run(process.execPath, ['--import', 'tsx', join(root, 'electron', 'web', 'server.ts'), ...webArgs]);
}

async function main(argv) {
  const dev = argv.includes('--dev');
  const forceWeb = argv.includes('--web');
  const rest = argv.filter((a) => a !== '--dev' && a !== '--web');
  const status = forceWeb ? { ok: false, reason: 'web mode was asked for (--web)' } : electronStatus();
  if (!status.ok) {
    if (!forceWeb) console.log(`Electron is not available on this machine (${status.reason}); starting Layerloom in web mode instead.`);
    return startWeb(rest, dev);
  }

  const { buildElectron, buildRenderer } = await import('./build.mjs');
  const env = { ...process.env };
  if (dev) {
    await buildElectron({ quiet: true });
    const { createServer } = await import('vite');
    const vite = await createServer({ configFile: join(root, 'vite.config.ts'), root: join(root, 'renderer'), server: { port: 0, host: '127.0.0.1', strictPort: false } });
    await vite.listen();
    const url = vite.resolvedUrls?.local?.[0];
    if (!url) throw new Error('the Vite dev server did not report its URL');
    env.LAYERLOOM_DEV_URL = url;
    console.log(`renderer dev server: ${url}`);
    process.on('exit', () => void vite.close());
  } else if (needsBuild()) {
    console.log('Building Layerloom (dist/ is missing or older than the sources)…');
    await buildElectron({ quiet: true });
    await buildRenderer({ progress: true });
  }
  delete env.ELECTRON_RUN_AS_NODE;
  // If Electron dies right away (missing system libraries, no usable display...), fall back to web mode.
  const startedAt = Date.now();
  const child = spawn(status.path, [root, ...rest.filter((a) => a.endsWith('.loom')).map((a) => resolve(userCwd, a))], { stdio: 'inherit', cwd: root, env });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (e) => {
    console.log(`Electron could not be started (${e.message}); starting Layerloom in web mode instead.`);
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    startWeb(rest, dev);
  });
  child.on('exit', (code, signal) => {
    if (code && Date.now() - startedAt < 10_000) {
      console.log(`Electron exited right after starting (exit code ${code}); starting Layerloom in web mode instead.`);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      startWeb(rest, dev);
      return;
    }
    process.exit(code ?? (signal ? 1 : 0));
  });
  return child;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`Layerloom could not start: ${e?.message ?? e}`);
    process.exit(1);
  });
}

