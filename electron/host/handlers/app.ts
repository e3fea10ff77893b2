/** `app.*`: what the renderer learns about the app, and the window's unsaved-changes handshake. */
import type { HandlersOf, HostContext } from './context';

export function appHandlers({ deps }: HostContext): HandlersOf<'app'> {
  return {
    'app.info': () => ({ mode: deps.mode, version: deps.version, platform: process.platform, ...(deps.projectDir ? { projectDir: deps.projectDir } : {}) }),
    'app.ready': () => ({ openFiles: deps.takeOpenFiles?.() ?? [] }),
    'app.setDirty': (req) => {
      deps.onDirty?.(req.dirty, req.name);
      return { ok: true };
    },
    'app.closeReady': (req) => {
      if (!deps.onCloseReady) return { ok: false };
      deps.onCloseReady(req.requestId, req.close);
      return { ok: true };
    },
  };
}
