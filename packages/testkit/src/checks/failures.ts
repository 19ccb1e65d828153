import type { LoginFault } from '@tokenwarden/auth-core/testing';
import { ensure, ensureEqual } from '../failure.js';
import { SUITE_ENGINE } from '../harness.js';
import { defineCheck, ensureCode, isOk, times, type ConformanceCheck, type ConformanceCheckId } from './check.js';

/** Login answers that are not a token, each with the check that provokes it. */
export const MALFORMED_LOGINS: readonly { readonly id: ConformanceCheckId; readonly label: string; readonly fault: LoginFault }[] = [
  { id: 'malformed-html', label: 'an HTML page with status 200', fault: { kind: 'html' } },
  { id: 'malformed-empty', label: 'an empty body with status 200', fault: { kind: 'empty' } },
  {
    id: 'malformed-truncated',
    label: 'truncated JSON with status 200',
    fault: { kind: 'status', status: 200, body: '{"token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJk' },
  },
  {
    id: 'malformed-huge',
    label: `a body twice the size of maxResponseBytes (${(2 * SUITE_ENGINE.maxResponseBytes) / 1024} KiB)`,
    fault: { kind: 'huge', bytes: 2 * SUITE_ENGINE.maxResponseBytes },
  },
  { id: 'malformed-null', label: 'the JSON value null', fault: { kind: 'null' } },
  { id: 'malformed-no-token', label: 'a JSON object without a token', fault: { kind: 'status', status: 200, body: '{"unexpected":true}' } },
];

const malformedChecks = MALFORMED_LOGINS.map(({ id, label, fault }) =>
  defineCheck(id, 'malformed login responses', `fails with INVALID_TOKEN_RESPONSE after one login and caches nothing when the login answers ${label}`, async (h) => {
    const server = await h.server();
    const provider = h.provider(server);
    server.failNextLogins(fault);
    const error = await h.fails(provider.manager.getToken(), `getToken() when the login answers ${label}`);
    ensureCode(h, error, 'INVALID_TOKEN_RESPONSE', `getToken() when the login answers ${label}`);
    ensureEqual(server.counters.logins, 1, `login calls when the login answers ${label} (an answer that is not a token is not retried)`);
    ensure(provider.manager.peek() === undefined, `after the login answered ${label} the manager holds a token`);

    await h.token(provider, `the getToken() after the login answered ${label}`);
    ensureEqual(server.counters.logins, 2, `login calls after the login answered ${label}: the next getToken() must log in again`);
  }),
);

export const failureChecks: readonly ConformanceCheck[] = [
  defineCheck(
    'wrong-credentials',
    'wrong credentials',
    'fails with CREDENTIALS_REJECTED after exactly one login and makes no login call during the cool-down',
    async (h) => {
      h.useFakeClock();
      const server = await h.server();
      const provider = h.provider(server, { credentials: 'wrong' });
      const url = server.url + server.protectedPath;

      const first = await h.fails(provider.manager.getToken(), 'getToken() with wrong credentials');
      ensureCode(h, first, 'CREDENTIALS_REJECTED', 'getToken() with wrong credentials');
      ensureEqual(server.counters.logins, 1, 'login calls for getToken() with wrong credentials (rejected credentials are never retried)');

      const during = await Promise.allSettled(times(10, () => provider.manager.getToken()));
      for (const outcome of during) {
        ensure(outcome.status === 'rejected', 'getToken() during the cool-down succeeded although the credentials were rejected');
        h.record(outcome.reason, 'getToken() during the cool-down');
        ensureCode(h, outcome.reason, 'CREDENTIALS_REJECTED', 'getToken() during the cool-down');
      }
      const viaFetch = await h.fails(h.fetch(provider)(url), 'a request through createAuthFetch during the cool-down');
      ensureCode(h, viaFetch, 'CREDENTIALS_REJECTED', 'a request through createAuthFetch during the cool-down');
      const viaAxios = await h.fails(h.axios(provider).get(url), 'a request through axios during the cool-down');
      ensureCode(h, viaAxios, 'CREDENTIALS_REJECTED', 'a request through axios during the cool-down');
      ensureEqual(server.counters.logins, 1, 'login calls during the cool-down (10 getToken(), one fetch, one axios request)');
      ensureEqual(server.counters.apiCalls, 0, 'API calls made without a token');

      h.setClock(Date.now() + SUITE_ENGINE.credentialsCooldownMs + 1_000);
      const after = await h.fails(provider.manager.getToken(), 'getToken() after the cool-down');
      ensureCode(h, after, 'CREDENTIALS_REJECTED', 'getToken() after the cool-down');
      ensureEqual(server.counters.logins, 2, 'login calls once the cool-down has passed (exactly one new attempt)');
    },
  ),

  ...malformedChecks,

  defineCheck('login-outage', 'login outage', 'serves every caller after the login answers 503, 503 and then a token', async (h) => {
    const server = await h.server();
    const provider = h.provider(server);
    server.failNextLogins({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const tokens = await h.succeeds(Promise.all(times(5, () => provider.manager.getToken())), '5 concurrent getToken() through 503, 503, success');
    ensureEqual(server.counters.logins, 3, 'login calls for 503, 503, then a token (one per attempt, shared by 5 callers)');
    ensureEqual(new Set(tokens.map((t) => t.value)).size, 1, 'distinct tokens handed to 5 callers');
    const status = await h.fetchStatus(provider, server.url + server.protectedPath, 'GET protectedPath after the outage');
    ensure(isOk(status), `protectedPath answered ${status} to the token obtained after the outage; expected 2xx`);
  }),

  defineCheck('login-timeout', 'login outage', 'fails with LOGIN_TIMEOUT and caches nothing when the login never answers or trickles', async (h) => {
    const server = await h.server();
    const provider = h.provider(server, { engine: { loginTimeoutMs: 300, retry: { maxAttempts: 1 } } });
    for (const fault of [{ kind: 'hang' }, { kind: 'trickle' }] as const) {
      server.failNextLogins(fault);
      const error = await h.fails(provider.manager.getToken(), `getToken() when the login does "${fault.kind}"`);
      ensureCode(h, error, 'LOGIN_TIMEOUT', `getToken() when the login does "${fault.kind}"`);
      ensure(provider.manager.peek() === undefined, `after a login that did "${fault.kind}" the manager holds a token`);
    }
    await h.token(provider, 'getToken() after two timed-out logins');
    ensureEqual(server.counters.logins, 3, 'login calls: two timed out, the third succeeded');
  }),
];
