/** Tests only: a fake app API on the real client (requests/responses validated by the contract). */
import { createApi, type Transport } from '../../shared/ipc/client';
import type { RequestName } from '../../shared/ipc/contract';
import { dispatch, type Handlers } from '../../shared/ipc/rpc';
import { setApiForTests } from '../platform/api';

export interface FakeApi {
  calls: { name: RequestName; req: any }[];
}

export function installFakeApi(handlers: Partial<Handlers>): FakeApi {
  const fake: FakeApi = { calls: [] };
  const transport: Transport = {
    async invoke(name, payload) {
      fake.calls.push({ name, req: payload });
      return dispatch(handlers, name, payload, undefined);
    },
    subscribe: () => () => {},
  };
  setApiForTests(createApi(transport));
  return fake;
}
