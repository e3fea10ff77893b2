/**
 * Crash recovery: the open document is autosaved (debounced) to browser storage while it has
 * unsaved changes; a clean save/new/close removes the copy. At start-up a leftover copy means the
 * last session ended with unsaved work, and the editor offers to restore it.
 */
const KEY = 'layerloom.recovery.v1';

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
  try {
    storage()?.setItem(KEY, JSON.stringify(r));
  } catch {
    /* storage full or unavailable: recovery is best effort */
  }
}

export function readRecovery(): Recovery | null {
  try {
    const raw = storage()?.getItem(KEY);
    if (!raw) return null;
    const r = JSON.parse(raw) as Recovery;
    return typeof r.text === 'string' && typeof r.savedAt === 'number' ? r : null;
  } catch {
    return null;
  }
}

export function clearRecovery(): void {
  storage()?.removeItem(KEY);
}
