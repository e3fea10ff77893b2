/** `settings.*`: the per-user settings file (electron/host/settings.ts). */
import type { HandlersOf, HostContext } from './context';

export function settingsHandlers({ deps: { settings } }: HostContext): HandlersOf<'settings'> {
  return {
    'settings.get': () => settings.get(),
    'settings.set': (patch) => settings.set(patch),
  };
}
