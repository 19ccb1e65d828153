import { ApiCallFailedError, InvalidOptionsError, TokenRejectedError, createAuthFetch } from '@tokenwarden/auth-core';
import { rejectionOf, renderErrorText } from '@tokenwarden/testkit';
import { engine, tracker } from '../test/helpers.js';
import { PrivateTokenError, genericJwt, type GenericJwtOptions } from './index.js';
import { startFakeGenericJwtServer, type FakeGenericJwtServer } from './testing/index.js';

const DAY_MS = 86_400_000;
const track = tracker();
let server: FakeGenericJwtServer;
beforeEach(async () => {
  server = await startFakeGenericJwtServer();
});
afterEach(() => server.close());

const withCredentials = (options: Partial<GenericJwtOptions> = {}) =>
  track(genericJwt({ baseUrl: server.url, email: server.credentials.email, password: server.credentials.password, ...options }, engine));

describe('createPrivateToken', () => {
  it('creates a private token with a short-living token: sends { name, expires_at } and returns id, name, token and expiry', async () => {
    const p = withCredentials();
    const expiresAt = new Date(Date.now() + 7 * DAY_MS);

    const created = await p.createPrivateToken({ name: 'ci-deploy', expiresAt });

    expect(created).toMatchObject({ name: 'ci-deploy', id: expect.any(Number) });
    expect(Math.abs(created.expiresAt.getTime() - expiresAt.getTime())).toBeLessThan(1_000);
    expect(server.privateTokens.get(Number(created.id))).toMatchObject({ name: 'ci-deploy', token: created.token, revoked: false });
    expect(server.check(created.token)).toEqual({ ok: true, typ: 'private' });
    expect(server.counters).toMatchObject({ logins: 1, created: 1 });
  });

  it.each([
    ['missing', undefined, 'is required: the API has no default expiration'],
    ['not a date', 'next tuesday', 'must be a Date, an ISO 8601 string or epoch ms'],
    ['in the past (Date)', new Date(Date.now() - 60_000), 'must be in the future'],
    ['in the past (epoch ms)', Date.now() - 1, 'must be in the future'],
    ['an invalid Date', new Date('nope'), 'must be a Date, an ISO 8601 string or epoch ms'],
  ])('refuses an expiresAt that is %s with InvalidOptionsError before any request', async (_label, expiresAt, message) => {
    const p = withCredentials();
    const error = await rejectionOf(p.createPrivateToken({ name: 'ci', expiresAt } as never));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues).toEqual([{ path: 'expiresAt', message: expect.stringContaining(message) }]);
    expect(server.counters).toMatchObject({ logins: 0, created: 0 });
  });

  it('refuses a missing name with InvalidOptionsError before any request', async () => {
    const error = await rejectionOf(withCredentials().createPrivateToken({ expiresAt: Date.now() + DAY_MS } as never));
    expect((error as InvalidOptionsError).issues).toEqual([{ path: 'name', message: 'is required' }]);
    expect(server.counters.logins).toBe(0);
  });

  it('fails with PrivateTokenError carrying status, code and detail when the API refuses the create', async () => {
    server.failNext('create', { kind: 'status', status: 400, body: JSON.stringify({ code: 'invalid', detail: 'A token with this name exists.' }) });
    const p = withCredentials();

    const error = await rejectionOf(p.createPrivateToken({ name: 'ci', expiresAt: Date.now() + DAY_MS }));

    expect(error).toBeInstanceOf(PrivateTokenError);
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect(error).toMatchObject({
      code: 'API_CALL_FAILED',
      operation: 'create private token',
      status: 400,
      apiCode: 'invalid',
      detail: 'A token with this name exists.',
      retryable: false,
    });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'API_CALL_FAILED', operation: 'create private token', status: 400, apiCode: 'invalid' });
    expect((error as Error).message).toBe('generic-jwt create private token failed: HTTP 400 (invalid: A token with this name exists.).');
    expect(renderErrorText(error)).not.toContain(server.credentials.password);
  });

  it('renews the short-living token once when the API refuses it (401), then succeeds', async () => {
    const p = withCredentials();
    await p.listPrivateTokens();
    server.revokeAll();

    await p.createPrivateToken({ name: 'after-revocation', expiresAt: Date.now() + DAY_MS });

    expect(server.counters).toMatchObject({ logins: 2, listed: 1, created: 1 });
  });
});

