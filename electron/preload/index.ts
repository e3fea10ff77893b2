/**
 * The preload: exposes the typed `window.api` (one function per request, `on…` subscriptions that
 * return an unsubscribe) through contextBridge, and nothing else — never ipcRenderer itself.
 * Sandboxed preloads cannot import modules at run time, so scripts/build.mjs bundles this file (with
 * zod and the contract) into one CommonJS script.
 */
import '../../shared/zod-no-eval'; // before any schema is defined
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createApi, eventChannel, requestChannel, type Transport } from '../../shared/ipc/client';
import type { Envelope } from '../../shared/ipc/rpc';

export const transport: Transport = {
  invoke: (name, payload) => ipcRenderer.invoke(requestChannel(name), payload) as Promise<Envelope>,
  subscribe: (name, listener) => {
    const channel = eventChannel(name);
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
};

contextBridge.exposeInMainWorld('api', createApi(transport));
