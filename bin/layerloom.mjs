#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx layerloom` / `npm run layerloom --` work from a checkout.
import { register } from 'tsx/esm/api';
register();
const { runCli } = await import('../electron/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
