import { describe, expect, it } from 'vitest';
import { PytorchRuntimeSchema, RemoteSchema, splitHost } from './options';

describe('PyTorch runtime settings', () => {
  it('defaults: device auto, one process, remote folder under the home', () => {
    expect(PytorchRuntimeSchema.parse({})).toEqual({ device: 'auto', processes: 1 });
    expect(RemoteSchema.parse({ host: 'me@gpu' })).toEqual({ host: 'me@gpu', dir: '.layerloom/runs', keep: false });
    expect(RemoteSchema.parse({ host: 'me@gpu', dir: '~/runs' }).dir).toBe('runs');
  });

  it('refuses hosts, folders and devices that could carry shell or ssh options', () => {
    for (const host of ['me@host; rm -rf /', '-oProxyCommand=x', '-oFoo', '-x@h', 'me@host name', '$(id)@h', 'a@b:port']) {
      expect(RemoteSchema.safeParse({ host }).success, host).toBe(false);
    }
    for (const dir of ['runs; rm -rf ~', "it's", 'a b', '$HOME/x', 'x/~y']) expect(RemoteSchema.safeParse({ host: 'h', dir }).success, dir).toBe(false);
    for (const device of ['gpu', 'cuda:x', 'cuda; id']) expect(PytorchRuntimeSchema.safeParse({ device }).success, device).toBe(false);
    expect(PytorchRuntimeSchema.safeParse({ processes: 0 }).success).toBe(false);
  });

  it('splits a port off the host', () => {
    expect(splitHost('me@gpu:2222')).toEqual({ host: 'me@gpu', port: 2222 });
    expect(splitHost('gpu')).toEqual({ host: 'gpu' });
  });
});
