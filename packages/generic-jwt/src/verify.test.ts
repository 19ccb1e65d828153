import { InvalidJwtError, LoginFailedError, createAuthFetch } from '@tokenwarden/auth-core';
import { signJwt } from '@tokenwarden/auth-core/testing';
import { rejectionOf, renderErrorText } from '@tokenwarden/testkit';
import { engine, tracker, unsignedJwt } from '../test/helpers.js';
import { genericJwt, type GenericJwtOptions } from './index.js';
import { startFakeGenericJwtServer, type FakeGenericJwtServer } from './testing/index.js';

const track = tracker();
let server: FakeGenericJwtServer;
beforeEach(async () => {
  server = await startFakeGenericJwtServer();
});
afterEach(() => server.close());

const provider = (options: Partial<GenericJwtOptions> = {}) =>
  track(genericJwt({ baseUrl: server.url, email: server.credentials.email, password: server.credentials.password, ...options }, engine));

/** A login answer with `token` instead of the server's own. */
const answer = (token: string) => ({ kind: 'status', status: 200, body: JSON.stringify({ token }) }) as const;
const hs256 = (secret: string) => {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ sub: 'demo@example.com', iat: now, exp: now + 3600 }, secret);
};

async function refused(p: ReturnType<typeof provider>, problem: RegExp): Promise<void> {
  const error = await rejectionOf(createAuthFetch(p)(server.url + server.protectedPath));
  expect(error).toBeInstanceOf(InvalidJwtError);
  expect((error as Error).message).toMatch(problem);
  expect(p.manager.peek()).toBeUndefined();
  expect(server.counters).toMatchObject({ logins: 1, apiCalls: 0 });
}

describe('signature verification', () => {
  it('is off by default: an unsigned (alg none) or foreign-signed token is used as the server gives it', async () => {
    server.failNextLogins(answer(unsignedJwt()), answer(hs256('someone-elses-secret')));
    expect((await provider().manager.getToken()).value).toMatch(/\.$/);
    expect((await provider().manager.getToken()).value).toMatch(/^eyJ/);
    expect(server.counters.logins).toBe(2);
  });

  it('with a JWKS URL, accepts the tokens the server signs', async () => {
    const p = provider({ verify: { jwksUrl: server.jwksUrl } });
    const responses = await Promise.all(Array.from({ length: 5 }, () => createAuthFetch(p)(server.url + server.protectedPath)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(server.counters).toMatchObject({ logins: 1, rejected: 0 });
  });

  it('with a JWKS URL, refuses an alg none token with InvalidJwtError after one login, sending nothing to the API', async () => {
    server.failNextLogins(answer(unsignedJwt()));
    await refused(provider({ verify: { jwksUrl: server.jwksUrl } }), /it is unsigned \("alg": "none"\), and signature verification is on/);
  });

  it('with a JWKS URL, refuses a token signed with another key', async () => {
    server.failNextLogins(answer(hs256('someone-elses-secret')));
    await refused(provider({ verify: { jwksUrl: server.jwksUrl } }), /its signature or claims do not verify/);
  });

  it('with a PEM public key, accepts the server tokens and refuses an HS256 token signed with the public key as secret', async () => {
    const p = provider({ verify: { key: server.publicKeyPem } });
    expect((await createAuthFetch(p)(server.url + server.protectedPath)).status).toBe(200);
    server.failNextLogins(answer(hs256(server.publicKeyPem)));
    const error = await rejectionOf(p.manager.forceRefresh());
    expect(error).toBeInstanceOf(InvalidJwtError);
    expect(renderErrorText(error)).not.toContain('BEGIN PUBLIC KEY');
  });

  it('with an HMAC secret, accepts tokens signed with it and refuses others, never showing the secret', async () => {
    const secret = 'shared-hmac-secret-123';
    const p = provider({ verify: { key: secret } });
    server.failNextLogins(answer(hs256(secret)), answer(hs256('another-secret-456')));
    await p.manager.getToken();
    const error = await rejectionOf(p.manager.forceRefresh());
    expect(error).toBeInstanceOf(InvalidJwtError);
    expect(renderErrorText(error)).not.toContain(secret);
  });

  it('refuses a token without the configured issuer', async () => {
    await refused(provider({ verify: { jwksUrl: server.jwksUrl, issuer: 'https://issuer.example' } }), /"iss"/);
  });

  it('refuses a login token that is not a JWT, since it has no signature to check', async () => {
    server.failNextLogins(answer('opaque-token-123'));
    await refused(provider({ verify: { jwksUrl: server.jwksUrl }, tokenLifetimeMs: 60_000 }), /cannot be verified/);
  });

  it('verifies a stored private token too', async () => {
    const p = track(genericJwt({ baseUrl: server.url, privateToken: hs256('someone-elses-secret'), verify: { jwksUrl: server.jwksUrl } }, engine));
    expect(await rejectionOf(p.manager.getToken())).toBeInstanceOf(InvalidJwtError);
    const good = server.issuePrivateToken({ expiresInSec: 86_400 });
    const q = track(genericJwt({ baseUrl: server.url, privateToken: good.token, verify: { jwksUrl: server.jwksUrl } }, engine));
    expect((await createAuthFetch(q)(server.url + server.protectedPath)).status).toBe(200);
  });

  it('treats an unreachable JWKS as a login failure that may pass, retried like one', async () => {
    const closed = await startFakeGenericJwtServer();
    await closed.close();
    const p = provider({ verify: { jwksUrl: closed.jwksUrl } });
    const error = await rejectionOf(p.manager.getToken());
    expect(error).toBeInstanceOf(LoginFailedError);
    expect((error as Error).message).toContain('the JWKS to verify the token could not be fetched');
    expect(server.counters.logins).toBe(2); // engine.retry.maxAttempts
  });
});
