/**
 * Web mode: the same renderer in a browser, the same IPC contract over a WebSocket.
 *
 *   npm run web [-- --port 8080] [--project DIR] [--host 0.0.0.0] [--static|--dev] [--open]
 *
 * Security model (one person on their own machine, or a tunnel to a training box):
 *  - bound to 127.0.0.1 unless `--host` is passed explicitly (then a warning is printed);
 *  - a random per-launch token is required to get the page (`?token=…`; the server then sets an
 *    HttpOnly SameSite=Strict cookie so the page's own assets load) and on the WebSocket
 *    (`/ws?token=…`), compared in constant time; no or wrong token → 403;
 *  - the WebSocket's Origin must be this server's own origin, and the Host header must name it
 *    (defeats DNS rebinding and cross-site WebSocket hijacking);
 *  - strict headers: Content-Security-Policy, no framing, no referrer, nosniff;
 *  - the production build is served (built first when missing or stale); Vite's dev middleware only
 *    with `--dev` (`npm run dev`), and even then its open-in-editor endpoint is refused and its
 *    hot-reload socket passes the same checks as the app's;
 *  - a bad frame closes that socket with the reason, and sockets that stop answering pings are cut off;
 *  - files are confined to the project folder: `.loom` documents are read and written there, and
 *    browser uploads (`file.upload`) land only in its `data/` and `imports/` folders.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseEvent, serveWireMessage } from '../../shared/ipc/rpc';
import { MAX_MESSAGE_BYTES, type EventName, type EventOf } from '../../shared/ipc/contract';
import { ExplainingWebSocket, keepAlive } from './sockets';
import { createHandlers, type Emit } from '../host/handlers';
import { EngineSupervisor, type SpawnEngine } from '../host/engine-supervisor';
import { forkEngine } from '../host/engine-fork';
import { confinementEnv } from '../node/confine';
import { ProjectFiles, sweepAbandonedTempFiles, sweepAbandonedUploads } from '../host/files';
import { SettingsStore } from '../host/settings';
import { StagingArea, sweepStaleStaging } from '../host/staging';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface WebServerOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Default 127.0.0.1. Anything else exposes Layerloom to the network: only by explicit choice. */
  host?: string;
  /** The folder documents are opened from and saved to (default: the current directory). */
  projectDir?: string;
  /** Default: a fresh random token. */
  token?: string;
  /** `static` (default): the production build in `staticDir`; `vite`: the sources through Vite's dev middleware (`npm run dev` only). */
  serve?: 'vite' | 'static';
  staticDir?: string;
  /** Replace the engine process (tests). */
  spawnEngine?: SpawnEngine;
  settingsFile?: string;
  /** Parent of the staging folder for runs of unsaved documents (default: the OS temp folder). */
  stagingParent?: string;
  /** Models to open when the page is ready (paths in the project folder), e.g. from `npm start -- model.loom`. */
  openFiles?: string[];
  log?: (msg: string) => void;
  /** How often each WebSocket is pinged; a peer that misses one ping is cut off (default 30 s). */
  idleMs?: number;
}

export interface WebServer {
  /** The URL to open, with the token. */
  url: string;
  origin: string;
  token: string;
  port: number;
  host: string;
  projectDir: string;
  engine: EngineSupervisor;
  /** Push an event to every connected page. */
  emit: Emit;
  close(): Promise<void>;
}

/** Cookies are shared by every port of a host: the name carries the port so two servers do not clash. */
const cookieName = (port: number) => `layerloom_token_${port}`;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.wasm': 'application/wasm', '.woff2': 'font/woff2', '.loom': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

