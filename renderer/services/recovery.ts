/**
 * Crash recovery: the open document is autosaved (debounced) to browser storage while it has
 * unsaved changes; a clean save/new/close removes the copy. At start-up a leftover copy means the
 * last session ended with unsaved work, and the editor offers to restore it.
 *
 * Browser storage belongs to the page's origin, and web mode picks a new port per launch; so the
 * copy is also kept in the app's settings (`ui['editor.recovery']`, which holds up to 10,000
 * characters: most models) to survive a restart of the server.
 */
import { platform } from './platform';

const KEY = 'layerloom.recovery.v1';
const SETTING = 'editor.recovery';
const SETTING_MAX = 10_000;

export interface Recovery {
  text: string;
  filePath: string | null;
  savedAt: number;
}

const storage = (): Storage | null => {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
};

export function writeRecovery(r: Recovery): void {
  const json = JSON.stringify(r);
  try {
    storage()?.setItem(KEY, json);
  } catch {
    /* storage full or unavailable: recovery is best effort */
  }
  void platform().setSetting(SETTING, json.length <= SETTING_MAX ? json : null);
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

/** The copy kept in the app's settings (web mode after a server restart). */
export async function readRecoveryFromSettings(): Promise<Recovery | null> {
  const first = parse(await platform().getSetting(SETTING));
  if (first) return first;
  // The app may answer the very first settings read before its file is loaded: ask once more.
  await new Promise((r) => setTimeout(r, 1000));
  return parse(await platform().getSetting(SETTING, true));
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
  void platform().setSetting(SETTING, null);
}
