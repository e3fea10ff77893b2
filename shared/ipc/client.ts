/**
 * The typed API the renderer uses, built over any transport (Electron's ipcRenderer in the preload,
 * a WebSocket in web mode). Both expose the identical `LayerloomApi`:
 *
 *   await api.file.open({})                     // one function per request, grouped by namespace
 *   const off = api.onTrainEvent((e) => ...)    // one `on…` per event; call `off()` to unsubscribe
 *
 * Requests are validated before they leave (a malformed payload rejects with an IpcError naming the
 * field) and answers are validated when they arrive.
 */
import {
  requests, type EventName, type EventOf, type Namespace, type RequestName, type RequestOf, type Requests, type ResponseOf,
} from './contract';
import { IpcError, isEnvelope, parseEvent, parseRequest, parseResponse, type Envelope } from './rpc';

/** Electron channel names: requests are `layerloom:<name>` (ipcMain.handle), events `layerloom:event:<name>`. */
export const requestChannel = (name: string) => `layerloom:${name}`;
export const eventChannel = (name: string) => `layerloom:event:${name}`;

export interface Transport {
  invoke(name: RequestName, payload: unknown): Promise<Envelope>;
  /** Calls `listener` with each raw event payload; returns an unsubscribe. */
  subscribe(name: EventName, listener: (payload: unknown) => void): () => void;
}

/** Event name → subscription method name on the api. */
export const EVENT_METHODS = {
  onTrainEvent: 'train.event',
  onEngineStatus: 'engine.status',
  onJobProgress: 'job.progress',
  onMenuCommand: 'menu.command',
  onBeforeClose: 'app.beforeClose',
} as const satisfies Record<string, EventName>;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- "every field optional" test
type Method<N extends RequestName> = {} extends RequestOf<N>
  ? (req?: RequestOf<N>) => Promise<ResponseOf<N>>
  : (req: RequestOf<N>) => Promise<ResponseOf<N>>;

export type LayerloomApi = {
  readonly [NS in Namespace]: {
    readonly [M in keyof Requests[NS] & string]: Method<`${NS & string}.${M}` & RequestName>;
  };
} & {
  readonly [K in keyof typeof EVENT_METHODS]: (listener: (payload: EventOf<(typeof EVENT_METHODS)[K]>) => void) => () => void;
};

export interface ClientOptions {
  /** Answer some requests locally instead of sending them (web mode: browser file pickers). */
  local?: Partial<{ [N in RequestName]: (req: RequestOf<N>, send: (payload: unknown) => Promise<ResponseOf<N>>) => Promise<ResponseOf<N>> }>;
  /** Called with events that do not match the contract (dropped). */
  onInvalidEvent?: (name: EventName, error: Error) => void;
}

export function createApi(transport: Transport, options: ClientOptions = {}): LayerloomApi {
  const call = async (name: RequestName, payload: unknown): Promise<unknown> => {
    parseRequest(name, payload); // fail early, with the field named
    let env: Envelope;
    try {
      env = await transport.invoke(name, payload === undefined ? {} : payload);
    } catch (e) {
      if (e instanceof IpcError) throw e;
      throw new IpcError('disconnected', `${name}: ${(e as Error)?.message ?? String(e)}`);
    }
    if (!isEnvelope(env)) throw new IpcError('invalid-response', `${name}: malformed answer`);
    if (!env.ok) throw IpcError.from(env.error);
    return parseResponse(name, env.value);
  };

  const api: Record<string, unknown> = {};
  for (const [ns, methods] of Object.entries(requests)) {
    const group: Record<string, (req?: unknown) => Promise<unknown>> = {};
    for (const m of Object.keys(methods)) {
      const name = `${ns}.${m}` as RequestName;
      const local = options.local?.[name] as ((req: unknown, send: (p: unknown) => Promise<unknown>) => Promise<unknown>) | undefined;
      group[m] = local ? (req?: unknown) => local(req ?? {}, (p) => call(name, p)) : (req?: unknown) => call(name, req ?? {});
    }
    api[ns] = Object.freeze(group);
  }
  for (const [method, eventName] of Object.entries(EVENT_METHODS)) {
    api[method] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new IpcError('invalid-request', `${method}: listener must be a function`);
      return transport.subscribe(eventName, (raw) => {
        let payload: unknown;
        try {
          payload = parseEvent(eventName, raw);
        } catch (e) {
          options.onInvalidEvent?.(eventName, e as Error);
          return;
        }
        listener(payload);
      });
    };
  }
  return Object.freeze(api) as LayerloomApi;
}
