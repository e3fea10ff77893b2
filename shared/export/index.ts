/** Moved to shared/formats; this path stays until the callers (renderer, CLI) import the new one. */
export * from '../formats';
