/** The preload with Electron stubbed: it exposes the typed api through contextBridge, nothing else. */
import { REQUEST_NAMES } from '../../shared/ipc/contract';

const h = vi.hoisted(() => {
  const exposed: Record<string, any> = {};
  const listeners = new Map<string, Set<(...a: any[]) => void>>();
  return {
    exposed,
    listeners,
    electron: {
      contextBridge: { exposeInMainWorld: vi.fn((key: string, api: unknown) => (exposed[key] = api)) },
      ipcRenderer: {
        invoke: vi.fn(async (_channel: string, _payload: unknown) => ({ ok: true, value: { mode: 'electron', version: '1', platform: 'linux' } })),
        on: vi.fn((ch: string, l: (...a: any[]) => void) => {
          if (!listeners.has(ch)) listeners.set(ch, new Set());
          listeners.get(ch)!.add(l);
        }),
        removeListener: vi.fn((ch: string, l: (...a: any[]) => void) => listeners.get(ch)?.delete(l)),
      },
    },
  };
});
vi.mock('electron', () => h.electron);

await import('./index');

describe('preload', () => {
  it('exposes only `api`, with one function per request and on… subscriptions', () => {
    expect(Object.keys(h.exposed)).toEqual(['api']);
    const api = h.exposed.api;
    for (const n of REQUEST_NAMES) {
      const [ns, m] = n.split('.') as [string, string];
      expect(typeof api[ns][m]).toBe('function');
    }
    expect(Object.keys(api).filter((k) => k.startsWith('on')).sort()).toEqual(['onBeforeClose', 'onEngineStatus', 'onJobProgress', 'onMenuCommand', 'onTrainEvent']);
    expect(api.ipcRenderer).toBeUndefined();
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/invoke|send/);
  });

  it('invokes the request channel and validates before sending', async () => {
    const api = h.exposed.api;
    await expect(api.app.info()).resolves.toEqual({ mode: 'electron', version: '1', platform: 'linux' });
    expect(h.electron.ipcRenderer.invoke).toHaveBeenCalledWith('layerloom:app.info', {});
    await expect(api.engine.stop({ runId: '../x' })).rejects.toThrow(/engine\.stop: invalid request/);
    expect(h.electron.ipcRenderer.invoke).toHaveBeenCalledTimes(1);
  });

  it('subscriptions deliver validated events and unsubscribe', () => {
    const api = h.exposed.api;
    const got: unknown[] = [];
    const off = api.onMenuCommand((c: unknown) => got.push(c));
    const [listener] = h.listeners.get('layerloom:event:menu.command')!;
    listener!({}, { command: 'save' });
    off();
    expect(h.listeners.get('layerloom:event:menu.command')!.size).toBe(0);
    expect(got).toEqual([{ command: 'save' }]);
  });
});
