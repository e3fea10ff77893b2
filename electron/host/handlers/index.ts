/**
 * The implementation of every request in the IPC contract, shared by the desktop app (ipcMain) and
 * web mode (WebSocket): one module per contract namespace, composed here. The compiler checks the
 * composition covers every request.
 */
import type { Handlers } from '../../../shared/ipc/rpc';
import { appHandlers } from './app';
import { compressHandlers } from './compress';
import { HostContext, type ShellDeps } from './context';
import { dataHandlers } from './data';
import { engineHandlers } from './engine';
import { explainHandlers } from './explain';
import { textHandlers } from './text';
import { exportHandlers } from './export';
import { fairnessHandlers } from './fairness';
import { fileHandlers } from './file';
import { recoveryHandlers } from './recovery';
import { runsHandlers } from './runs';
import { settingsHandlers } from './settings';

export type { Emit, ShellDeps } from './context';
export { BLANK_DOCUMENT, loadTemplates } from './templates';

export function createHandlers(deps: ShellDeps): Handlers {
  const ctx = new HostContext(deps);
  return {
    ...appHandlers(ctx),
    ...fileHandlers(ctx),
    ...settingsHandlers(ctx),
    ...recoveryHandlers(ctx),
    ...engineHandlers(ctx),
    ...dataHandlers(ctx),
    ...runsHandlers(ctx),
    ...exportHandlers(ctx),
    ...explainHandlers(ctx),
    ...textHandlers(ctx),
    ...fairnessHandlers(ctx),
    ...compressHandlers(ctx),
  };
}
