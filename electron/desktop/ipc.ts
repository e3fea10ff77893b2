/**
 * The only place main touches ipcMain: one `handle` per request of the contract. Every call is
 * checked twice before a handler runs: the sender must be our own window's top frame showing our own
 * page, and the payload must match the contract (zod). Answers are envelopes (see shared/ipc/rpc).
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { eventChannel, requestChannel } from '../../shared/ipc/client';
import { REQUEST_NAMES, type EventName, type EventOf } from '../../shared/ipc/contract';
import { dispatch, parseEvent, type Envelope, type Handlers } from '../../shared/ipc/rpc';

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/**
 * A sender is trusted when it is the main frame of one of our windows and its URL is our renderer
 * (`file://…/dist/renderer/index.html` in a build, the Vite dev server's origin in development).
 */
export function makeSenderCheck(opts: { isOurWebContents: (wc: WebContents) => boolean; rendererUrl: string }): SenderCheck {
  const expected = new URL(opts.rendererUrl);
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    if (!opts.isOurWebContents(event.sender) || frame !== event.sender.mainFrame) return false;
    let url: URL;
    try {
      url = new URL(frame.url);
    } catch {
      return false;
    }
    if (expected.protocol === 'file:') return url.protocol === 'file:' && url.pathname === expected.pathname;
    return url.origin === expected.origin;
  };
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, handlers: Handlers, isTrusted: SenderCheck): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(requestChannel(name), async (event, payload): Promise<Envelope> => {
      if (!isTrusted(event)) {
        return { ok: false, error: { code: 'forbidden', message: `${name}: refused a request from an untrusted frame` } };
      }
      return dispatch(handlers, name, payload, undefined);
    });
  }
  return () => {
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(requestChannel(name));
  };
}

/** Push an event to a window (validated against the contract first). */
export function sendEvent<E extends EventName>(wc: WebContents | null | undefined, name: E, payload: EventOf<E>): void {
  if (!wc || wc.isDestroyed()) return;
  let valid: EventOf<E>;
  try {
    valid = parseEvent(name, payload);
  } catch (e) {
    // An invalid event (an engine bug) must never crash the main process: drop it and say so.
    console.error(`ipc: dropped an invalid ${name} event: ${(e as Error).message}`);
    return;
  }
  wc.send(eventChannel(name), valid);
}