function safeEqual(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

export function contentSecurityPolicy(origin: string, nonce?: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${nonce ? ` 'nonce-${nonce}'` : ''}`,
    // React Flow positions nodes with inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${ws}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function refuse(res: ServerResponse, status: number, message: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(message);
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export async function startWebServer(opts: WebServerOptions = {}): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((m: string) => console.log(m));
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const projectDir = resolve(opts.projectDir ?? process.cwd());
  const staticDir = opts.staticDir ?? join(REPO_ROOT, 'dist', 'renderer');
  const mode = opts.serve ?? 'static';

  if (!existsSync(projectDir) || !statSync(projectDir).isDirectory()) {
    throw new Error(`the project folder ${projectDir} does not exist (pass an existing folder with --project)`);
  }
  if (mode === 'static' && !existsSync(join(staticDir, 'index.html'))) {
    throw new Error(`no renderer build in ${staticDir}: run \`npm run build\` first, or serve the sources with --dev`);
  }

  const openFiles = (opts.openFiles ?? []).map((f) => relative(projectDir, resolve(projectDir, f)).split('\\').join('/'));
  const sockets = new Set<WebSocket>();
  const emit: Emit = <E extends EventName>(name: E, payload: EventOf<E>) => {
    let data: string;
    try {
      data = JSON.stringify({ event: name, payload: parseEvent(name, payload) });
    } catch (e) {
      // An invalid event (an engine bug) must never take the server down: drop it and say so.
      log(`web: dropped an invalid ${name} event: ${(e as Error).message}`);
      return;
    }
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(data);
  };

  const engine = new EngineSupervisor({
    // The engine reads data files listed inside folders: confined to the project folder too.
    spawn: opts.spawnEngine ?? forkEngine({ env: confinementEnv(projectDir) }),
    onTrainEvent: (e) => emit('train.event', e),
    onStatus: (s) => emit('engine.status', s),
    log,
  });
  const settings = new SettingsStore(opts.settingsFile ?? join(projectDir, '.layerloom', 'settings.json'), log);
  // Runs of unsaved documents wait in a temporary folder: this server's goes with close(), and the
  // ones of servers or apps that died are removed now.
  await sweepStaleStaging(opts.stagingParent);
  const staging = new StagingArea(opts.stagingParent);
  // Uploads a closed browser never finished (hidden `.name.upload` files in data/ and imports/).
  for (const f of await sweepAbandonedUploads(projectDir)) log(`removed an unfinished upload: ${f}`);
  // Saves a killed server or engine never finished (the files they were replacing are intact).
  for (const f of await sweepAbandonedTempFiles(projectDir)) log(`removed the temporary file of an interrupted save: ${f}`);
  const handlers = createHandlers({
    staging,
    mode: 'web',
    version: version(),
    files: new ProjectFiles(projectDir),
    settings,
    engine,
    templatesDir: join(REPO_ROOT, 'assets', 'templates'),
    projectDir,
    // Long operations' progress (job.progress) goes to the pages like every other event.
    emit,
    // Handed to the first page that asks (as project-relative paths).
    takeOpenFiles: () => openFiles.splice(0),
  });

  // Filled once listening (the port is known then).
  let origin = '';
  let boundPort = 0;
  let allowedHosts = new Set<string>();

  const authorised = (req: IncomingMessage, url: URL) =>
    safeEqual(url.searchParams.get('token'), token) || safeEqual(cookieToken(req, cookieName(boundPort)), token);

  const hostOk = (req: IncomingMessage) => {
    const h = (req.headers.host ?? '').toLowerCase();
    return !!h && (allowedHosts.has(h) || allowedHosts.has('*'));
  };

  let vite: import('vite').ViteDevServer | null = null;
  // Vite's hot-reload sockets reach Vite through this stand-in server, only after our checks.
  const viteGate = createServer();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!hostOk(req)) return refuse(res, 421, 'Layerloom: unexpected Host header.');
    if (!authorised(req, url)) {
      return refuse(res, 403, 'Layerloom: this address needs the token printed by `npm run web` (open the full URL it printed).');
    }
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(origin, mode === 'vite' ? nonce : undefined));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (safeEqual(url.searchParams.get('token'), token)) {
      res.setHeader('Set-Cookie', `${cookieName(boundPort)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (url.pathname === '/favicon.ico') {
      const icon = join(REPO_ROOT, 'assets', 'icons', 'icon-64.png');
      if (existsSync(icon)) {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        res.end(readFileSync(icon));
      } else {
        res.writeHead(204).end();
      }
      return;
    }
    if (mode === 'vite' && vite) {
      // Vite's "open in editor" would start a program on the server: never from a page.
      if (url.pathname.startsWith('/__open-in-editor')) return refuse(res, 404, 'Not found');
      vite.middlewares(req, res, () => refuse(res, 404, 'Not found'));
      return;
    }
    serveStatic(staticDir, url.pathname, res).catch((e) => refuse(res, 500, (e as Error).message));
  });

  // A bad frame (too big, invalid UTF-8, reserved bits set...) closes that socket with the reason;
  // the server keeps serving everyone else.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, WebSocket: ExplainingWebSocket });
  const idleMs = opts.idleMs ?? 30_000;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://x');
    const deny = (code: number, why: string) => {
      socket.write(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
      socket.destroy();
    };
    // Every socket passes the same checks, Vite's hot-reload socket (`npm run dev`) included.
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const viteSocket = protocols.includes('vite-hmr') || protocols.includes('vite-ping');
    if (viteSocket ? !vite : url.pathname !== '/ws') return deny(404, 'Not Found');
    if (!hostOk(req)) return deny(421, 'Misdirected Request');
    // The page's own origin: the Host it was loaded from (one of ours, checked above).
    if (!req.headers.origin || req.headers.origin.toLowerCase() !== `http://${(req.headers.host ?? '').toLowerCase()}`) return deny(403, 'Forbidden origin');
    // The token in the URL, or the HttpOnly cookie set with the page (SameSite=Strict; Origin checked above).
    if (!authorised(req, url)) return deny(403, 'Forbidden: missing or wrong token');
    if (viteSocket) {
      viteGate.emit('upgrade', req, socket, head); // Vite then checks its own token too
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', (e) => log(`web: closed a socket: ${e.message}`));
      keepAlive(ws, idleMs);
      // A page that connects (or reconnects) learns the engine's state at once.
      ws.send(JSON.stringify({ event: 'engine.status', payload: engine.getStatus() }));
      ws.on('message', async (data, isBinary) => {
        const answer = isBinary
          ? JSON.stringify({ id: null, envelope: { ok: false, error: { code: 'invalid-request', message: 'requests are JSON text messages, not binary ones' } } })
          : await serveWireMessage(handlers, String(data), undefined);
        if (ws.readyState === ws.OPEN) ws.send(answer);
      });
    });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const port = (server.address() as { port: number }).port;
  boundPort = port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  origin = `http://${urlHost}:${port}`;
  allowedHosts = new Set([`${urlHost}:${port}`.toLowerCase()]);
  if (isLoopback(host)) for (const h of ['127.0.0.1', 'localhost', '[::1]']) allowedHosts.add(`${h}:${port}`);
  if (host === '0.0.0.0' || host === '::') {
    // Reached by any of this machine's names: accept the Host the browser used, Origin must match it.
    allowedHosts = new Set(['*']);
  }

  if (mode === 'vite') {
    const { createServer: createVite } = await import('vite');
    vite = await createVite({
      configFile: existsSync(join(REPO_ROOT, 'vite.config.ts')) ? join(REPO_ROOT, 'vite.config.ts') : false,
      root: join(REPO_ROOT, 'renderer'),
      appType: 'spa',
      logLevel: 'warn',
      clearScreen: false,
      html: { cspNonce: nonce },
      // Hot reload rides on this server's port; its sockets come through the gate (checked above).
      server: { middlewareMode: true, ws: { server: viteGate } },
    });
    vite.ws.on('connection', (ws: WebSocket) => keepAlive(ws, idleMs));
  }

  const url = `${origin}/?token=${encodeURIComponent(token)}`;
  return {
    url, origin, token, port, host, projectDir, engine, emit,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      engine.dispose();
      await staging.dispose();
      await vite?.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function serveStatic(root: string, pathname: string, res: ServerResponse) {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return refuse(res, 400, 'Bad path');
  }
  let file = resolve(root, '.' + rel);
  const inside = relative(root, file);
  if (inside.startsWith('..') || isAbsolute(inside)) return refuse(res, 403, 'Forbidden');
  const st = await stat(file).catch(() => null);
  if (!st || st.isDirectory()) {
    // SPA: unknown paths get the app (assets with an extension are really missing).
    if (extname(rel) && !st) return refuse(res, 404, 'Not found');
    file = join(root, 'index.html');
  }
  const body = await readFile(file);
  res.writeHead(200, {
    'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
  });
  res.end(body);
}

// ── Command line ────────────────────────────────────────────────────────────────────────────────

export function parseArgs(argv: string[]): WebServerOptions & { open?: boolean; help?: boolean } {
  const out: WebServerOptions & { open?: boolean; help?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') {
      const p = Number(val());
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error('--port must be a number from 0 to 65535');
      out.port = p;
    } else if (a === '--host') out.host = val();
    else if (a === '--project') out.projectDir = val();
    else if (a === '--static') out.serve = 'static';
    else if (a === '--dev') out.serve = 'vite';
    else if (a === '--open') out.open = true;
    else if (a === '--help' || a === '-h') out.help = true;
    else if (!a.startsWith('-') && a.toLowerCase().endsWith('.loom')) (out.openFiles ??= []).push(a);
    else throw new Error(`unknown option ${a}`);
  }
  return out;
}

