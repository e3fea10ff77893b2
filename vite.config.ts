import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; font-src 'self' data:";
const repo = fileURLToPath(new URL('.', import.meta.url));

// The renderer: served by Vite middleware in web mode (dev) and built to dist/renderer for the
// desktop app (relative base so that it loads from file://).
export default defineConfig({
  root: 'renderer',
  base: './',
  // Per checkout, not node_modules/.vite: git worktrees that share one node_modules would otherwise
  // share (and race on) one pre-bundling cache.
  cacheDir: `${repo}.vite`,
  plugins: [
    react(),
    {
      // The built app (file:// in Electron, dist/ in web mode) gets a strict CSP; dev mode needs
      // Vite's inline preamble, so the policy is only added to builds.
      name: 'layerloom-csp',
      apply: 'build',
      transformIndexHtml: (html) => html.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`),
    },
  ],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // Templates are imported from assets/ (outside the renderer root).
    fs: { allow: [repo] },
  },
});
