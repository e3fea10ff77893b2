/** Moved to shared/formats/registry.ts; this path stays until the callers (renderer, CLI) import the new one. */
export * from '../formats/registry';
