import { MAX_MESSAGE_BYTES } from './contract';
import { MAX_FILE_BYTES } from '../document/load';
import { dispatch, encodeRequest, IpcError, MAX_ISSUE_CHARS, MAX_MESSAGE_CHARS, MAX_PAYLOAD_DEPTH, nestsDeeperThan, serveWireMessage, type Handlers } from './rpc';

const handlers: Partial<Handlers> = {
  'app.info': () => ({ mode: 'web', version: '1', platform: 'linux' }),
  'file.open': ({ path }) => {
    throw new IpcError('not-found', `cannot open "${path}": no such file`);
  },
};

/** `[[[…]]]` nested `depth` levels, built without recursion. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('dispatch refuses hostile requests by name', () => {
  it('answers names that reach Object.prototype members as unknown requests', async () => {
    for (const name of ['__proto__.toString', '__proto__.constructor', 'constructor.name', 'toString.call', 'hasOwnProperty.x', '__proto__', 'file.toString']) {
      expect(await dispatch(handlers, name, {}, undefined), name).toMatchObject({ ok: false, error: { code: 'unknown-request' } });
    }
  });

  it('refuses payloads nested deeper than the limit with a named error, before any recursive walk', async () => {
    expect(nestsDeeperThan(nested(MAX_PAYLOAD_DEPTH - 1), MAX_PAYLOAD_DEPTH)).toBe(false);
    expect(nestsDeeperThan(nested(MAX_PAYLOAD_DEPTH + 1), MAX_PAYLOAD_DEPTH)).toBe(true);
    const deep = nested(100_000);
    const r = await dispatch(handlers, 'engine.train', { doc: { nodes: [{ params: { x: deep } }] } }, undefined);
    expect(r).toEqual({ ok: false, error: { code: 'invalid-request', message: `engine.train: the request nests deeper than ${MAX_PAYLOAD_DEPTH} levels` } });
  });

  it('cuts long names and fields out of error messages', async () => {
    const huge = 'k'.repeat(5_000_000);
    const unknownKey = await dispatch(handlers, 'app.info', { [huge]: 1 }, undefined);
    expect(unknownKey).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const err = (unknownKey as { error: { message: string; issues: string[] } }).error;
    expect(err.message.length).toBeLessThan(MAX_MESSAGE_CHARS + 100);
    expect(err.message).toMatch(/more characters\)$/);
    for (const i of err.issues) expect(i.length).toBeLessThan(MAX_ISSUE_CHARS + 100);
    const thrown = await dispatch(handlers, 'file.open', { path: 'p'.repeat(4096) }, undefined);
    expect((thrown as { error: { message: string } }).error.message.length).toBeLessThan(MAX_MESSAGE_CHARS + 100);
    expect((await dispatch(handlers, huge, {}, undefined) as { error: { message: string } }).error.message.length).toBeLessThan(200);
  });
});

describe('web mode wire messages', () => {
  const answer = async (text: string) => JSON.parse(await serveWireMessage(handlers, text, undefined));

  it('answers invalid JSON, non-objects and missing or non-numeric ids with an error instead of silence', async () => {
    expect(await answer('{"id": 1, "name": ')).toMatchObject({ id: null, envelope: { ok: false, error: { code: 'invalid-request', message: /not valid JSON/ } } });
    expect(await answer('[1,2]')).toMatchObject({ id: null, envelope: { ok: false, error: { code: 'invalid-request', message: /JSON object/ } } });
    expect(await answer('null')).toMatchObject({ id: null, envelope: { ok: false, error: { code: 'invalid-request' } } });
    for (const id of ['"7"', '1.5', '-1', 'null', '1e300', '{}']) {
      expect(await answer(`{"id": ${id}, "name": "app.info"}`), id).toMatchObject({ id: null, envelope: { ok: false, error: { code: 'invalid-request', message: /"id"/ } } });
    }
    expect(await answer('{"id": 3, "name": "app.info", "payload": {}}')).toEqual({ id: 3, envelope: { ok: true, value: { mode: 'web', version: '1', platform: 'linux' } } });
    expect(await answer('{"id": 4, "name": "__proto__.toString"}')).toMatchObject({ id: 4, envelope: { ok: false, error: { code: 'unknown-request' } } });
  });

  it('a document at the size limit fits in one message, escaped or not; a larger request is refused before it is sent', () => {
    // A .loom file is JSON: the worst a valid one does to the message is escape every character once.
    const worst = '"'.repeat(MAX_FILE_BYTES);
    expect(Buffer.byteLength(encodeRequest(1, 'file.save', { path: 'a.loom', text: worst }, MAX_MESSAGE_BYTES))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const multiByte = 'é'.repeat(MAX_FILE_BYTES / 2);
    expect(Buffer.byteLength(encodeRequest(1, 'file.save', { path: 'a.loom', text: multiByte }, MAX_MESSAGE_BYTES))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    // Raw control characters (not in any valid .loom) escape to six bytes each: refused by name.
    expect(() => encodeRequest(2, 'file.save', { path: 'a.loom', text: '\u0001'.repeat(3 * 1024 * 1024) }, 16 * 1024 * 1024))
      .toThrow(expect.objectContaining({ code: 'invalid-request', message: 'file.save: the request is 18 MiB when sent; the limit is 16 MiB' }));
  });
});
