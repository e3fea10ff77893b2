/** Moved to electron/engine/formats/weights; this path stays until its callers (host, CLI, worker, e2e) import the new one. */
export * from '../formats/weights';
