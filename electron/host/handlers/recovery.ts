/** `recovery.*`: the crash-recovery copy of the open document, beside the settings file. */
import { dirname, join } from 'node:path';
import { RecoveryStore } from '../recovery-store';
import type { HandlersOf, HostContext } from './context';

export function recoveryHandlers({ deps: { settings } }: HostContext): HandlersOf<'recovery'> {
  // Made on first use (tests that never touch recovery pass no settings).
  let recovery: RecoveryStore | null = null;
  const store = () => (recovery ??= new RecoveryStore(join(dirname(settings.file), 'recovery.json')));
  return {
    'recovery.read': async () => ({ recovery: await store().read() }),
    'recovery.write': async ({ recovery }) => {
      await store().write(recovery);
      return { ok: true };
    },
  };
}
