/** A failed request as the dialogs show it: the message, and the list of issues the app sent with it. */
import { IpcError } from './api';

export interface ErrorOutcome {
  kind: 'error';
  message: string;
  issues: string[];
}

export function errorOutcome(e: unknown): ErrorOutcome {
  const issues = e instanceof IpcError && e.issues ? e.issues : [];
  const message = (e as Error)?.message ?? String(e);
  // The importer's message repeats its list after the first line; the list is shown on its own.
  return { kind: 'error', message: issues.length ? message.split('\n')[0]! : message, issues };
}
