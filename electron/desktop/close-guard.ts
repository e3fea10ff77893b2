/**
 * "Unsaved changes" on close. The renderer reports its dirty state (`app.setDirty`); when a window
 * with unsaved changes is about to close (or the app to quit), main asks natively:
 * Save / Don't Save / Cancel. "Save" sends `app.beforeClose` to the renderer, which saves (through
 * the normal save requests) and answers `app.closeReady({ requestId, close })`; only then does the
 * window close. If the renderer does not answer within the timeout, the window stays open.
 */
import type { BrowserWindow, Dialog } from 'electron';
import { randomBytes } from 'node:crypto';

export type CloseChoice = 'save' | 'discard' | 'cancel';

export class CloseGuard {
  private dirty = false;
  private name = 'untitled';
  private allowClose = false;
  private asking = false;
  private readonly waiting = new Map<string, (close: boolean) => void>();

  constructor(
    private readonly deps: {
      dialog: Pick<Dialog, 'showMessageBox'>;
      /** Sends app.beforeClose to the renderer. */
      requestSave: (requestId: string) => void;
      timeoutMs?: number;
    },
  ) {}

  setDirty(dirty: boolean, name?: string) {
    this.dirty = dirty;
    if (name) this.name = name;
  }

  isDirty() {
    return this.dirty;
  }

  /** The renderer's answer to app.beforeClose. */
  closeReady(requestId: string, close: boolean) {
    const done = this.waiting.get(requestId);
    this.waiting.delete(requestId);
    done?.(close);
  }

  async ask(win: BrowserWindow): Promise<CloseChoice> {
    const r = await this.deps.dialog.showMessageBox(win, {
      type: 'warning',
      buttons: ['Save', "Don't Save", 'Cancel'],
      defaultId: 0,
      cancelId: 2,
      noLink: true,
      message: `Do you want to save the changes you made to "${this.name}"?`,
      detail: "Your changes will be lost if you don't save them.",
    });
    return (['save', 'discard', 'cancel'] as const)[r.response] ?? 'cancel';
  }

  private waitForSave(): Promise<boolean> {
    const requestId = randomBytes(8).toString('hex');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve(false);
      }, this.deps.timeoutMs ?? 60_000);
      this.waiting.set(requestId, (close) => {
        clearTimeout(timer);
        resolve(close);
      });
      this.deps.requestSave(requestId);
    });
  }

  /**
   * Attach to a window's 'close' event: returns the listener. With unsaved changes it prevents the
   * close, asks, and closes again when the person chose so (and the save succeeded).
   */
  listener(win: BrowserWindow) {
    return (event: { preventDefault(): void }) => {
      if (this.allowClose || !this.dirty) return;
      event.preventDefault();
      if (this.asking) return;
      this.asking = true;
      void (async () => {
        try {
          const choice = await this.ask(win);
          const close = choice === 'discard' || (choice === 'save' && (await this.waitForSave()));
          if (close) {
            this.allowClose = true;
            win.close();
          }
        } finally {
          this.asking = false;
        }
      })();
    };
  }
}
