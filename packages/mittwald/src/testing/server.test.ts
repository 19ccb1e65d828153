import { decodeJwt } from '@tokenwarden/auth-core';
import { startFakeMittwaldServer, type FakeMittwaldServer } from './index.js';

let server: FakeMittwaldServer;
beforeEach(async () => {
  server = await startFakeMittwaldServer({ loginRateLimit: 2, clockOffsetMs: -60_000 });
});
afterEach(() => server.close());

const login = (init: { accept?: string; body?: unknown } = {}) =>
  fetch(`${server.url}/v1/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: init.accept ?? 'application/jwt' },
    body: JSON.stringify(init.body ?? server.credentials),
  });

describe('the fake mittwald server', () => {
  it('answers the raw JWT as application/jwt, on its own clock, counting the login budget down to a 429 with Retry-After', async () => {
    const first = await login();
    expect(first.headers.get('content-type')).toBe('application/jwt');
    const token = await first.text();
    const { payload } = decodeJwt(token);
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(3600);
    expect(Math.abs(Date.parse(first.headers.get('date')!) - (Date.now() - 60_000))).toBeLessThan(2_000);
    expect([first.headers.get('x-ratelimit'), first.headers.get('x-ratelimit-remaining')]).toEqual(['2', '1']);
    expect((await login()).headers.get('x-ratelimit-remaining')).toBe('0');
    const limited = await login();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(890);
    server.resetRateLimits();
    expect((await login()).status).toBe(200);
    expect(server.counters).toMatchObject({ logins: 4, rateLimited: 1 });
  });

  it('answers 406 to a login that does not accept application/jwt, and 401 to wrong credentials', async () => {
    expect((await login({ accept: 'application/json' })).status).toBe(406);
    expect((await login({ body: { username: server.credentials.username, password: 'nope' } })).status).toBe(401);
  });

  it('accepts the token as a Bearer header or as ?access_token=, and nothing else', async () => {
    const token = await (await login({ body: { username: server.accessToken.uuid, password: server.accessToken.token } })).text();
    const url = server.url + server.protectedPath;
    expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${url}?access_token=${token}`)).status).toBe(200);
    expect((await fetch(url, { headers: { authorization: `JWT ${token}` } })).status).toBe(401);
    expect((await fetch(`${url}?token=${token}`)).status).toBe(401);
    expect(server.counters).toMatchObject({ apiCalls: 4, rejected: 2 });
  });
});
