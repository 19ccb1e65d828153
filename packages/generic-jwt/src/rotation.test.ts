import { CredentialsRejectedError, InvalidJwtError, InvalidOptionsError, createAuthFetch } from '@tokenwarden/auth-core';
import { rejectionOf, renderErrorText } from '@tokenwarden/testkit';
import { engine, tracker } from '../test/helpers.js';
import { PrivateTokenError, RotationError, genericJwt, type GenericJwtOptions } from './index.js';
import { startFakeGenericJwtServer, type FakeGenericJwtServer, type FakePrivateToken } from './testing/index.js';

const DAY_MS = 86_400_000;
const track = tracker();
let server: FakeGenericJwtServer;
let old: FakePrivateToken;
beforeEach(async () => {
  server = await startFakeGenericJwtServer();
  old = server.issuePrivateToken({ name: 'backend', expiresInSec: 30 * 86_400 });
});
afterEach(() => server.close());

const rotating = (options: Partial<GenericJwtOptions> = {}) =>
  track(
    genericJwt(
      { baseUrl: server.url, email: server.credentials.email, password: server.credentials.password, privateToken: { token: old.token, id: old.id }, ...options },
      engine,
    ),
  );

async function status(p: ReturnType<typeof rotating>): Promise<number> {
  return (await createAuthFetch(p)(server.url + server.protectedPath)).status;
}

async function rotationError(promise: Promise<unknown>): Promise<RotationError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(RotationError);
  for (const secret of [server.credentials.password, old.token, ...[...server.privateTokens.values()].map((t) => t.token)]) {
    expect(renderErrorText(error)).not.toContain(secret);
  }
  return error as RotationError;
}

