#!/usr/bin/env node
// `npm run build`: bundles the desktop app into dist/.
//   dist/electron/main.cjs           Electron main (CommonJS; npm packages stay external)
//   dist/electron/preload.cjs        the preload, fully bundled (sandboxed preloads cannot import)
//   dist/electron/engine-worker.mjs  the engine process (utilityProcess; ESM, because some engine
//                                    dependencies, e.g. h5wasm/node, only export an ESM entry)
//   dist/renderer/                   the React app (vite build, vite.config.ts)
// Flags: --no-renderer (only the Electron bundles, used by `npm run dev`), --renderer-only, --quiet.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'electron');
const rendererOut = join(root, 'dist', 'renderer');

// Bundled CommonJS has no import.meta.url: give it one computed from __filename.
const importMetaShim = {
  banner: { js: "const __import_meta_url = require('url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__import_meta_url' },
};

export async function buildElectron({ quiet = false, outDir = out } = {}) {
  const out_ = outDir;
  rmSync(out_, { recursive: true, force: true });
  mkdirSync(out_, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    logLevel: quiet ? 'error' : 'warning',
    absWorkingDir: root,
  };
  await Promise.all([
    build({ ...common, ...importMetaShim, entryPoints: ['electron/desktop/main.ts'], outfile: join(out_, 'main.cjs'), packages: 'external', external: ['electron'] }),
    // Sandboxed preload: everything inlined except electron itself.
    build({ ...common, entryPoints: ['electron/preload/index.ts'], outfile: join(out_, 'preload.cjs'), platform: 'browser', target: 'chrome130', external: ['electron'] }),
    build({ ...common, format: 'esm', entryPoints: ['electron/engine/worker.ts'], outfile: join(out_, 'engine-worker.mjs'), packages: 'external', external: ['electron'] }),
  ]);
}

/** The renderer's production build (vite build). `progress`: Vite reports each step on the console. */
export async function buildRenderer({ outDir = rendererOut, progress = false } = {}) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({
    configFile: join(root, 'vite.config.ts'),
    root: join(root, 'renderer'),
    logLevel: progress ? 'info' : 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

/** What the renderer build is made from: a change to any of these makes the build stale. */
const RENDERER_SOURCES = ['renderer', 'shared', 'vite.config.ts', 'package.json'];

function newestMtime(p, depth = 0) {
  const st = statSync(p);
  if (!st.isDirectory() || depth > 8) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(p)) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(p, e), depth + 1));
  }
  return newest;
}

/** Whether `outDir` holds a renderer build newer than every one of its sources. */
export function rendererIsFresh(outDir = rendererOut) {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  return RENDERER_SOURCES.every((s) => !existsSync(join(root, s)) || newestMtime(join(root, s)) <= built);
}

/**
 * Build the renderer into `outDir` unless an up-to-date build is there, saying so and showing
 * Vite's progress. Returns whether it built.
 */
export async function ensureRendererBuild({ outDir = rendererOut, log = console.log } = {}) {
  if (rendererIsFresh(outDir)) return false;
  log(`Building Layerloom for the browser (${existsSync(join(outDir, 'index.html')) ? 'the sources changed since the last build' : 'first start: no build yet'}); this takes a moment…`);
  await buildRenderer({ outDir, progress: true });
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  try {
    if (!args.includes('--renderer-only')) {
      await buildElectron({ quiet });
      if (!quiet) console.log('built dist/electron (main, preload, engine worker)');
    }
    if (!args.includes('--no-renderer')) {
      await buildRenderer({ progress: !quiet });
      if (!quiet) console.log('built dist/renderer');
    }
  } catch (e) {
    console.error(`build failed: ${e.message ?? e}`);
    process.exit(1);
  }
}
