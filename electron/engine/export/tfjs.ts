/** Moved to electron/engine/formats/tfjs/writer; this path stays until its callers (host, CLI, worker, e2e) import the new one. */
export * from '../formats/tfjs/writer';
