/** Moved to electron/engine/formats; this path stays until its callers (host, CLI, worker, e2e) import the new one. */
export * from '../formats';
