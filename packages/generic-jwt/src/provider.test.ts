import {
  CredentialsRejectedError,
  InvalidOptionsError,
  InvalidTokenResponseError,
  TokenRejectedError,
  createAuthFetch,
} from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import { sendJson, signJwt, startServer } from '@tokenwarden/auth-core/testing';
import { rejectionOf, renderErrorText } from '@tokenwarden/testkit';
import axios from 'axios';
import { engine, tracker } from '../test/helpers.js';
import { genericJwt, type GenericJwtOptions } from './index.js';
import { startFakeGenericJwtServer, type FakeGenericJwtServer } from './testing/index.js';

const track = tracker();
let server: FakeGenericJwtServer;
afterEach(() => server.close());

async function start(options?: Parameters<typeof startFakeGenericJwtServer>[0]): Promise<FakeGenericJwtServer> {
  server = await startFakeGenericJwtServer(options);
  return server;
}

const provider = (options: Partial<GenericJwtOptions> = {}) =>
  track(genericJwt({ baseUrl: server.url, email: server.credentials.email, password: server.credentials.password, ...options }, engine));

describe('short-living mode', () => {
  it('logs in once with { email, password } and sends Authorization: Bearer <token> through fetch and axios', async () => {
    await start();
    const p = provider();
    const fetch = createAuthFetch(p);
    const instance = axios.create({ baseURL: server.url });
    attachAxios(instance, p);

    const statuses = await Promise.all([
      ...Array.from({ length: 10 }, () => fetch(server.url + server.protectedPath).then((r) => r.status)),
      ...Array.from({ length: 10 }, () => instance.get(server.protectedPath).then((r) => r.status)),
    ]);

    expect(statuses).toEqual(Array(20).fill(200));
    expect(server.counters.logins).toBe(1);
    expect(server.loginBodies).toEqual([{ email: server.credentials.email, password: server.credentials.password }]);
    expect(server.counters.rejected).toBe(0);
  });

  it('takes the lifetime from the JWT claims: a token the server issues for 1 hour lasts 1 hour, its clock 2 hours ahead', async () => {
    await start({ clockOffsetMs: 2 * 3_600_000 });
    const token = await provider().manager.getToken();
    expect(Math.abs(token.expiresAt - token.issuedAt - 3_600_000)).toBeLessThanOrEqual(1_000);
    expect(token.scheme).toBe('Bearer');
  });

  it('posts a template body to a configured login URL and reads the token at tokenPath "data.access"', async () => {
    await start({
      loginPath: '/v2/session',
      credentialsFrom: (body) => (body as { user?: { login?: unknown; secret?: unknown } }).user && {
        email: (body as { user: { login: unknown } }).user.login,
        password: (body as { user: { secret: unknown } }).user.secret,
      },
      loginAnswer: (token) => ({ data: { access: token, refresh: 'unused' } }),
    });
    const p = provider({
      endpoints: { login: 'POST /v2/session' },
      loginBody: { user: { login: '{{email}}', secret: '{{password}}' }, remember: true, tags: ['{{email}}'] },
      tokenPath: 'data.access',
    });

    const response = await createAuthFetch(p)(server.url + server.protectedPath);

    expect(response.status).toBe(200);
    expect(server.loginBodies).toEqual([
      { user: { login: server.credentials.email, secret: server.credentials.password }, remember: true, tags: [server.credentials.email] },
    ]);
  });

  it('builds the login body with a function of the credentials', async () => {
    await start({ credentialsFrom: (body) => ({ email: (body as { username?: unknown }).username, password: (body as { pass?: unknown }).pass }) });
    const p = provider({ loginBody: (c) => ({ username: c.email, pass: c.password }) });
    expect((await createAuthFetch(p)(server.url + server.protectedPath)).status).toBe(200);
    expect(server.counters.logins).toBe(1);
  });

  it('resolves endpoint paths under a base URL with a path, and sends a configured scheme', async () => {
    await start({ loginPath: '/api/auth/login' });
    server.settings.scheme = 'JWT';
    const p = provider({ baseUrl: `${server.url}/api/`, scheme: 'JWT' });
    const token = await p.manager.getToken();
    expect(token.scheme).toBe('JWT');
    expect((await createAuthFetch(p)(server.url + server.protectedPath)).status).toBe(200);
    expect(server.counters).toMatchObject({ logins: 1, rejected: 0 });
  });

  it('falls back to the documented 1-hour lifetime for a JWT without exp, or to tokenLifetimeMs when set', async () => {
    await start();
    server.failNextLogins(
      { kind: 'status', status: 200, body: JSON.stringify({ token: signJwt({ sub: 'no-exp' }) }) },
      { kind: 'status', status: 200, body: JSON.stringify({ token: signJwt({ sub: 'no-exp-either' }) }) },
    );
    const documented = await provider().manager.getToken();
    expect(documented.expiresAt - documented.issuedAt).toBe(3_600_000);
    const configured = await provider({ tokenLifetimeMs: 600_000 }).manager.getToken();
    expect(configured.expiresAt - configured.issuedAt).toBe(600_000);
  });

  it('refuses a token that is not a JWT when no tokenLifetimeMs is configured, saying what to set', async () => {
    await start();
    server.failNextLogins({ kind: 'status', status: 200, body: JSON.stringify({ token: 'opaque-session-4f1c2b' }) });
    const p = provider();

    const error = await rejectionOf(p.manager.getToken());

    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as Error).message).toMatch(/the token at "token" is not a JWT, so nothing says when it expires: set tokenLifetimeMs/);
    expect(renderErrorText(error)).not.toContain('opaque-session-4f1c2b');
    expect(server.counters.logins).toBe(1);
    expect(p.manager.peek()).toBeUndefined();
  });

  it('accepts a token that is not a JWT for tokenLifetimeMs when configured', async () => {
    await start();
    server.failNextLogins({ kind: 'status', status: 200, body: JSON.stringify({ token: 'opaque-session-4f1c2b' }) });
    const token = await provider({ tokenLifetimeMs: 900_000 }).manager.getToken();
    expect(token).toMatchObject({ value: 'opaque-session-4f1c2b', scheme: 'Bearer' });
    expect(token.expiresAt - token.issuedAt).toBe(900_000);
  });

  it('fails with InvalidTokenResponseError naming the path when the token path is missing from the response, after one login', async () => {
    await start();
    const p = provider({ tokenPath: 'data.access' });

    const error = await rejectionOf(p.manager.getToken());

    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as Error).message).toContain('the JSON has no token at "data.access"');
    expect(server.counters.logins).toBe(1);
    expect(p.manager.peek()).toBeUndefined();
  });

  it('fails with CredentialsRejectedError carrying the server detail for a wrong password, never showing the password', async () => {
    await start();
    const p = provider({ password: 'wrong-password-123' });
    const error = await rejectionOf(p.manager.getToken());
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect((error as CredentialsRejectedError).reason).toBe('No active account found with the given credentials');
    expect(renderErrorText(error)).not.toContain('wrong-password-123');
    expect(server.counters.logins).toBe(1);
  });
});