const USAGE = `usage: npm run web -- [--port N] [--project DIR] [--host ADDR] [--static|--dev] [--open] [MODEL.loom...]
  --port N       listen on port N (default: a random free port)
  --project DIR  open and save models in DIR (default: the current folder)
  --host ADDR    listen on ADDR instead of 127.0.0.1 (exposes Layerloom to your network)
  --static       serve the production build (dist/renderer; the default, built first when missing or stale)
  --dev          serve the renderer sources through Vite's dev middleware (npm run dev, to work on Layerloom)
  MODEL.loom     open this model (in the project folder) when the page loads`;

export async function main(argv: string[]): Promise<WebServer | null> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return null;
  }
  if (args.help) {
    console.log(USAGE);
    return null;
  }
  if (args.host && !isLoopback(args.host)) {
    console.warn(`WARNING: listening on ${args.host}: anyone who can reach this machine and learns the token can read and write .loom files in the project folder and run training. Prefer an SSH tunnel to 127.0.0.1.`);
  }
  if (args.serve !== 'vite') {
    // What a person gets is the production build: made now when missing or older than the sources.
    const { ensureRendererBuild } = await import('../../scripts/build.mjs');
    await ensureRendererBuild({ ...(args.staticDir ? { outDir: args.staticDir } : {}) });
  }
  const srv = await startWebServer(args);
  console.log(`Layerloom (web mode) is running.\n  Open: ${srv.url}\n  Project folder: ${srv.projectDir}\n  Press Ctrl+C to stop.`);
  if (args.open) openBrowser(srv.url);
  const stop = () => {
    srv.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return srv;
}

function openBrowser(url: string) {
  void import('node:child_process').then(({ spawn }) => {
    const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    try {
      spawn(cmd, [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
    } catch {
      /* no browser launcher: the URL is printed */
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`Layerloom web mode failed to start: ${(e as Error).message}`);
    process.exit(1);
  });
}
