/**
 * Crash recovery: the open document is autosaved (debounced) while it has unsaved changes; a clean
 * save/new/close removes the copy. At start-up a leftover copy means the last session ended with
 * unsaved work, and the editor offers to restore it.
 *
 * Two copies: browser storage (instant, survives a renderer crash) and the app's own file beside its
 * settings (`recovery.read/write`). Browser storage belongs to the page's origin, and web mode picks
 * a new port per launch, so only the app's copy survives a restart of the server; it has no size
 * limit beyond the contract's (64 MiB).
 */
import type { RecoveryCopy } from '../../shared/ipc/contract';
import { platform } from './platform';

const KEY = 'layerloom.recovery.v1';
/** Where versions before the recovery file kept the copy (small models only): read once, then cleared. */
const LEGACY_SETTING = 'editor.recovery';

export type Recovery = RecoveryCopy;

const storage = (): Storage | null => {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
};

export function writeRecovery(r: Recovery): void {
  try {
    storage()?.setItem(KEY, JSON.stringify(r));
  } catch {
    /* storage full or unavailable: the app's copy below still holds it */
  }
  void platform().writeRecoveryCopy(r);
}

function parse(raw: unknown): Recovery | null {
  if (typeof raw !== 'string' || !raw) return null;
  try {
    const r = JSON.parse(raw) as Recovery;
    return typeof r.text === 'string' && typeof r.savedAt === 'number' ? r : null;
  } catch {
    return null;
  }
}

/** The copy kept by the app (web mode after a server restart), or one left by an older version in the settings. */
export async function readRecoveryFromApp(): Promise<Recovery | null> {
  const copy = await platform().readRecoveryCopy();
  if (copy) return copy;
  const legacy = parse(await platform().getSetting(LEGACY_SETTING));
  if (legacy) return legacy;
  // The app may answer the very first read before it is ready: ask once more.
  await new Promise((r) => setTimeout(r, 1000));
  return (await platform().readRecoveryCopy()) ?? parse(await platform().getSetting(LEGACY_SETTING, true));
}

export function readRecovery(): Recovery | null {
  try {
    return parse(storage()?.getItem(KEY));
  } catch {
    return null;
  }
}

export function clearRecovery(): void {
  try {
    storage()?.removeItem(KEY);
  } catch {
    /* unavailable */
  }
  void platform().writeRecoveryCopy(null);
  void platform().getSetting(LEGACY_SETTING).then((v) => (v ? platform().setSetting(LEGACY_SETTING, null) : undefined));
}