describe('rejection', () => {
  it('invalidates and retries once on 401 token_not_valid; when the fresh token is refused too, TokenRejectedError carries code and detail (fetch, axios)', async () => {
    await start();
    const p = provider();
    const fetch = createAuthFetch(p);
    const instance = axios.create();
    attachAxios(instance, p);
    const url = server.url + server.protectedPath;
    expect((await fetch(url)).status).toBe(200);

    server.settings.acceptTokens = false;
    const viaFetch = await rejectionOf(fetch(url));
    const viaAxios = await rejectionOf(instance.get(url));

    for (const error of [viaFetch, viaAxios]) {
      expect(error).toBeInstanceOf(TokenRejectedError);
      expect(error).toMatchObject({ status: 401, apiCode: 'token_not_valid', detail: 'Token is revoked' });
    }
    // Each request: the first try and one retry with a new token, never more.
    expect(server.counters).toMatchObject({ logins: 3, rejected: 4 });
  });

  it('treats a 401 whose body is not JSON as a rejection: one retry, then TokenRejectedError without code or detail (fetch, axios)', async () => {
    await start();
    const p = provider();
    const instance = axios.create();
    attachAxios(instance, p);
    const url = server.url + server.protectedPath;
    server.settings.rejectionFormat = 'text';
    server.settings.acceptTokens = false;

    const viaFetch = await rejectionOf(createAuthFetch(p)(url));
    const viaAxios = await rejectionOf(instance.get(url));

    for (const error of [viaFetch, viaAxios]) {
      expect(error).toBeInstanceOf(TokenRejectedError);
      expect(error).toMatchObject({ status: 401, apiCode: undefined, detail: undefined });
    }
    expect(server.counters).toMatchObject({ logins: 3, rejected: 4 });
  });

  it('counts a { "code": "token_not_valid" } body as a rejection whatever its status, with the login at an absolute URL on another origin', async () => {
    await start();
    const seen: (string | undefined)[] = [];
    // An API on its own origin that refuses the first token with a 403 and a token_not_valid body.
    const api = await startServer((req, res) => {
      seen.push(req.headers.authorization);
      if (seen.length === 1) return sendJson(res, 403, { code: 'token_not_valid', detail: 'Token is blacklisted' });
      sendJson(res, 200, { ok: true });
    });
    try {
      const p = provider({ baseUrl: api.url, endpoints: { login: `POST ${server.url}/auth/login` } });
      const response = await createAuthFetch(p)(`${api.url}/things`);
      expect(response.status).toBe(200);
      expect(server.counters.logins).toBe(2);
      expect(seen).toHaveLength(2);
      expect(seen[0]).not.toBe(seen[1]);
    } finally {
      await api.close();
    }
  });

  it('recovers from a revoked token with one new login and a successful retry', async () => {
    await start();
    const p = provider();
    const fetch = createAuthFetch(p);
    const url = server.url + server.protectedPath;
    await fetch(url);
    server.revokeAll();
    expect((await fetch(url)).status).toBe(200);
    expect(server.counters).toMatchObject({ logins: 2, rejected: 1 });
  });
});

