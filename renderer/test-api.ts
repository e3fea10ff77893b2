/**
 * Tests only: a fake app API built on the real client (requests and events are validated by the
 * contract exactly as in the app), with handlers given per test and events pushed by hand.
 */
import { createApi, type Transport } from '../shared/ipc/client';
import type { EventName, EventOf, RequestName } from '../shared/ipc/contract';
import { dispatch, type Handlers } from '../shared/ipc/rpc';
import { setApiForTests } from './platform/api';

export interface FakeApi {
  calls: { name: RequestName; req: any }[];
  emit<E extends EventName>(name: E, payload: EventOf<E>): void;
  handlers: Partial<Handlers>;
}

/** Shared by every fake: the store subscribes once for its lifetime, as with the real api. */
const listeners = new Map<EventName, Set<(p: unknown) => void>>();

export function installFakeApi(handlers: Partial<Handlers>): FakeApi {
  const fake: FakeApi = {
    calls: [],
    handlers,
    emit(name, payload) {
      for (const l of listeners.get(name) ?? []) l(payload);
    },
  };
  const transport: Transport = {
    async invoke(name, payload) {
      fake.calls.push({ name, req: payload });
      return dispatch(fake.handlers, name, payload, undefined);
    },
    subscribe(name, listener) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(listener);
      return () => listeners.get(name)!.delete(listener);
    },
  };
  setApiForTests(createApi(transport));
  return fake;
}
