/**
 * Transport-agnostic request handling: validation against the contract, the result envelope that
 * crosses the wire, and the error type callers see. Used by Electron main (ipcMain), the web-mode
 * server (WebSocket), the preload and the web client alike.
 */
import type { z } from 'zod';
import { formatMiB, utf8Length } from '../document/load';
import { eventSchema, requestSpec, type EventName, type EventOf, type ParsedRequestOf, type RequestName, type ResponseOf } from './contract';

export type IpcErrorCode =
  | 'invalid-request' // the payload does not match the contract
  | 'unknown-request' // no such request name
  | 'invalid-response' // a handler answered outside the contract (a bug)
  | 'forbidden' // wrong sender, path outside the project folder...
  | 'not-found'
  | 'unavailable' // not supported here (e.g. not implemented by the engine yet)
  | 'disconnected' // the transport is gone
  | 'canceled' // a long operation (a job) was canceled by its `engine.cancel`
  | 'failed'; // the handler threw

export interface IpcErrorInfo {
  code: IpcErrorCode;
  message: string;
  /** For invalid payloads: one line per problem, `path: message`. */
  issues?: string[];
}

/** What travels back for every request. */
export type Envelope = { ok: true; value: unknown } | { ok: false; error: IpcErrorInfo };

export class IpcError extends Error {
  readonly code: IpcErrorCode;
  readonly issues?: string[];
  constructor(code: IpcErrorCode, message: string, issues?: string[]) {
    super(message);
    this.name = 'IpcError';
    this.code = code;
    if (issues) this.issues = issues;
  }
  toInfo(): IpcErrorInfo {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
  static from(info: IpcErrorInfo): IpcError {
    return new IpcError(info.code, info.message, info.issues);
  }
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 20).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(payload)'}: ${i.message}`);
}

function invalid(kind: 'request' | 'response' | 'event', name: string, error: z.ZodError): IpcError {
  const issues = formatIssues(error);
  return new IpcError(kind === 'request' ? 'invalid-request' : 'invalid-response', `${name}: invalid ${kind}: ${issues.join('; ')}`, issues);
}

/** Validate a request payload (defaults applied). Throws IpcError naming the request and each bad field. */
export function parseRequest<N extends RequestName>(name: N, payload: unknown): ParsedRequestOf<N> {
  const spec = requestSpec(name);
  if (!spec) throw new IpcError('unknown-request', `unknown request "${String(name).slice(0, 80)}"`);
  const r = spec.request.safeParse(payload === undefined ? {} : payload);
  if (!r.success) throw invalid('request', name, r.error);
  return r.data as ParsedRequestOf<N>;
}

export function parseResponse<N extends RequestName>(name: N, value: unknown): ResponseOf<N> {
  const spec = requestSpec(name);
  if (!spec) throw new IpcError('unknown-request', `unknown request "${String(name).slice(0, 80)}"`);
  const r = spec.response.safeParse(value);
  if (!r.success) throw invalid('response', name, r.error);
  return r.data as ResponseOf<N>;
}

export function parseEvent<E extends EventName>(name: E, payload: unknown): EventOf<E> {
  const schema = eventSchema(name);
  if (!schema) throw new IpcError('unknown-request', `unknown event "${String(name).slice(0, 80)}"`);
  const r = schema.safeParse(payload);
  if (!r.success) throw invalid('event', name, r.error);
  return r.data as EventOf<E>;
}

/** The implementation of each request on the serving side. Handlers receive validated requests. */
export type Handlers<Ctx = void> = {
  [N in RequestName]: (req: ParsedRequestOf<N>, ctx: Ctx) => Promise<ResponseOf<N>> | ResponseOf<N>;
};

/**
 * How deeply a request payload may nest (a model document needs about ten levels). Deeper values are
 * refused before anything walks them recursively (a schema, a structured clone, the engine).
 */
export const MAX_PAYLOAD_DEPTH = 64;
/** Error messages and each issue line are cut to this many characters (they may quote names and fields). */
export const MAX_MESSAGE_CHARS = 2000;
export const MAX_ISSUE_CHARS = 300;

/** `text` cut to `max` characters, saying how much was left out. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** Whether `value` nests deeper than `max` objects/arrays. Iterative: safe on any depth. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

function errorInfo(e: unknown): IpcErrorInfo {
  const info: IpcErrorInfo = e instanceof IpcError ? e.toInfo() : { code: 'failed', message: (e as Error)?.message ?? String(e) };
  return {
    ...info,
    message: truncate(String(info.message), MAX_MESSAGE_CHARS),
    ...(info.issues ? { issues: info.issues.slice(0, 20).map((i) => truncate(i, MAX_ISSUE_CHARS)) } : {}),
  };
}

/**
 * Serve one request: validate the payload, run the handler, validate its answer, and wrap the result
 * (or the error) in an envelope. Never throws.
 */
export async function dispatch<Ctx>(handlers: Partial<Handlers<Ctx>>, name: unknown, payload: unknown, ctx: Ctx): Promise<Envelope> {
  try {
    if (typeof name !== 'string') throw new IpcError('unknown-request', 'request name must be a string');
    if (nestsDeeperThan(payload, MAX_PAYLOAD_DEPTH)) {
      throw new IpcError('invalid-request', `${truncate(name, 80)}: the request nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
    }
    const req = parseRequest(name as RequestName, payload);
    const handler = Object.hasOwn(handlers, name) ? (handlers as Record<string, (r: unknown, c: Ctx) => unknown>)[name] : undefined;
    if (!handler) throw new IpcError('unavailable', `${name} is not available here`);
    const value = await handler(req, ctx);
    return { ok: true, value: parseResponse(name as RequestName, value) };
  } catch (e) {
    return { ok: false, error: errorInfo(e) };
  }
}

// ── Web mode's wire format (JSON text frames over one WebSocket) ─────────────────────────────────
//   client → server  { id, name, payload }     id: a whole number ≥ 0 chosen by the client
//   server → client  { id, envelope }          the answer to request `id` (id null: the message
//                                              could not be read, so it has no id to answer)
//                    { event, payload }        a pushed event

/** The encoded form of a request. Throws an IpcError when it would exceed `maxBytes` (UTF-8). */
export function encodeRequest(id: number, name: string, payload: unknown, maxBytes: number): string {
  const text = JSON.stringify({ id, name, payload });
  const bytes = utf8Length(text);
  if (bytes > maxBytes) {
    throw new IpcError('invalid-request', `${truncate(name, 80)}: the request is ${formatMiB(bytes)} when sent; the limit is ${formatMiB(maxBytes)}`);
  }
  return text;
}

/** Serve one wire message; returns the answer to send. Never throws. */
export async function serveWireMessage<Ctx>(handlers: Partial<Handlers<Ctx>>, text: string, ctx: Ctx): Promise<string> {
  const refuse = (message: string) => JSON.stringify({ id: null, envelope: { ok: false, error: { code: 'invalid-request', message } } });
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    return refuse(`the message is not valid JSON: ${truncate((e as Error).message, 200)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return refuse('a request must be a JSON object { id, name, payload }');
  const { id, name, payload } = msg as { id?: unknown; name?: unknown; payload?: unknown };
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return refuse('a request needs an "id" that is a whole number ≥ 0');
  return JSON.stringify({ id, envelope: await dispatch(handlers, name, payload, ctx) });
}

export function isEnvelope(v: unknown): v is Envelope {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (o.ok === true && 'value' in o) || (o.ok === false && typeof o.error === 'object' && o.error !== null);
}
