import type { z } from 'zod';
import { CURRENT_VERSION, DocumentSchema, FORMAT, type LoomDocument } from './schema';
import { MIGRATIONS } from './migrations';

/** One problem in a file, with the path of the field (naming the node id where there is one). */
export interface LoadError {
  /** e.g. `nodes[2] ("c1").params` or `edges[0].to`; empty for the file as a whole. */
  path: string;
  nodeId?: string;
  message: string;
}

export type LoadResult =
  | { ok: true; doc: LoomDocument; warnings: string[] }
  | { ok: false; errors: LoadError[] };

/** Refuse absurd inputs before parsing: a model file is never this large (bytes of UTF-8, as on disk). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** The UTF-8 size of `text` in bytes (its size as a file), without encoding it. */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 4 bytes for 2 UTF-16 units
      i++;
    } else n += 2;
  }
  return n;
}

/** Whether `text` fits in a model file: at most MAX_FILE_BYTES bytes of UTF-8. */
export function fitsInModelFile(text: string): boolean {
  if (text.length > MAX_FILE_BYTES) return false;
  return text.length * 3 <= MAX_FILE_BYTES || utf8Length(text) <= MAX_FILE_BYTES;
}

/** `64 MiB`, `1.5 MiB`: sizes the way the limits are declared. */
export function formatMiB(bytes: number): string {
  return `${+(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 3 : 1)} MiB`;
}

/** A UTF-8 byte-order mark (Windows editors write one); JSON.parse refuses it, so it is dropped. */
const BOM = '\uFEFF';

export class DocumentLoadError extends Error {
  constructor(readonly errors: LoadError[], readonly file?: string) {
    super(`${file ? `${file}: ` : ''}${errors.map(formatLoadError).join('; ')}`);
    this.name = 'DocumentLoadError';
  }
}

export function formatLoadError(e: LoadError): string {
  return e.path ? `${e.path}: ${e.message}` : e.message;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function pathOf(raw: Record<string, unknown>, path: readonly PropertyKey[]): { path: string; nodeId?: string } {
  let out = '';
  let nodeId: string | undefined;
  path.forEach((seg, i) => {
    if (typeof seg === 'number') {
      out += `[${seg}]`;
      if (i === 1 && path[0] === 'nodes' && Array.isArray(raw.nodes)) {
        const n = raw.nodes[seg];
        if (isObject(n) && typeof n.id === 'string' && n.id.length <= 64) {
          nodeId = n.id;
          out += ` ("${n.id}")`;
        }
      }
    } else {
      out += (out ? '.' : '') + String(seg);
    }
  });
  return { path: out, nodeId };
}

function zodErrors(raw: Record<string, unknown>, error: z.ZodError): LoadError[] {
  return error.issues.slice(0, 50).flatMap((issue) => {
    // One error per unknown key, with the key in the path, so the field is always named.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.slice(0, 10).map((k) => ({ ...pathOf(raw, [...issue.path, k]), message: 'unknown field (typo, or a file from a newer Layerloom?)' }));
    }
    let message = issue.message;
    if (issue.code === 'invalid_type' && message.startsWith('Invalid input: expected')) message = message.replace('Invalid input: ', '');
    return [{ ...pathOf(raw, issue.path), message }];
  });
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Keys that could reach Object.prototype if a consumer copied them onto a plain object. */
function forbiddenKeys(raw: Record<string, unknown>): LoadError[] {
  const found: LoadError[] = [];
  const walk = (v: unknown, path: PropertyKey[], depth: number) => {
    if (depth > 12 || found.length >= 5 || typeof v !== 'object' || v === null) return;
    for (const k of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(k)) found.push({ ...pathOf(raw, [...path, k]), message: `"${k}" is a reserved name and cannot be used as a field` });
      else walk((v as Record<string, unknown>)[k], [...path, Array.isArray(v) ? Number(k) : k], depth + 1);
    }
  };
  walk(raw, [], 0);
  return found;
}

/** Referential integrity the schema cannot express: unique ids, edges to existing nodes. */
function checkReferences(doc: LoomDocument): LoadError[] {
  const errors: LoadError[] = [];
  const ids = new Set<string>();
  doc.nodes.forEach((n, i) => {
    if (ids.has(n.id)) errors.push({ path: `nodes[${i}] ("${n.id}").id`, nodeId: n.id, message: `duplicate node id "${n.id}"` });
    ids.add(n.id);
  });
  doc.edges.forEach((e, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!ids.has(e[end])) errors.push({ path: `edges[${i}].${end}`, message: `no node has id "${e[end]}"` });
    }
  });
  return errors;
}

/**
 * Validate an already-parsed value as a model document, migrating older versions.
 * Never throws; returns every problem found (up to a cap), each naming its field.
 */
export function validateDocument(value: unknown): LoadResult {
  if (!isObject(value)) return { ok: false, errors: [{ path: '', message: 'a model file must be a JSON object' }] };
  if (value.format !== FORMAT) {
    return { ok: false, errors: [{ path: 'format', message: `expected "${FORMAT}", got ${JSON.stringify(value.format)?.slice(0, 40)}: this is not a Layerloom model file` }] };
  }
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, errors: [{ path: 'version', message: `must be a positive whole number, got ${JSON.stringify(version)?.slice(0, 40)}` }] };
  }
  if (version > CURRENT_VERSION) {
    return {
      ok: false,
      errors: [{ path: 'version', message: `this file uses format version ${version}, made by a newer Layerloom; this version reads up to ${CURRENT_VERSION}. Please update Layerloom.` }],
    };
  }
  const warnings: string[] = [];
  let migrated = value;
  for (let v = version; v < CURRENT_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) return { ok: false, errors: [{ path: 'version', message: `no migration from format version ${v}` }] };
    migrated = step(migrated);
    warnings.push(`migrated from format version ${v} to ${v + 1}`);
  }
  const reserved = forbiddenKeys(migrated);
  if (reserved.length) return { ok: false, errors: reserved };
  const parsed = DocumentSchema.safeParse(migrated);
  if (!parsed.success) return { ok: false, errors: zodErrors(migrated, parsed.error) };
  const doc = parsed.data;
  const refErrors = checkReferences(doc);
  if (refErrors.length) return { ok: false, errors: refErrors };
  if (doc.layout) {
    const ids = new Set(doc.nodes.map((n) => n.id));
    const stale = Object.keys(doc.layout).filter((k) => !ids.has(k));
    if (stale.length) {
      for (const k of stale) delete doc.layout[k];
      warnings.push(`ignored layout positions for missing nodes: ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? '…' : ''}`);
    }
  }
  return { ok: true, doc, warnings };
}

/** Parse the text of a `.loom` file. Never throws and never evaluates anything but JSON. */
export function parseDocument(text: string): LoadResult {
  if (!fitsInModelFile(text)) {
    return { ok: false, errors: [{ path: '', message: `file is ${utf8Length(text)} bytes; model files are at most ${formatMiB(MAX_FILE_BYTES)} (${MAX_FILE_BYTES} bytes)` }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith(BOM) ? text.slice(1) : text);
  } catch (e) {
    return { ok: false, errors: [{ path: '', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  return validateDocument(value);
}

/** Like parseDocument, but throws a DocumentLoadError naming the file. */
export function loadDocumentOrThrow(text: string, file?: string): LoomDocument {
  const r = parseDocument(text);
  if (!r.ok) throw new DocumentLoadError(r.errors, file);
  return r.doc;
}
