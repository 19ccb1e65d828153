import type { Provider } from '@tokenwarden/auth-core';
import type { ConformanceServer } from '@tokenwarden/auth-core/testing';
import { ensure, ensureEqual } from '../failure.js';
import type { Harness } from '../harness.js';
import { defineCheck, isOk, times, type ConformanceCheck } from './check.js';

type Via = 'createAuthFetch' | 'axios';

/** A GET through one axios instance or one authenticated fetch, resolving to the status. */
function client(h: Harness<ConformanceServer>, provider: Provider, via: Via): (url: string, context: string) => Promise<number> {
  if (via === 'createAuthFetch') return (url, context) => h.fetchStatus(provider, url, context);
  const instance = h.axios(provider);
  return (url, context) => h.axiosStatus(instance, url, context);
}

function recover(via: Via): ConformanceCheck {
  return defineCheck(
    via === 'axios' ? 'recover-axios' : 'recover-fetch',
    'recovery after rejection',
    `recovers from a revoked token through ${via === 'axios' ? 'attachAxios' : 'createAuthFetch'} with exactly one new login`,
    async (h) => {
      const server = await h.server();
      const provider = h.provider(server);
      const url = server.url + server.protectedPath;
      const send = client(h, provider, via);
      const first = await send(url, `the first request through ${via}`);
      ensure(isOk(first), `protectedPath answered ${first} to a fresh token; expected 2xx`);

      server.revokeAll();
      const status = await send(url, `a request through ${via} after revokeAll()`);
      ensure(
        isOk(status),
        `after revokeAll() a request through ${via} answered ${status}; the presenter's isRejected must recognise the rejection so the engine logs in again and retries`,
      );
      ensureEqual(server.counters.logins, 2, `login calls to recover from one revoked token through ${via}`);
      ensureEqual(server.counters.rejected, 1, 'requests the fake server rejected');
    },
  );
}

export const rejectionChecks: readonly ConformanceCheck[] = [
  recover('createAuthFetch'),
  recover('axios'),
  defineCheck('rejection-burst', 'recovery after rejection', 'makes exactly one new login when 10 parallel requests are rejected at once (fetch, then axios)', async (h) => {
    const server = await h.server();
    const provider = h.provider(server);
    const url = server.url + server.protectedPath;
    const first = await h.fetchStatus(provider, url, 'the first request');
    ensure(isOk(first), `protectedPath answered ${first} to a fresh token; expected 2xx`);

    let expectedLogins = 1;
    for (const via of ['createAuthFetch', 'axios'] as const) {
      const send = client(h, provider, via);
      server.revokeAll();
      const statuses = await Promise.all(times(10, () => send(url, `one of 10 parallel requests through ${via} after revokeAll()`)));
      ensure(statuses.every(isOk), `after revokeAll() 10 parallel requests through ${via} answered ${statuses.join(', ')}; expected 2xx for all`);
      expectedLogins++;
      ensureEqual(server.counters.logins, expectedLogins, `login calls after 10 parallel requests through ${via} were rejected`);
    }
    ensureEqual(server.counters.rejected, 20, 'requests the fake server rejected (each of the 20 once, then retried with the new token)');
  }),
];
