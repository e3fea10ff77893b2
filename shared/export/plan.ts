/** Moved to shared/formats/plan.ts; this path stays until the callers (renderer, CLI) import the new one. */
export * from '../formats/plan';
