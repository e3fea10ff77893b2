/** `settings.*`: the per-user settings file (electron/host/settings.ts), and the check of its PyTorch runtime. */
import { pytorchRuntimeOf } from '../../../shared/runtime/options';
import type { HandlersOf, HostContext } from './context';

export function settingsHandlers({ deps: { settings }, engine }: HostContext): HandlersOf<'settings'> {
  return {
    'settings.get': () => settings.get(),
    'settings.set': (patch) => settings.set(patch),
    'settings.checkRuntime': async (runtime) => {
      try {
        return await engine.call('settings.checkRuntime', pytorchRuntimeOf(runtime));
      } catch (e) {
        return { ok: false, python: runtime.python, message: (e as Error).message };
      }
    },
  };
}
