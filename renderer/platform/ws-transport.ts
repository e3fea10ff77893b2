/**
 * Web mode's transport: the IPC contract carried over one WebSocket to `npm run web`'s server.
 * Wire format (JSON text frames):
 *   client → server  { id, name, payload }
 *   server → client  { id, envelope }            (the answer to request `id`)
 *                    { event, payload }          (a pushed event)
 * The WebSocket URL carries the per-launch token (`/ws?token=…`); without it the server refuses.
 */
import { MAX_MESSAGE_BYTES, type EventName, type RequestName } from '../../shared/ipc/contract';
import { encodeRequest, IpcError, type Envelope } from '../../shared/ipc/rpc';
import type { Transport } from '../../shared/ipc/client';

export interface WsTransportOptions {
  url: string;
  /** For tests: a WebSocket constructor. */
  WebSocketImpl?: typeof WebSocket;
}

export function createWsTransport({ url, WebSocketImpl = WebSocket }: WsTransportOptions): Transport & { close(): void } {
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, (env: Envelope) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const failAll = (message: string) => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'disconnected', message } });
    pending.clear();
  };

  const connect = (): Promise<WebSocket> => {
    if (socket && socket.readyState === 1) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      ws.onopen = () => {
        socket = ws;
        opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        /* onclose follows with the details */
      };
      ws.onclose = (ev) => {
        const why = `the connection to the Layerloom server closed${ev.reason ? ` (${ev.reason})` : ''}`;
        if (opening) {
          opening = null;
          reject(new IpcError('disconnected', `${why}: is \`npm run web\` still running, and was the page opened with its token?`));
        }
        socket = null;
        failAll(why);
      };
      ws.onmessage = (ev) => {
        let msg: { id?: number; envelope?: Envelope; event?: string; payload?: unknown };
        try {
          msg = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        if (typeof msg.id === 'number') {
          const done = pending.get(msg.id);
          pending.delete(msg.id);
          done?.(msg.envelope ?? { ok: false, error: { code: 'invalid-response', message: 'malformed answer' } });
        } else if (typeof msg.event === 'string') {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
    });
    return opening;
  };

  return {
    async invoke(name: RequestName, payload: unknown): Promise<Envelope> {
      const ws = await connect();
      const id = nextId++;
      let text: string;
      try {
        text = encodeRequest(id, name, payload, MAX_MESSAGE_BYTES); // the server's limit, checked before sending
      } catch (e) {
        return { ok: false, error: (e as IpcError).toInfo() };
      }
      return new Promise<Envelope>((resolve) => {
        pending.set(id, resolve);
        ws.send(text);
      });
    },
    subscribe(name: EventName, listener: (payload: unknown) => void) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      // Events only flow over an open socket: connect now so they are not missed.
      connect().catch(() => undefined);
      return () => {
        set.delete(listener);
      };
    },
    close() {
      socket?.close();
      socket = null;
    },
  };
}
