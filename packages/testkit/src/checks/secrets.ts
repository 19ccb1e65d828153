import type { LoginFault } from '@tokenwarden/auth-core/testing';
import { ensure } from '../failure.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { MALFORMED_LOGINS } from './failures.js';

export const secretChecks: readonly ConformanceCheck[] = [
  defineCheck(
    'secret-redaction',
    'secrets',
    'puts no configured secret and no token into any error it provokes (message, stack, JSON.stringify, util.inspect)',
    async (h) => {
      const server = await h.server();
      const provider = h.provider(server, { engine: { loginTimeoutMs: 300, retry: { maxAttempts: 1 } } });
      const url = server.url + server.protectedPath;
      const wrong = h.provider(server, { credentials: 'wrong' });
      await h.fails(wrong.manager.getToken(), 'getToken() with wrong credentials');
      await h.fails(wrong.manager.getToken(), 'getToken() with wrong credentials during the cool-down');
      await h.fails(h.fetch(wrong)(url), 'createAuthFetch with wrong credentials');
      await h.fails(h.axios(wrong).get(url), 'axios with wrong credentials');

      const first = await h.token(provider, 'the first getToken()');
      // Every fault below then meets a login of its own.
      provider.manager.invalidate(first);
      // Servers echo what they were sent more often than they should: the errors built from
      // these answers must not carry the secrets on.
      const echo = `request was ${JSON.stringify([...h.secrets])}`;
      const faults: readonly { readonly label: string; readonly fault: LoginFault }[] = [
        ...MALFORMED_LOGINS,
        { label: 'HTTP 503', fault: { kind: 'status', status: 503 } },
        { label: 'HTTP 400 echoing the credentials', fault: { kind: 'status', status: 400, body: JSON.stringify({ error: echo }) } },
        { label: 'HTTP 500 echoing the credentials', fault: { kind: 'status', status: 500, body: JSON.stringify({ error: echo }) } },
        { label: 'HTTP 200 text echoing the credentials', fault: { kind: 'status', status: 200, headers: { 'content-type': 'text/plain' }, body: echo } },
        { label: 'no answer', fault: { kind: 'hang' } },
      ];
      for (const { label, fault } of faults) {
        server.failNextLogins(fault);
        await h.fails(provider.manager.getToken(), `getToken() when the login answers ${label}`);
      }
      await h.token(provider, 'getToken() after the failed logins');
      // axios errors carry the request config, headers included.
      await h.fails(h.axios(provider).get(url, { validateStatus: () => false }), 'an axios request to protectedPath whose answer is treated as an error');

      server.failNextLogins({ kind: 'status', status: 401, body: JSON.stringify({ error: echo }) });
      await h.fails(h.provider(server).manager.getToken(), 'getToken() when the login answers HTTP 401 echoing the credentials');

      ensure(h.tokens.size >= 2, `the check obtained ${h.tokens.size} token(s); it needs them to look for`);
      // Every error recorded above, and every refreshFailed event's error, is checked when the check ends.
    },
  ),
];
