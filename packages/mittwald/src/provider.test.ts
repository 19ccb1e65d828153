import {
  CredentialsRejectedError,
  InvalidOptionsError,
  InvalidTokenResponseError,
  TokenRejectedError,
  createAuthFetch,
  decodeJwt,
} from '@tokenwarden/auth-core';
import { signJwt } from '@tokenwarden/auth-core/testing';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import { carriesAny, rejectionOf, renderErrorText, startRecordingServer, startRedirectingFront } from '@tokenwarden/testkit';
import axios, { AxiosError } from 'axios';
import { ENGINE, setup, type Setup } from '../test/support.js';
import { mittwald, type MittwaldOptions } from './index.js';

let t: Setup | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const jwtAnswer = (body: string) => ({ kind: 'status', status: 200, headers: { 'content-type': 'application/jwt' }, body }) as const;

describe('login', () => {
  it.each(['password', 'access token'] as const)(
    'logs in once with the %s as JSON username and password, asking for application/jwt, and takes the raw JWT',
    async (credentials) => {
      t = await setup({ credentials });
      const responses = await Promise.all([...Array(5)].map(() => t!.fetch(t!.server.url + t!.server.protectedPath)));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const principal = credentials === 'password' ? `user:${t.server.credentials.username}` : `token:${t.server.accessToken.uuid}`;
      expect(await responses[0]!.json()).toEqual({ customerId: '123456', method: 'GET', principal });
      expect(t.server.counters.logins).toBe(1);

      const login = t.server.seen.find((r) => r.path === '/v1/authenticate')!;
      expect(login.method).toBe('POST');
      expect(login.headers['accept']).toBe('application/jwt');
      expect(login.headers['content-type']).toBe('application/json');
      const sent = credentials === 'password' ? t.server.credentials : { username: t.server.accessToken.uuid, password: t.server.accessToken.token };
      expect(JSON.parse(login.body)).toEqual(sent);
      const token = t.provider.manager.peek()!;
      expect(decodeJwt(token.value).payload['sub']).toBe(principal);
      expect(token.scheme).toBe('Bearer');
    },
  );

  it('takes the lifetime as exp − iat on the server clock, also with the server 3 hours ahead', async () => {
    t = await setup({ server: { lifetimeSec: 600, clockOffsetMs: 3 * 3_600_000 } });
    const token = await t.provider.manager.getToken();
    expect(token.expiresAt - token.issuedAt).toBe(600_000);
    expect((await t.fetch(t.server.url + t.server.protectedPath)).status).toBe(200);
  });

  it('uses fallbackLifetimeMs for a JWT without exp and says so in a warning event', async () => {
    t = await setup({ options: { fallbackLifetimeMs: 120_000 } });
    t.server.settings.expClaim = false;
    const token = await t.provider.manager.getToken();
    expect(decodeJwt(token.value).payload['exp']).toBeUndefined();
    expect(token.expiresAt - token.issuedAt).toBe(120_000);
    expect(t.events.filter((e) => e.name === 'warning').map((e) => (e.payload as { message: string }).message)).toEqual([
      'the token has no exp claim; it is assumed valid for 120 s (fallbackLifetimeMs)',
    ]);
  });

  it('rejects a wrong password with CredentialsRejectedError after one login call, also for 20 requests through fetch and axios, without the password', async () => {
    t = await setup();
    const wrong = mittwald({ baseUrl: t.server.url, username: t.server.credentials.username, password: 'wrong-password-1' }, ENGINE);
    try {
      const error = await rejectionOf(wrong.manager.getToken());
      expect(error).toBeInstanceOf(CredentialsRejectedError);
      expect((error as CredentialsRejectedError).reason).toBe('Invalid username or password.');
      const fetch = createAuthFetch(wrong);
      const outcomes = await Promise.allSettled([...Array(20)].map(() => fetch(t!.server.url + t!.server.protectedPath)));
      expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof CredentialsRejectedError)).toBe(true);
      expect(t.server.counters.logins).toBe(1);
      expect(t.server.counters.apiCalls).toBe(0);
      expect(renderErrorText(error)).not.toContain('wrong-password-1');
    } finally {
      wrong.manager.dispose();
    }
  });

  it('rejects a revoked access token with CredentialsRejectedError', async () => {
    t = await setup({ credentials: 'access token' });
    expect(await t.provider.revokeAccessToken(t.server.accessToken.uuid)).toBe(true);
    const error = await rejectionOf(t.provider.manager.forceRefresh());
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect(renderErrorText(error)).not.toContain(t.server.accessToken.token);
  });

  it.each([
    ['a login body that is not a JWT', jwtAnswer('not-a-jwt'), 'the body is not a JWT (application/jwt)'],
    ['a JWT-shaped body whose payload is not JSON', jwtAnswer('eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.c2ln'), 'the payload is not JSON'],
    ['a JWT wrapped in JSON', { kind: 'status', status: 200, body: JSON.stringify({ token: signJwt({ exp: 2e9 }) }) }, 'the body is not a JWT (application/json)'],
    ['an HTML page with status 200', { kind: 'html' }, 'the body is not a JWT (text/html)'],
    ['an empty body with status 200', { kind: 'empty' }, 'the body is not a JWT'],
    ['a JWT that expired before it was issued', jwtAnswer(signJwt({ iat: 2_000_000_000, exp: 1_999_999_000 })), 'already expired'],
  ] as const)('fails with InvalidTokenResponseError after one login and caches nothing for %s', async (_label, fault, problem) => {
    t = await setup();
    t.server.failNextLogins(fault);
    const error = await rejectionOf(t.provider.manager.getToken());
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as Error).message).toContain(problem);
    expect(renderErrorText(error)).not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}/);
    expect(t.server.counters.logins).toBe(1);
    expect(t.provider.manager.peek()).toBeUndefined();
    await t.provider.manager.getToken();
    expect(t.server.counters.logins).toBe(2);
  });

  it('shows the start of an HTML page in the error, so the user sees what answered', async () => {
    t = await setup();
    t.server.failNextLogins({ kind: 'html' });
    const error = (await rejectionOf(t.provider.manager.getToken())) as InvalidTokenResponseError;
    expect(error.preview).toMatch(/^<!DOCTYPE html>/);
    expect(error.status).toBe(200);
  });
});