describe('listPrivateTokens and revokePrivateToken', () => {
  it('lists the private tokens that are not revoked, with their expiration times', async () => {
    const kept = server.issuePrivateToken({ name: 'kept', expiresInSec: 3 * 86_400 });
    const gone = server.issuePrivateToken({ name: 'gone', expiresInSec: 86_400 });
    const p = withCredentials();
    await p.revokePrivateToken(gone.id);

    const list = await p.listPrivateTokens();

    expect(list).toEqual([{ id: kept.id, name: 'kept', expiresAt: new Date(kept.expiresAt), createdAt: new Date(kept.createdAt) }]);
    expect(server.counters).toMatchObject({ logins: 1, listed: 1, revoked: 1 });
  });

  it('revokes a private token: the API refuses it from then on with token_not_valid', async () => {
    const issued = server.issuePrivateToken({ name: 'ci', expiresInSec: 86_400 });
    const user = track(genericJwt({ baseUrl: server.url, privateToken: { token: issued.token, id: issued.id } }, engine));
    const fetch = createAuthFetch(user);
    expect((await fetch(server.url + server.protectedPath)).status).toBe(200);

    await withCredentials().revokePrivateToken(String(issued.id));

    const error = await rejectionOf(fetch(server.url + server.protectedPath));
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error).toMatchObject({ apiCode: 'token_not_valid', detail: 'Token is revoked' });
  });

  it('fails with PrivateTokenError 404 when revoking an unknown id', async () => {
    const error = await rejectionOf(withCredentials().revokePrivateToken(4711));
    expect(error).toMatchObject({ operation: 'revoke private token', status: 404, apiCode: 'not_found', detail: 'No private token with this id.' });
  });

  it("gives a hanging private-token call the engine's loginTimeoutMs, and names the call, not a login", async () => {
    const p = track(genericJwt({ baseUrl: server.url, ...server.credentials }, { ...engine, loginTimeoutMs: 300 }));
    server.failNext('list', { kind: 'hang' });
    const error = await rejectionOf(p.listPrivateTokens());
    expect(error).toBeInstanceOf(PrivateTokenError);
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', operation: 'list private tokens', status: undefined, retryable: true });
    expect((error as Error).message).toBe('generic-jwt list private tokens failed: no answer within 300 ms.');
    expect(server.counters).toMatchObject({ logins: 1, listed: 0 });
  });

  it('carries Retry-After of a 429 from a private-token call as retryAfterMs', async () => {
    server.failNext('revoke', { kind: 'status', status: 429, headers: { 'retry-after': '20' } });
    const error = await rejectionOf(withCredentials().revokePrivateToken(1));
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', operation: 'revoke private token', status: 429, retryAfterMs: 20_000, retryable: true });
  });

  it('fails with PrivateTokenError when the list answer is not a list of private tokens', async () => {
    server.failNext('list', { kind: 'status', status: 200, body: JSON.stringify({ results: [] }) });
    const error = await rejectionOf(withCredentials().listPrivateTokens());
    expect(error).toBeInstanceOf(PrivateTokenError);
    expect((error as Error).message).toContain('the answer is not a list of private tokens');
  });

  it('logs in for a short-living token in long-living mode, since the private token does not manage tokens', async () => {
    const issued = server.issuePrivateToken({ name: 'stored', expiresInSec: 86_400 });
    const p = withCredentials({ privateToken: issued.token });

    await p.listPrivateTokens();
    await p.manager.getToken();

    expect(server.counters).toMatchObject({ logins: 1, listed: 1 });
  });

  it('fails with InvalidOptionsError before any request when no credentials are configured', async () => {
    const issued = server.issuePrivateToken({ name: 'stored', expiresInSec: 86_400 });
    const p = track(genericJwt({ baseUrl: server.url, privateToken: issued.token }, engine));
    for (const call of [p.listPrivateTokens(), p.revokePrivateToken(1), p.createPrivateToken({ name: 'x', expiresAt: Date.now() + DAY_MS })]) {
      expect(await rejectionOf(call)).toMatchObject({ code: 'INVALID_OPTIONS', issues: [{ path: 'email' }] });
    }
    expect(server.counters).toMatchObject({ logins: 0, listed: 0, created: 0, revoked: 0 });
  });
});
