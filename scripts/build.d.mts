// Types of scripts/build.mjs (plain ESM, run by node) for the TypeScript that imports it.
export function buildElectron(opts?: { quiet?: boolean; outDir?: string }): Promise<void>;
export function buildRenderer(opts?: { outDir?: string; progress?: boolean }): Promise<void>;
export function rendererIsFresh(outDir?: string): boolean;
export function ensureRendererBuild(opts?: { outDir?: string; log?: (msg: string) => void }): Promise<boolean>;
