// Types of scripts/requirements.mjs.
export const NPM_TEST_ENV: string;
/** `apt`: the Debian package that provides it; `get`: how to obtain it when no package does. */
export type Requirement = ({ apt: string; get?: undefined } | { apt?: undefined; get: string }) & { why: string; present(): boolean };
export const REQUIREMENTS: Record<'chromium' | 'torch' | 'torch.distributed.run' | 'h5py' | 'onnx' | 'numpy' | 'sshd' | 'ssh' | 'sklearn' | 'fashion-mnist' | 'realworld-models', Requirement>;
export type RequirementName = keyof typeof REQUIREMENTS;
export function missingRequirements(names: RequirementName[]): (Requirement & { name: RequirementName })[];
export function underNpmTest(env?: NodeJS.ProcessEnv): boolean;
export function realworldModelsCandidates(env?: NodeJS.ProcessEnv): string[];
export function realworldModelsDir(env?: NodeJS.ProcessEnv): string;
