// Types of scripts/requirements.mjs.
export const NPM_TEST_ENV: string;
export interface Requirement { apt: string; why: string; present(): boolean }
export const REQUIREMENTS: Record<'chromium' | 'torch' | 'torch.distributed.run' | 'h5py' | 'numpy' | 'sshd' | 'ssh' | 'sklearn' | 'fashion-mnist', Requirement>;
export type RequirementName = keyof typeof REQUIREMENTS;
export function missingRequirements(names: RequirementName[]): (Requirement & { name: RequirementName })[];
export function underNpmTest(env?: NodeJS.ProcessEnv): boolean;
