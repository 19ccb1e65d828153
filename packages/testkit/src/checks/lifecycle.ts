import { ensure, ensureEqual } from '../failure.js';
import { defineCheck, isOk, times, type ConformanceCheck } from './check.js';

const HOUR_MS = 3_600_000;

export const lifecycleChecks: readonly ConformanceCheck[] = [
  defineCheck('cold-burst', 'single flight', 'makes exactly one login for 100 concurrent getToken() calls on a cold cache', async (h) => {
    const server = await h.server();
    const provider = h.provider(server);
    const burst = await h.succeeds(Promise.all(times(100, () => provider.manager.getToken())), '100 concurrent getToken() on a cold cache');
    ensureEqual(server.counters.logins, 1, 'login calls for 100 concurrent getToken() on a cold cache');
    ensureEqual(new Set(burst.map((t) => t.value)).size, 1, 'distinct tokens handed to 100 concurrent callers');

    await h.succeeds(Promise.all(times(100, () => provider.manager.getToken())), '100 getToken() with a valid token cached');
    ensureEqual(server.counters.logins, 1, 'login calls for 100 more getToken() while the token is valid (it must be served from memory)');

    const status = await h.fetchStatus(provider, server.url + server.protectedPath, 'GET protectedPath through createAuthFetch');
    ensure(isOk(status), `the fake server's protectedPath ${server.protectedPath} answered ${status} to the provider's fresh token; expected 2xx`);
    ensureEqual(server.counters.rejected, 0, 'requests the fake server rejected');
  }),

  defineCheck('token-lifetime', 'refresh', "takes the token's lifetime from the server's answer, also with the server clock 2 hours ahead or behind", async (h) => {
    const server = await h.server();
    server.settings.lifetimeSec = 600;
    const provider = h.provider(server);
    for (const [index, offsetHours] of [0, 2, -2].entries()) {
      server.settings.clockOffsetMs = offsetHours * HOUR_MS;
      const token = await h.succeeds(provider.manager.forceRefresh(), `forceRefresh() with the server clock ${offsetHours} h off`);
      ensureEqual(server.counters.logins, index + 1, `login calls after forceRefresh() #${index + 1}`);
      const remainingSec = Math.round((token.expiresAt - Date.now()) / 1000);
      // A second's rounding either way (whole-second timestamps); a provider may keep a small margin.
      ensure(
        remainingSec >= 540 && remainingSec <= 602,
        `with the server clock ${offsetHours} h off, a token the server issued for 600 s expires in ${remainingSec} s by the provider's account. ` +
          'Compute expiry from the server\'s own times (jwtExpiry, serverRelativeExpiry), and let the fake server send its Date header on its own clock (Date.now() + settings.clockOffsetMs).',
      );
      const status = await h.fetchStatus(provider, server.url + server.protectedPath, `GET protectedPath with the server clock ${offsetHours} h off`);
      ensure(isOk(status), `with the server clock ${offsetHours} h off, protectedPath answered ${status} to a fresh token; expected 2xx`);
    }
  }),

  defineCheck(
    'refresh-before-expiry',
    'refresh',
    'refreshes in the background past the refresh point while still serving the current token, and makes callers wait only for a token about to expire',
    async (h) => {
      h.useFakeClock();
      const server = await h.server();
      server.settings.lifetimeSec = 60;
      // Refresh at half the lifetime exactly; stop handing a token out in its last 5 s.
      const provider = h.provider(server, { engine: { refresh: { share: 0.5, minRemainingMs: 0, jitter: 0, expiryMarginMs: 5_000 } } });
      const { manager } = provider;
      const first = await h.token(provider, 'the first getToken()');
      const lifetime = first.expiresAt - first.issuedAt;
      ensure(
        lifetime > 50_000 && lifetime <= 62_000,
        `a token the server issued for 60 s has a lifetime of ${lifetime} ms (expiresAt − issuedAt); see the token-lifetime check`,
      );

      h.setClock(first.issuedAt + lifetime * 0.7);
      const served = await h.succeeds(Promise.all(times(20, () => manager.getToken())), '20 getToken() past the refresh point');
      ensure(
        served.every((t) => t.value === first.value),
        'past the refresh point (70 % of the lifetime) a caller waited for a new token; the current one must be served at once while one background refresh runs',
      );
      await h.waitFor(() => manager.peek()?.value !== first.value, 'the background refresh to replace the token');
      ensureEqual(server.counters.logins, 2, 'login calls for the background refresh started by 20 callers past the refresh point');
      const second = await h.token(provider, 'getToken() after the background refresh');
      ensure(second.value !== first.value, 'getToken() still returns the old token after the background refresh');
      const status = await h.fetchStatus(provider, server.url + server.protectedPath, 'GET protectedPath with the refreshed token');
      ensure(isOk(status), `protectedPath answered ${status} to the refreshed token; expected 2xx`);
      ensureEqual(server.counters.logins, 2, 'login calls after the refreshed token was used');

      h.setClock(second.expiresAt - 2_000);
      const third = await h.token(provider, 'getToken() 2 s before the token expires');
      ensure(third.value !== second.value, 'getToken() handed out a token 2 s before its expiry (inside the 5 s expiry margin); callers must wait for a new one');
      ensureEqual(server.counters.logins, 3, 'login calls for a token about to expire');
    },
  ),
];