describe('options', () => {
  const optionError = (options: unknown): InvalidOptionsError => {
    try {
      genericJwt(options as GenericJwtOptions);
    } catch (error) {
      if (error instanceof InvalidOptionsError) return error;
      throw error;
    }
    throw new Error('expected InvalidOptionsError');
  };

  it('needs email and password, a private token, or both', () => {
    expect(optionError({ baseUrl: 'https://api.example.com' }).issues).toEqual([{ path: 'email', message: 'set email and password, a privateToken, or both' }]);
    const lone = optionError({ baseUrl: 'https://api.example.com', email: 'me@example.com' });
    expect(lone.issues).toEqual([{ path: 'password', message: 'email and password go together' }]);
  });

  it('reports every invalid field at once without echoing values', () => {
    const error = optionError({
      baseUrl: 'not a url',
      email: 'me@example.com',
      password: 'secret-value-123',
      tokenPath: 'data..access',
      endpoints: { revokePrivateToken: 'DELETE /tokens' },
      verify: { jwksUrl: 'https://auth.example.com/jwks', key: 'secret-key-456' },
    });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['baseUrl', 'endpoints.revokePrivateToken', 'tokenPath', 'verify']);
    for (const secret of ['secret-value-123', 'secret-key-456', 'not a url']) expect(renderErrorText(error)).not.toContain(secret);
  });

  it('refuses a rotation.rotateBeforeMs not shorter than rotation.lifetimeMs, which would make every new token due at once', () => {
    const error = optionError({ baseUrl: 'https://api.example.com', email: 'me@example.com', password: 'pw', rotation: { lifetimeMs: 86_400_000, rotateBeforeMs: 86_400_000 } });
    expect(error.issues).toEqual([{ path: 'rotation.rotateBeforeMs', message: 'must be shorter than rotation.lifetimeMs' }]);
  });

  it('needs privateToken.expiresAt for a private token that is not a JWT with exp', () => {
    const error = optionError({ baseUrl: 'https://api.example.com', privateToken: 'opaque-private-token-789' });
    expect(error.issues).toEqual([{ path: 'privateToken.expiresAt', message: 'is required unless the token is a JWT with an exp claim' }]);
    expect(renderErrorText(error)).not.toContain('opaque-private-token-789');
  });
});
