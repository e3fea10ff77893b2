import { createWebApi, hideToken, readToken } from './api';
import { createWsTransport } from './ws-transport';

/** A fake WebSocket that answers requests with `answer` and can push events. */
class FakeSocket {
  static last: FakeSocket | null = null;
  static answer: (name: string, payload: unknown) => unknown = () => ({ ok: true, value: null });
  readyState = 0;
  sent: any[] = [];
  onopen: (() => void) | null = null;
  onclose: ((ev: { reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.();
    }, 0);
  }
  send(data: string) {
    const m = JSON.parse(data);
    this.sent.push(m);
    setTimeout(() => this.onmessage?.({ data: JSON.stringify({ id: m.id, envelope: FakeSocket.answer(m.name, m.payload) }) }), 0);
  }
  push(event: string, payload: unknown) {
    this.onmessage?.({ data: JSON.stringify({ event, payload }) });
  }
  close() {
    this.readyState = 3;
    this.onclose?.({ reason: 'bye' });
  }
}

describe('web-mode api client', () => {
  it('reads the token from the query or the fragment, and keeps it for reloads of this tab', () => {
    const store = new Map<string, string>();
    const fake = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(readToken({ search: '', hash: '' }, fake)).toBeNull();
    expect(readToken({ search: '?token=abc&x=1', hash: '' }, fake)).toBe('abc');
    expect(readToken({ search: '', hash: '' }, fake)).toBe('abc');
    expect(readToken({ search: '', hash: '#token=xyz' }, fake)).toBe('xyz');
    expect(readToken({ search: '', hash: '' }, null)).toBeNull();
  });

  it('removes the token from the address bar, keeping the rest of the URL', () => {
    const replaced: string[] = [];
    const win = (href: string) => ({ location: { href }, history: { state: null, replaceState: (_s: unknown, _t: string, u?: string | URL | null) => void replaced.push(String(u)) } });
    hideToken(win('http://127.0.0.1:5000/?token=abc&open=m.loom'));
    hideToken(win('http://127.0.0.1:5000/#token=abc'));
    hideToken(win('http://127.0.0.1:5000/?open=m.loom'));
    expect(replaced).toEqual(['/?open=m.loom', '/']);
  });

  it('carries requests and events over the WebSocket with the token in its URL', async () => {
    FakeSocket.answer = (name) => (name === 'app.info' ? { ok: true, value: { mode: 'web', version: '1', platform: 'linux' } } : { ok: false, error: { code: 'forbidden', message: 'no' } });
    const t = createWsTransport({ url: 'ws://127.0.0.1:1/ws?token=T', WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
    await expect(t.invoke('app.info', {})).resolves.toMatchObject({ ok: true, value: { mode: 'web' } });
    expect(FakeSocket.last!.url).toBe('ws://127.0.0.1:1/ws?token=T');
    const got: unknown[] = [];
    const off = t.subscribe('engine.status', (p) => got.push(p));
    FakeSocket.last!.push('engine.status', { state: 'ready' });
    off();
    FakeSocket.last!.push('engine.status', { state: 'busy' });
    expect(got).toEqual([{ state: 'ready' }]);
    // A request in flight when the socket closes fails as disconnected, not forever pending.
    FakeSocket.answer = () => undefined;
    const sock = FakeSocket.last!;
    sock.send = (d: string) => sock.sent.push(JSON.parse(d));
    const pending = t.invoke('file.recent', {});
    await new Promise((r) => setTimeout(r, 5));
    sock.close();
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'disconnected' } });
  });

  it('createWebApi builds the URL from the page location and token', async () => {
    const original = globalThis.WebSocket;
    globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
    try {
      FakeSocket.answer = () => ({ ok: true, value: { files: [] } });
      const api = createWebApi({ protocol: 'http:', host: '127.0.0.1:4321', search: '?token=s3cret', hash: '' } as Location);
      await expect(api.file.recent()).resolves.toEqual({ files: [] });
      expect(FakeSocket.last!.url).toBe('ws://127.0.0.1:4321/ws?token=s3cret');
    } finally {
      globalThis.WebSocket = original;
    }
  });
});