describe('rotatePrivateToken', () => {
  it('creates the new token, switches the provider to it, then revokes the old one', async () => {
    const p = rotating({ rotation: { name: 'nightly', lifetimeMs: 14 * DAY_MS } });
    expect(await status(p)).toBe(200);
    const atSwitch: number[] = [];
    p.manager.on('acquired', () => void atSwitch.push(server.counters.created, server.counters.revoked));

    const created = await p.rotatePrivateToken();

    expect(atSwitch).toEqual([1, 0]);
    expect(created).toMatchObject({ name: 'nightly', token: p.manager.peek()?.value });
    expect(Math.abs(created.expiresAt.getTime() - Date.now() - 14 * DAY_MS)).toBeLessThan(5_000);
    expect(server.check(old.token)).toEqual({ ok: false, detail: 'Token is revoked' });
    expect(await status(p)).toBe(200);
    expect(server.counters).toMatchObject({ logins: 1, created: 1, revoked: 1, rejected: 0 });
  });

  it('takes the name and expiry of the new token from its arguments', async () => {
    const expiresAt = new Date(Date.now() + 3 * DAY_MS);
    const created = await rotating().rotatePrivateToken({ name: 'manual', expiresAt });
    expect(created.name).toBe('manual');
    expect(Math.abs(created.expiresAt.getTime() - expiresAt.getTime())).toBeLessThan(1_000);
  });

  it('makes one rotation of two concurrent calls', async () => {
    const p = rotating();
    const [a, b] = await Promise.all([p.rotatePrivateToken(), p.rotatePrivateToken()]);
    expect(a.id).toBe(b.id);
    expect(server.counters).toMatchObject({ created: 1, revoked: 1 });
  });

  it('fails at step "create" when the API answers 503, and the old token stays in use', async () => {
    const p = rotating();
    server.failNextRotationStep('create');

    const error = await rotationError(p.rotatePrivateToken());

    expect(error).toMatchObject({
      code: 'API_CALL_FAILED',
      operation: 'rotate private token',
      status: 503,
      retryable: true,
      step: 'create',
      inUse: 'old',
      oldTokenId: old.id,
      newTokenId: undefined,
    });
    expect(error.cause).toBeInstanceOf(PrivateTokenError);
    expect(error.message).toMatch(/^generic-jwt rotate private token failed: at step "create": generic-jwt create private token failed: HTTP 503.*Nothing changed/);
    expect((await p.manager.getToken()).value).toBe(old.token);
    expect(await status(p)).toBe(200);
    expect(server.counters).toMatchObject({ created: 0, revoked: 0 });
  });

  it('fails at step "create" when the login for the short-living token is refused, and the old token stays in use', async () => {
    const p = rotating({ password: 'wrong-password-123' });
    const error = await rotationError(p.rotatePrivateToken());
    expect(error).toMatchObject({ step: 'create', inUse: 'old' });
    expect(error.cause).toBeInstanceOf(CredentialsRejectedError);
    expect(renderErrorText(error)).not.toContain('wrong-password-123');
    expect(await status(p)).toBe(200);
  });

  it('fails at step "switch" when the new token does not verify: the old token stays in use and the new one is revoked', async () => {
    const p = rotating({ verify: { jwksUrl: server.jwksUrl } });
    expect(await status(p)).toBe(200);
    server.failNextRotationStep('switch');

    const error = await rotationError(p.rotatePrivateToken());

    expect(error).toMatchObject({ step: 'switch', inUse: 'old', oldTokenId: old.id, newTokenId: 2 });
    expect(error.cause).toBeInstanceOf(InvalidJwtError);
    expect(error.message).toContain('the new one (id 2) was revoked');
    expect(server.privateTokens.get(2)?.revoked).toBe(true);
    expect(server.check(old.token)).toEqual({ ok: true, typ: 'private' });
    expect(await status(p)).toBe(200);
    expect((await p.manager.getToken()).value).toBe(old.token);
    expect(server.counters).toMatchObject({ created: 1, revoked: 1, rejected: 0 });
  });

  it('fails at step "revoke" when the API answers 503: the new token is in use and the error names the old one to revoke', async () => {
    const p = rotating();
    server.failNextRotationStep('revoke');

    const error = await rotationError(p.rotatePrivateToken());

    // Calling rotatePrivateToken() again would not help: the rotation is done, the old token is left to revoke.
    expect(error).toMatchObject({ step: 'revoke', inUse: 'new', oldTokenId: old.id, newTokenId: 2, status: 503, retryable: false });
    expect(error.message).toMatch(/The new private token \(id 2\) is in use; the old one stays valid until .*: revoke it with revokePrivateToken\(\)/);
    expect((await p.manager.getToken()).value).toBe(server.privateTokens.get(2)?.token);
    expect(server.check(old.token)).toEqual({ ok: true, typ: 'private' });
    expect(await status(p)).toBe(200);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ step: 'revoke', inUse: 'new', oldTokenId: old.id, newTokenId: 2 });
  });

  it('fails at step "revoke" when the old token has no id configured, after switching to the new one', async () => {
    const p = rotating({ privateToken: old.token });
    const error = await rotationError(p.rotatePrivateToken());
    expect(error).toMatchObject({ step: 'revoke', inUse: 'new' });
    expect(error.message).toContain('the old token has no id (set privateToken.id)');
    expect(server.counters).toMatchObject({ created: 1, revoked: 0 });
  });

  it('refuses to rotate without a private token in use (short-living mode), before any request', async () => {
    const p = rotating({ privateToken: undefined });
    const error = await rejectionOf(p.rotatePrivateToken());
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues).toEqual([{ path: 'privateToken', message: 'rotatePrivateToken() needs a private token in use (long-living mode)' }]);
    expect(server.counters).toMatchObject({ logins: 0, created: 0 });
  });

  it('refuses an expiresAt in the past with InvalidOptionsError before any request', async () => {
    const error = await rejectionOf(rotating().rotatePrivateToken({ expiresAt: new Date(Date.now() - DAY_MS) }));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(server.counters).toMatchObject({ logins: 0, created: 0 });
  });
});
