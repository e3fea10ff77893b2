/** Web mode: the open file survives a reload of the tab (F5 used to leave an empty "untitled"). */
const OPEN_FILE_KEY = 'layerloom.openFile';
export function rememberOpenFile(path: string | null): void {
  try {
    if (path) sessionStorage.setItem(OPEN_FILE_KEY, path);
    else sessionStorage.removeItem(OPEN_FILE_KEY);
  } catch {
    /* storage unavailable: a reload starts empty, as before */
  }
}
function openFileBeforeReload(): string | null {
  try {
    return sessionStorage.getItem(OPEN_FILE_KEY);
  } catch {
    return null;
  }
}
// Read at load, before the first render's effects record the (still empty) new page; used once.
let reopenAfterReload = openFileBeforeReload();

/** The file open before the reload, once (then null). */
export function takeReopenAfterReload(): string | null {
  const f = reopenAfterReload;
  reopenAfterReload = null;
  return f;
}