describe('presentation', () => {
  it('sends Authorization: Bearer by default and no access_token query parameter', async () => {
    t = await setup();
    await t.axios.get(t.server.protectedPath);
    const request = t.server.seen.at(-1)!;
    expect(request.headers['authorization']).toBe(`Bearer ${t.provider.manager.peek()!.value}`);
    expect(request.path).toBe(t.server.protectedPath);
  });

  it.each(['fetch', 'axios'] as const)('sends the token as ?access_token= only with tokenIn: "query", through %s, without an Authorization header', async (via) => {
    t = await setup({ options: { tokenIn: 'query' } });
    const response = via === 'fetch' ? await t.fetch(`${t.server.url}${t.server.protectedPath}?lang=de`) : await t.axios.get(t.server.protectedPath, { params: { lang: 'de' } });
    expect(response.status).toBe(200);
    const request = t.server.seen.at(-1)!;
    const query = new URL(request.path, t.server.url).searchParams;
    expect(query.get('access_token')).toBe(t.provider.manager.peek()!.value);
    expect(query.get('lang')).toBe('de');
    expect(request.headers['authorization']).toBeUndefined();
  });

  it('keeps the access_token out of every error, event and log line when the API rejects every token (fetch and axios)', async () => {
    // Tokens without exp that the server stops accepting at once: every request is rejected twice.
    t = await setup({ options: { tokenIn: 'query' }, server: { lifetimeSec: 0 } });
    t.server.settings.expClaim = false;
    const url = `${t.server.url}${t.server.protectedPath}?lang=de`;
    const viaFetch = await rejectionOf(t.fetch(url));
    const viaAxios = await rejectionOf(t.axios.get(url));
    for (const error of [viaFetch, viaAxios]) {
      expect(error).toBeInstanceOf(TokenRejectedError);
      expect((error as TokenRejectedError).url).toBe(`${t.server.url}${t.server.protectedPath}?lang=de`);
      expect((error as TokenRejectedError).detail).toBe('The access token is not valid.');
    }
    // fetch: token 1 rejected, token 2 rejected; axios: token 2 (still current) rejected, token 3 rejected.
    expect(t.server.counters.rejected).toBe(4);
    expect(t.server.counters.logins).toBe(3);
    expect(t.tokens.size).toBe(3);
    const text = [renderErrorText(viaFetch), renderErrorText(viaAxios), t.transcript()].join('\n');
    expect(t.events.filter((e) => e.name === 'rejected')).toHaveLength(3);
    for (const token of t.tokens) expect(text).not.toContain(token);
    expect(text).not.toContain(t.server.credentials.password);
  });

  it('keeps the access_token out of an axios error for a non-rejection failure (405), its config and its request', async () => {
    t = await setup({ options: { tokenIn: 'query' } });
    const error = await rejectionOf(t.axios.patch(t.server.protectedPath, { a: 1 }));
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(405);
    const token = t.provider.manager.peek()!.value;
    expect(renderErrorText(error)).not.toContain(token);
    expect(JSON.stringify((error as AxiosError).config)).not.toContain(token);
    expect(t.transcript()).not.toContain(token);
  });
});

