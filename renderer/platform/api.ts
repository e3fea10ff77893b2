/**
 * The renderer's only door to the app. `getApi()` returns the typed `LayerloomApi`:
 *  - in the desktop app, the preload's `window.api` (contextBridge);
 *  - in web mode (`npm run web`, a plain browser), a WebSocket client to the server that served the
 *    page. The page URL carries the per-launch token (`?token=…` or `#token=…`); it is read once,
 *    kept in this tab's sessionStorage and then removed from the address bar (history, bookmarks,
 *    screen shares). Reloads and new tabs are authorised by the server's HttpOnly cookie.
 *
 * Web mode differences, handled here so the editor does not care:
 *  - `file.open({})` (no path) shows the browser's file picker; the result has `path: null`.
 *  - `file.saveAs({ text })` (no path) asks for a file name in the server's project folder.
 *  - `data.pick` shows the browser's file picker and uploads the files into `<project>/data/`
 *    (upload.ts), answering with the path the dataset config stores.
 */
import { createApi, type LayerloomApi } from '../../shared/ipc/client';
import type { OpenResult, SaveResult } from '../../shared/ipc/contract';
import { pickAndUploadData } from './upload';
import { createWsTransport } from './ws-transport';

export type { LayerloomApi } from '../../shared/ipc/client';
export type * from '../../shared/ipc/contract';
export { IpcError } from '../../shared/ipc/rpc';

declare global {
  interface Window {
    /** Set by the Electron preload. */
    api?: LayerloomApi;
  }
}

let cached: LayerloomApi | null = null;

/** The api for this page (Electron's `window.api`, else the web-mode client). */
export function getApi(): LayerloomApi {
  if (cached) return cached;
  if (typeof window !== 'undefined' && window.api) {
    cached = window.api;
  } else {
    cached = createWebApi();
    if (typeof window !== 'undefined') hideToken(window);
  }
  return cached;
}

/** Tests: replace the api (e.g. with a fake built by `createApi(fakeTransport)`); `null` resets. */
export function setApiForTests(api: LayerloomApi | null): void {
  cached = api;
}

/** True in the desktop app (native menus and dialogs exist). */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && !!window.api;
}

/** The web-mode token from the page URL (`?token=` or `#token=`). */
const TOKEN_KEY = 'layerloom.token';

function session(): Pick<Storage, 'getItem' | 'setItem'> | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** The token from the page URL (query or fragment), else the one this tab kept; null when neither. */
export function readToken(loc: { search: string; hash: string } = window.location, store = session()): string | null {
  const hash = loc.hash.startsWith('#') ? loc.hash.slice(1) : loc.hash;
  const fromUrl = new URLSearchParams(loc.search).get('token') ?? new URLSearchParams(hash).get('token');
  try {
    if (fromUrl) store?.setItem(TOKEN_KEY, fromUrl);
    return fromUrl ?? store?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return fromUrl;
  }
}

/** Remove the token from the address bar without reloading (other query/fragment parts stay). */
export function hideToken(win: { location: { href: string }; history: Pick<History, 'replaceState' | 'state'> }): void {
  const url = new URL(win.location.href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  if (!url.searchParams.has('token') && !hash.has('token')) return;
  url.searchParams.delete('token');
  if (hash.has('token')) {
    hash.delete('token');
    url.hash = hash.toString();
  }
  win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
}

export function createWebApi(loc: Location = window.location): LayerloomApi {
  const token = readToken(loc);
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  // Without a token (a new tab opened on the bare address) the server's cookie authorises the socket.
  const transport = createWsTransport({ url: `${scheme}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}` });
  // The data.pick override uploads through this same api (assigned before any request is made).
  let self: LayerloomApi | null = null;
  self = createApi(transport, {
    local: {
      'data.pick': async (req) => pickAndUploadData(req, self!),
      'file.open': async (req, send) => (req.path ? send(req) : pickFile()),
      'file.saveAs': async (req, send) => {
        if (req.path) return send(req);
        const suggested = (req.suggestedName ?? 'untitled').replace(/\.loom$/i, '') + '.loom';
        const name = window.prompt('Save in the project folder as:', suggested);
        if (!name) return { canceled: true } satisfies SaveResult;
        return send({ ...req, path: /\.loom$/i.test(name) ? name : `${name}.loom` });
      },
    },
    onInvalidEvent: (name, error) => console.warn(`Layerloom: dropped an invalid ${name} event: ${error.message}`),
  });
  return self;
}

/** The browser's file picker for one `.loom` file. */
function pickFile(): Promise<OpenResult> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.loom,application/json';
    input.style.display = 'none';
    let settled = false;
    const finish = (r: OpenResult) => {
      if (settled) return;
      settled = true;
      input.remove();
      resolve(r);
    };
    input.addEventListener('cancel', () => finish({ canceled: true }));
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (!file) return finish({ canceled: true });
      file.text().then(
        (text) => finish({ canceled: false, path: null, name: file.name, text }),
        () => finish({ canceled: true }),
      );
    });
    document.body.appendChild(input);
    input.click();
  });
}
