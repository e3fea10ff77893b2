/**
 * Format migrations. `MIGRATIONS[n]` turns a version-n document (already JSON-parsed, unvalidated)
 * into version n+1. Add one entry per format change and bump CURRENT_VERSION; never edit old ones.
 */
export const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {
  // Version 1 is the first format: nothing to migrate yet. Example shape of a future entry:
  // 1: (doc) => ({ ...doc, version: 2, nodes: (doc.nodes as any[]).map(renameParam('kernel', 'kernelSize')) }),
};
