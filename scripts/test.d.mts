// Types of scripts/test.mjs (its exports; running it is `npm test`).
export function notRun(report: { testResults: { name: string; assertionResults: { status: string; title: string; fullName?: string }[] }[] }): string[];
export function stages(only?: string[]): [name: string, cmd: string, args: string[], report?: string][];
