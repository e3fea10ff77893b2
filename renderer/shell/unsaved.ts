/**
 * The unsaved-changes question before New, Open, a template or Import replaces the document: Save,
 * Don't save or Cancel, in the app (web mode's browser confirm could only discard or cancel). It is
 * shown over any open dialog (Open, Import), which stays as it was.
 */
import { useEditor } from '../store';

export type UnsavedAnswer = 'save' | 'discard' | 'cancel';
type Ask = (name: string) => Promise<UnsavedAnswer>;

const inApp: Ask = (name) => new Promise((resolve) => {
  useEditor.getState().showPrompt({
    name,
    answer: (a) => {
      useEditor.getState().showPrompt(null);
      resolve(a);
    },
  });
});

let ask: Ask = inApp;

/** Tests answer the question themselves (null: the in-app dialog again). */
export function setUnsavedPrompt(fn: Ask | null): void {
  ask = fn ?? inApp;
}

export const askUnsaved = (name: string) => ask(name);
