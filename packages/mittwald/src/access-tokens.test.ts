import { ApiCallFailedError, createAuthFetch, InvalidOptionsError, TokenRejectedError } from '@tokenwarden/auth-core';
import { rejectionOf, renderErrorText } from '@tokenwarden/testkit';
import { ENGINE, setup, type Setup } from '../test/support.js';
import { mittwald } from './index.js';

let t: Setup | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('access tokens', () => {
  it('follows the documented flow: log in once with username and password, create an access token, then use only that', async () => {
    t = await setup();
    const before = Date.now();
    const created = await t.provider.createAccessToken({ description: 'My application' });
    expect(created).toEqual({ uuid: expect.any(String), token: expect.stringMatching(/^MW_/), createdAt: expect.any(Date), description: 'My application' });
    expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(t.server.counters.logins).toBe(1);
    const request = t.server.seen.find((r) => r.path === '/v1/authentication/tokens')!;
    expect(request.method).toBe('POST');
    expect(request.headers['authorization']).toBe(`Bearer ${t.provider.manager.peek()!.value}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ description: 'My application' });

    // What the application stores: uuid and token, nothing else.
    const stored = JSON.parse(JSON.stringify({ uuid: created.uuid, token: created.token })) as { uuid: string; token: string };
    const app = mittwald({ baseUrl: t.server.url, ...stored }, ENGINE);
    try {
      const response = await createAuthFetch(app)(t.server.url + t.server.protectedPath);
      expect(await response.json()).toMatchObject({ principal: `token:${created.uuid}` });
      const login = t.server.seen.filter((r) => r.path === '/v1/authenticate').at(-1)!;
      expect(JSON.parse(login.body)).toEqual({ username: created.uuid, password: created.token });
    } finally {
      app.manager.dispose();
    }
  });

  it('rotates: creates a new access token, switches to it, revokes the old one, and the list follows', async () => {
    t = await setup({ credentials: 'access token' });
    const old = t.server.accessToken;
    const next = await t.provider.createAccessToken({ description: 'rotation 2' });
    const rotated = mittwald({ baseUrl: t.server.url, uuid: next.uuid, token: next.token }, ENGINE);
    try {
      expect((await rotated.listAccessTokens()).map((a) => a.uuid).sort()).toEqual([old.uuid, next.uuid].sort());
      expect(await rotated.revokeAccessToken(old.uuid)).toBe(true);
      const left = await rotated.listAccessTokens();
      expect(left).toEqual([{ uuid: next.uuid, createdAt: next.createdAt, description: 'rotation 2' }]);
      expect(await rotated.revokeAccessToken(old.uuid)).toBe(false);
      const deletes = t.server.seen.filter((r) => r.method === 'DELETE').map((r) => r.path);
      expect(deletes).toEqual([`/v1/authentication/tokens/${old.uuid}`, `/v1/authentication/tokens/${old.uuid}`]);
      // The list is never served from the server cache: a revocation does not clear the list's URI.
      const lists = t.server.seen.filter((r) => r.method === 'GET' && r.path === '/v1/authentication/tokens');
      expect(lists.map((r) => r.headers['cache-control'])).toEqual(['no-cache', 'no-cache']);
    } finally {
      rotated.manager.dispose();
    }
  });

  it('drops a secret token value if the list ever contains one', async () => {
    t = await setup();
    t.server.failNextTokenCalls({
      kind: 'status',
      status: 200,
      body: JSON.stringify([{ uuid: 'u-1', token: 'MW_listed-secret', crdate: '2021-08-23T14:06:17.580Z', description: 'x' }]),
    });
    expect(await t.provider.listAccessTokens()).toEqual([{ uuid: 'u-1', createdAt: new Date('2021-08-23T14:06:17.580Z'), description: 'x' }]);
  });

  it('uses the access_token query parameter for its own calls with tokenIn: "query"', async () => {
    t = await setup({ options: { tokenIn: 'query' } });
    await t.provider.createAccessToken({ description: 'via query' });
    const request = t.server.seen.find((r) => r.path.startsWith('/v1/authentication/tokens'))!;
    expect(new URL(request.path, t.server.url).searchParams.get('access_token')).toBe(t.provider.manager.peek()!.value);
    expect(request.headers['authorization']).toBeUndefined();
  });

  it('fails with ApiCallFailedError for a truncated JSON body from /authentication/tokens, without the partial token in the error', async () => {
    t = await setup();
    t.server.failNextTokenCalls({ kind: 'status', status: 201, body: '{"uuid":"u-1","token":"MW_aEQyz5j9YmTaam' });
    const error = await rejectionOf(t.provider.createAccessToken({ description: 'My application' }));
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', operation: 'create access token', status: 201, retryable: false });
    expect((error as Error).message).toContain('POST /v1/authentication/tokens answered a body that is not JSON');
    expect((error as Error).message).not.toContain('login');
    expect(renderErrorText(error)).not.toContain('MW_aEQyz5');
    expect(t.server.counters.tokenCalls).toBe(1);
  });

  it.each([
    ['a crdate that is not a date', { uuid: 'u', token: 'MW_x', crdate: 'yesterday', description: 'd' }],
    ['no token', { uuid: 'u', crdate: '2021-08-23T14:06:17.580Z', description: 'd' }],
    ['an array', []],
  ])('fails with ApiCallFailedError when the created access token has %s', async (_label, body) => {
    t = await setup();
    t.server.failNextTokenCalls({ kind: 'status', status: 201, body: JSON.stringify(body) });
    const error = await rejectionOf(t.provider.createAccessToken({ description: 'd' }));
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect(error).toMatchObject({ operation: 'create access token', retryable: false });
    expect((error as Error).message).toContain('not an access token');
  });

  it('refreshes a rejected API token once and retries the call', async () => {
    t = await setup();
    await t.provider.manager.getToken();
    t.server.revokeAll();
    const created = await t.provider.createAccessToken({ description: 'after revocation' });
    expect(created.description).toBe('after revocation');
    expect(t.server.counters.logins).toBe(2);
    expect(t.server.counters.rejected).toBe(1);
    expect(t.server.counters.tokenCalls).toBe(2);
    expect(t.events.filter((e) => e.name === 'rejected')).toHaveLength(1);
  });

  it('fails with TokenRejectedError when the call is rejected again with a fresh token', async () => {
    t = await setup({ server: { lifetimeSec: 0 } });
    t.server.settings.expClaim = false;
    const error = await rejectionOf(t.provider.listAccessTokens());
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect((error as TokenRejectedError).url).toBe(`${t.server.url}/v1/authentication/tokens`);
    expect(t.server.counters.tokenCalls).toBe(2);
    for (const token of t.tokens) expect(renderErrorText(error) + t.transcript()).not.toContain(token);
  });

  it('fails with a retryable ApiCallFailedError carrying Retry-After for a 503 from /authentication/tokens, without retrying it', async () => {
    t = await setup();
    t.server.failNextTokenCalls({ kind: 'status', status: 503, headers: { 'retry-after': '30' } });
    const error = await rejectionOf(t.provider.createAccessToken({ description: 'd' }));
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect((error as ApiCallFailedError).retryAfterMs).toBe(30_000);
    expect(error).toMatchObject({ operation: 'create access token', status: 503, retryable: true });
    expect((error as Error).message).toBe('mittwald create access token failed: POST /v1/authentication/tokens answered HTTP 503.');
    expect(t.server.counters.tokenCalls).toBe(1);
  });

  it('fails with a non-retryable ApiCallFailedError for a 403 from /authentication/tokens', async () => {
    t = await setup();
    t.server.failNextTokenCalls({ kind: 'status', status: 403 });
    const error = await rejectionOf(t.provider.listAccessTokens());
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect((error as ApiCallFailedError).status).toBe(403);
    expect(error).toMatchObject({ operation: 'list access tokens', retryable: false });
  });

  it('fails with a retryable ApiCallFailedError naming the revoke for a 500, carrying no token', async () => {
    t = await setup();
    t.server.failNextTokenCalls({ kind: 'status', status: 500 });
    const error = await rejectionOf(t.provider.revokeAccessToken('u-1'));
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', operation: 'revoke access token', status: 500, retryable: true });
    expect((error as Error).message).toBe('mittwald revoke access token failed: DELETE /v1/authentication/tokens/u-1 answered HTTP 500.');
    for (const token of t.tokens) expect(renderErrorText(error)).not.toContain(token);
  });

  it("gives a hanging access-token call the engine's loginTimeoutMs, and names the call, not a login", async () => {
    t = await setup({ engine: { loginTimeoutMs: 400 } });
    await t.provider.manager.getToken();
    t.server.failNextTokenCalls({ kind: 'hang' });
    const error = await rejectionOf(t.provider.listAccessTokens());
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect(error).toMatchObject({ operation: 'list access tokens', status: undefined, retryable: true });
    expect((error as Error).message).toBe('mittwald list access tokens failed: no answer within 400 ms.');
    expect(t.server.counters).toMatchObject({ logins: 1, tokenCalls: 1 });
  });

  it("takes requestTimeoutMs over the engine's loginTimeoutMs for a hanging access-token call", async () => {
    t = await setup({ options: { requestTimeoutMs: 150 }, engine: { loginTimeoutMs: 5_000 } });
    await t.provider.manager.getToken();
    t.server.failNextTokenCalls({ kind: 'hang' });
    const error = await rejectionOf(t.provider.createAccessToken({ description: 'd' }));
    expect((error as Error).message).toBe('mittwald create access token failed: no answer within 150 ms.');
  });

  it('fails with a retryable ApiCallFailedError, not a login error, when the server cannot be reached', async () => {
    t = await setup();
    await t.provider.manager.getToken();
    await t.server.close();
    const error = await rejectionOf(t.provider.revokeAccessToken('u-1'));
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect(error).toMatchObject({ operation: 'revoke access token', status: undefined, retryable: true });
    expect((error as Error).message).toMatch(/^mittwald revoke access token failed: network error \w+\.$/);
  });

  it("refuses an access-token answer larger than the engine's maxResponseBytes with a non-retryable ApiCallFailedError", async () => {
    t = await setup({ engine: { maxResponseBytes: 4096 } });
    await t.provider.manager.getToken();
    t.server.failNextTokenCalls({ kind: 'huge', bytes: 10_000 });
    const error = await rejectionOf(t.provider.listAccessTokens());
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', operation: 'list access tokens', retryable: false });
    expect((error as Error).message).toBe('mittwald list access tokens failed: the body is larger than 4096 bytes.');
  });

  it.each([
    ['an empty description', () => t!.provider.createAccessToken({ description: ' ' }), 'description'],
    ['an empty uuid', () => t!.provider.revokeAccessToken(''), 'uuid'],
  ])('rejects %s with InvalidOptionsError before any call', async (_label, call, path) => {
    t = await setup();
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues.map((i) => i.path)).toEqual([path]);
    expect(t.server.seen).toEqual([]);
  });

  it('takes the list and revoke paths from the options', async () => {
    t = await setup({ options: { listTokensPath: '/v1/customers/1', revokeTokenPath: '/v1/customers/{uuid}' } });
    const error = await rejectionOf(t.provider.listAccessTokens());
    // The customer resource is not a list: the configured path was called and its answer validated.
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect((error as Error).message).toContain('GET /v1/customers/1 answered JSON that is not a list of access tokens');
    expect(await t.provider.revokeAccessToken('7')).toBe(true);
    expect(t.server.seen.map((r) => `${r.method} ${r.path}`).slice(1)).toEqual(['GET /v1/customers/1', 'DELETE /v1/customers/7']);
  });
});
