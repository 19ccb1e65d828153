import { jest } from '@jest/globals';
import { NOT_EXISTING, TOKEN_INVALID, startFakeThinksuranceServer, type FakeThinksuranceServer } from './index.js';

let server: FakeThinksuranceServer;
beforeEach(async () => {
  server = await startFakeThinksuranceServer();
});
afterEach(async () => {
  jest.useRealTimers();
  await server.close();
});

const login = (body: string) =>
  fetch(`${server.url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body });

describe('the fake Thinksurance server', () => {
  it('issues a token with "expired" 15 minutes ahead in Berlin local time and a Date header on its own clock', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-10-25T00:50:00.000Z'), advanceTimers: true, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    server.settings.clockOffsetMs = 60_000;
    const response = await login(JSON.stringify(server.credentials));
    expect(response.status).toBe(200);
    expect(response.headers.get('date')).toBe('Sun, 25 Oct 2026 00:51:00 GMT');
    const body = (await response.json()) as { token: string; expired: string };
    expect(body).toEqual({ token: expect.stringMatching(/^[0-9a-f]{64}$/), expired: '2026-10-25 02:06:00' });
  });

  it('writes "expired" in settings.timeZone and sends no Date header when told not to', async () => {
    server.settings.timeZone = 'UTC';
    server.settings.sendDate = false;
    server.settings.lifetimeSec = 60;
    const before = Date.now();
    const response = await login(JSON.stringify(server.credentials));
    expect(response.headers.get('date')).toBeNull();
    const { expired } = (await response.json()) as { expired: string };
    const written = Date.parse(`${expired.replace(' ', 'T')}Z`);
    expect(written).toBeGreaterThanOrEqual(Math.floor((before + 60_000) / 1000) * 1000);
    expect(written).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it.each([
    ['a wrong secret', () => JSON.stringify({ ...server.credentials, secret: 'nope' }), NOT_EXISTING],
    ['a deactivated user', () => ((server.settings.deactivated = true), JSON.stringify(server.credentials)), NOT_EXISTING],
    ['no secret', () => JSON.stringify({ hash: server.credentials.hash }), 'The attributes hash and secret are required.'],
    ['a body that is not JSON', () => 'hash=x&secret=y', 'The request body is not valid JSON.'],
  ])('answers HTTP 200 { error } to a login with %s', async (_label, body, error) => {
    const response = await login(body());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ error });
    expect(server.counters.logins).toBe(1);
  });

  it('refuses a missing, unknown, revoked or expired token on the protected endpoint with 401 { error }, or 200 { error } when told to', async () => {
    const { token } = (await (await login(JSON.stringify(server.credentials))).json()) as { token: string };
    const call = (value?: string) => fetch(server.url + server.protectedPath, { headers: value ? { authorization: `Bearer ${value}` } : {} });
    expect((await call(token)).status).toBe(200);
    expect((await call()).status).toBe(401);
    expect(await (await call('unknown')).json()).toEqual({ error: TOKEN_INVALID });
    server.settings.clockOffsetMs = 16 * 60_000;
    expect((await call(token)).status).toBe(401);
    server.settings.clockOffsetMs = 0;
    server.settings.rejectWith200 = true;
    server.revoke(token);
    const refused = await call(token);
    expect([refused.status, await refused.json()]).toEqual([200, { error: TOKEN_INVALID }]);
    expect(server.counters).toEqual({ logins: 1, apiCalls: 5, rejected: 4 });
  });
});
