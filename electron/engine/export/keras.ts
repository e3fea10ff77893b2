/** Moved to electron/engine/formats/keras/writer; this path stays until its callers (host, CLI, worker, e2e) import the new one. */
export * from '../formats/keras/writer';
