import { LoginFailedError, RateLimitedError } from '@tokenwarden/auth-core';
import { issueJwt } from '@tokenwarden/auth-core/testing';
import { rejectionOf, useDateOnlyFakeClock } from '@tokenwarden/testkit';
import { setup, type Setup } from '../test/support.js';

let t: Setup | undefined;
afterEach(async () => {
  jest.useRealTimers();
  await t?.close();
  t = undefined;
});

const WINDOW_MS = 15 * 60_000;
const rateLimitEvents = (s: Setup) => s.events.filter((e) => e.name === 'rateLimit').map((e) => e.payload);

describe('rate limits', () => {
  it("reports the login's X-RateLimit budget as an event and through rateLimit(endpoint)", async () => {
    t = await setup({ server: { loginRateLimit: 50 } });
    await t.provider.manager.getToken();
    await t.provider.manager.forceRefresh();
    expect(rateLimitEvents(t)).toEqual([
      { provider: 'mittwald', endpoint: 'POST /v1/authenticate', limit: 50, remaining: 49 },
      { provider: 'mittwald', endpoint: 'POST /v1/authenticate', limit: 50, remaining: 48 },
    ]);
    expect(t.provider.rateLimit(t.provider.loginEndpoint)).toEqual({ endpoint: 'POST /v1/authenticate', limit: 50, remaining: 48, seenAt: expect.any(Number) });
  });

  it('reports the budget of every API response through fetch and axios, per endpoint', async () => {
    t = await setup({ server: { apiRateLimit: 10 } });
    await t.fetch(`${t.server.url}/v1/customers/1`);
    await t.axios.get('/v1/customers/2');
    await t.axios.put('/v1/customers/2', { name: 'x' });
    expect(rateLimitEvents(t).slice(1)).toEqual([
      { provider: 'mittwald', endpoint: 'GET /v1/customers/1', limit: 10, remaining: 9 },
      { provider: 'mittwald', endpoint: 'GET /v1/customers/2', limit: 10, remaining: 8 },
      { provider: 'mittwald', endpoint: 'PUT /v1/customers/2', limit: 10, remaining: 7 },
    ]);
    expect(t.provider.rateLimits().map((r) => `${r.endpoint} ${r.remaining}/${r.limit}`)).toEqual([
      'POST /v1/authenticate 99/100',
      'GET /v1/customers/1 9/10',
      'GET /v1/customers/2 8/10',
      'PUT /v1/customers/2 7/10',
    ]);
    expect(t.provider.rateLimit('GET /v1/customers/404')).toBeUndefined();
  });

  it('hands a 429 of the API to the caller (fetch and axios) and reports the exhausted budget, without logging in again', async () => {
    t = await setup({ server: { apiRateLimit: 1 } });
    expect((await t.fetch(t.server.url + t.server.protectedPath)).status).toBe(200);
    const limited = await t.fetch(t.server.url + t.server.protectedPath);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    const error = (await rejectionOf(t.axios.get(t.server.protectedPath))) as { response?: { status: number } };
    expect(error.response?.status).toBe(429);
    expect(t.provider.rateLimit(`GET ${t.server.protectedPath}`)?.remaining).toBe(0);
    expect(t.server.counters.logins).toBe(1);
  });

  it('stops logging in when the login budget reaches 0: serves the valid token, then fails with RateLimitedError until the 15-minute window has passed', async () => {
    useDateOnlyFakeClock();
    t = await setup({ server: { loginRateLimit: 1, lifetimeSec: 60 } });
    const url = t.server.url + t.server.protectedPath;
    const first = await t.provider.manager.getToken();
    expect(t.provider.rateLimit(t.provider.loginEndpoint)?.remaining).toBe(0);

    // Past the refresh point: the current token is served and no background refresh runs.
    jest.setSystemTime(first.issuedAt + 50_000);
    expect((await t.provider.manager.getToken()).value).toBe(first.value);
    expect((await t.fetch(url)).status).toBe(200);

    // Expired and still inside the window: a typed error that says when to retry, no login call.
    jest.setSystemTime(first.issuedAt + 5 * 60_000);
    const viaGetToken = await rejectionOf(t.provider.manager.getToken());
    const viaFetch = await rejectionOf(t.fetch(url));
    const viaAxios = await rejectionOf(t.axios.get(t.server.protectedPath));
    for (const error of [viaGetToken, viaFetch, viaAxios]) {
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).message).toContain('mittwald login rate limit');
      expect((error as RateLimitedError).retryAt).toBeGreaterThanOrEqual(first.issuedAt + WINDOW_MS);
      expect((error as RateLimitedError).retryAt).toBeLessThan(first.issuedAt + WINDOW_MS + 5_000);
    }
    expect(t.server.counters.logins).toBe(1);

    jest.setSystemTime((viaGetToken as RateLimitedError).retryAt + 1);
    expect((await t.fetch(url)).status).toBe(200);
    expect(t.server.counters.logins).toBe(2);
  });

  it('honours a login 429 with Retry-After and X-RateLimit-Remaining 0: LoginFailedError, then RateLimitedError for the window, one login call', async () => {
    t = await setup({ server: { loginRateLimit: 0 } });
    const before = Date.now();
    const error = await rejectionOf(t.provider.manager.getToken());
    expect(error).toBeInstanceOf(LoginFailedError);
    expect((error as LoginFailedError).status).toBe(429);
    expect((error as LoginFailedError).retryAfterMs).toBeGreaterThan(WINDOW_MS - 5_000);
    const again = await rejectionOf(t.fetch(t.server.url + t.server.protectedPath));
    expect(again).toBeInstanceOf(RateLimitedError);
    expect((again as RateLimitedError).retryAt).toBeGreaterThanOrEqual(before + WINDOW_MS);
    expect(t.server.counters.logins).toBe(1);
    expect(t.server.counters.rateLimited).toBe(1);
  });

  it('honours a login 429 with a short Retry-After: RateLimitedError until then, not for a whole window', async () => {
    t = await setup();
    t.server.failNextLogins({ kind: 'status', status: 429, headers: { 'retry-after': '120' } });
    const before = Date.now();
    await rejectionOf(t.provider.manager.getToken());
    const error = (await rejectionOf(t.provider.manager.getToken())) as RateLimitedError;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(error.retryAt).toBeLessThan(Date.now() + 121_000);
    expect(t.server.counters.logins).toBe(1);
  });

  it('treats a login 429 without Retry-After as a used-up window: no retry storm, RateLimitedError afterwards', async () => {
    t = await setup();
    t.server.failNextLogins({ kind: 'status', status: 429, body: '{"message":"Too many requests."}' });
    const error = await rejectionOf(t.provider.manager.getToken());
    expect(error).toBeInstanceOf(LoginFailedError);
    expect((error as LoginFailedError).retryAfterMs).toBe(WINDOW_MS);
    const again = (await rejectionOf(t.provider.manager.getToken())) as RateLimitedError;
    expect(again).toBeInstanceOf(RateLimitedError);
    expect(again.retryAt).toBeGreaterThan(Date.now() + WINDOW_MS - 5_000);
    expect(t.server.counters.logins).toBe(1);
  });

  it('ignores rate-limit headers that are not whole numbers', async () => {
    t = await setup();
    t.server.failNextLogins({
      kind: 'status',
      status: 200,
      headers: { 'content-type': 'application/jwt', 'x-ratelimit': 'lots', 'x-ratelimit-remaining': '' },
      body: issueJwt({ lifetimeSec: 60 }),
    });
    await t.provider.manager.getToken();
    expect(rateLimitEvents(t)).toEqual([]);
    expect(t.provider.rateLimits()).toEqual([]);
  });
});