describe('origin pinning with the query token', () => {
  it('sends no access_token to another origin the mittwald origin redirects to (fetch and axios)', async () => {
    t = await setup();
    const other = await startRecordingServer();
    const front = await startRedirectingFront(t.server);
    const p = mittwald({ baseUrl: front.url, tokenIn: 'query', ...t.server.credentials }, ENGINE);
    const client = axios.create();
    const detach = attachAxios(client, p);
    try {
      expect((await createAuthFetch(p)(front.redirectTo(`${other.url}/via-fetch`))).status).toBe(200);
      expect((await client.get(front.redirectTo(`${other.url}/via-axios`))).status).toBe(200);
      const token = p.manager.peek()!.value;
      expect(front.redirects.every((r) => carriesAny(r, [token]))).toBe(true);
      expect(other.requests.map((r) => r.url)).toEqual(['/via-fetch', '/via-axios']);
      expect(other.requests.some((r) => carriesAny(r, [token]))).toBe(false);
    } finally {
      detach();
      p.manager.dispose();
      await Promise.all([other.close(), front.close()]);
    }
  });
});

describe('options', () => {
  const issues = (options: unknown) => {
    try {
      mittwald(options as MittwaldOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(renderErrorText(error)).not.toContain('secret-value-123');
      return (error as InvalidOptionsError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error('expected InvalidOptionsError');
  };

  it('defaults to https://api.mittwald.de and sends tokens to that origin only', () => {
    const p = mittwald({ uuid: 'u-1', token: 'MW_x' });
    expect(p.origins).toEqual(['https://api.mittwald.de']);
    expect(p.providerFor(new URL('https://api.mittwald.de/v1/customers/1'))).toBe(p);
    expect(p.providerFor(new URL('https://mittwald.de/v1/customers/1'))).toBeUndefined();
    expect(p.loginEndpoint).toBe('POST /v1/authenticate');
    p.manager.dispose();
  });

  it('reports every invalid option at once without echoing the values', () => {
    const found = issues({ baseUrl: 'not a url', username: '', password: 'secret-value-123', fallbackLifetimeMs: -1, tokenIn: 'cookie' });
    expect(found.map((i) => i.split(':')[0]).sort()).toEqual(['baseUrl', 'fallbackLifetimeMs', 'tokenIn', 'username']);
    expect(found.join()).not.toContain('not a url');
  });

  it.each([
    ['no credentials', {}, ['username: give username and password, or uuid and token']],
    ['a password without a username', { password: 'secret-value-123' }, ['username: required with password']],
    ['a uuid without a token', { uuid: 'u-1' }, ['token: required with uuid']],
    ['both credential kinds', { username: 'r1', password: 'secret-value-123', uuid: 'u-1', token: 'MW_x' }, [': give username and password, or uuid and token, not both']],
    ['a revoke path without {uuid}', { uuid: 'u-1', token: 'MW_x', revokeTokenPath: '/v1/tokens' }, ['revokeTokenPath: must contain {uuid}']],
    ['a path without a leading slash', { uuid: 'u-1', token: 'MW_x', authenticatePath: 'v1/authenticate' }, ['authenticatePath: must be a path starting with "/"']],
  ])('rejects %s with InvalidOptionsError', (_label, options, expected) => {
    expect(issues(options)).toEqual(expected);
  });
});
