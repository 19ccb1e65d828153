import { InvalidOptionsError, MemoryStore, createAuthFetch, type TokenEvents, type TokenStore } from '@tokenwarden/auth-core';
import { rejectionOf, renderErrorText, useDateOnlyFakeClock, waitFor } from '@tokenwarden/testkit';
import { engine, tracker } from '../test/helpers.js';
import { genericJwt, type CreatedPrivateToken, type GenericJwtOptions } from './index.js';
import { startFakeGenericJwtServer, type FakeGenericJwtServer, type FakePrivateToken } from './testing/index.js';

const DAY_SEC = 86_400;
const DAY_MS = DAY_SEC * 1000;
const track = tracker();
let server: FakeGenericJwtServer;
beforeEach(async () => {
  server = await startFakeGenericJwtServer();
});
afterEach(async () => {
  jest.useRealTimers();
  await server.close();
});

const credentials = () => ({ email: server.credentials.email, password: server.credentials.password });
const stored = (issued: FakePrivateToken, options: Partial<GenericJwtOptions> = {}) =>
  track(genericJwt({ baseUrl: server.url, privateToken: { token: issued.token, id: issued.id, name: issued.name }, ...options }, engine));

function collect<E extends keyof TokenEvents>(p: ReturnType<typeof stored>, event: E): TokenEvents[E][] {
  const seen: TokenEvents[E][] = [];
  p.manager.on(event, (payload) => void seen.push(payload));
  return seen;
}

async function fetchMe(p: ReturnType<typeof stored>): Promise<{ status: number; tokenType?: string }> {
  const response = await createAuthFetch(p)(server.url + server.protectedPath);
  return { status: response.status, ...((await response.json()) as { tokenType?: string }) };
}

describe('long-living mode', () => {
  it('serves a stored private token until its expiry without logging in, its expiry read from the JWT', async () => {
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 30 * DAY_SEC });
    const p = stored(issued);

    const results = await Promise.all(Array.from({ length: 5 }, () => fetchMe(p)));

    expect(results).toEqual(Array(5).fill({ status: 200, email: server.credentials.email, tokenType: 'private' }));
    expect((await p.manager.getToken()).expiresAt).toBe(Math.floor(issued.expiresAt / 1000) * 1000);
    expect(server.counters).toMatchObject({ logins: 0, rejected: 0 });
  });

  it('takes privateToken.expiresAt over the JWT claim, e.g. from the list response', async () => {
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 30 * DAY_SEC });
    const expiresAt = new Date(Date.now() + 10 * DAY_MS);
    const p = stored(issued, { privateToken: { token: issued.token, expiresAt: expiresAt.toISOString() } });
    expect((await p.manager.getToken()).expiresAt).toBe(expiresAt.getTime());
  });

  it('fails with InvalidOptionsError and sends nothing once a stored private token has expired and no credentials can renew it', async () => {
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 30 * DAY_SEC });
    const p = stored(issued, { privateToken: { token: issued.token, expiresAt: Date.now() - 1_000 } });

    const error = await rejectionOf(createAuthFetch(p)(server.url + server.protectedPath));

    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toMatch(/privateToken: expired at .*configure a new one, or email and password/);
    expect(renderErrorText(error)).not.toContain(issued.token);
    expect(server.counters).toMatchObject({ logins: 0, apiCalls: 0 });
  });

  it('without credentials, serves the stored token until its expiry with one acquisition and one store write, however many calls past the engine refresh point', async () => {
    useDateOnlyFakeClock();
    const start = Date.now();
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 20 * DAY_SEC, issuedSecAgo: 10 * DAY_SEC });
    const memory = new MemoryStore();
    let writes = 0;
    const store: TokenStore = {
      get: (key) => memory.get(key),
      set: (key, token) => (writes++, memory.set(key, token)),
      deleteIfEqual: (key, value) => memory.deleteIfEqual(key, value),
    };
    const p = track(genericJwt({ baseUrl: server.url, privateToken: { token: issued.token, id: issued.id } }, { ...engine, store }));
    const acquired = collect(p, 'acquired');

    // Its real age, not "issued now": two thirds of its 30 days are gone.
    expect((await p.manager.getToken()).issuedAt).toBe(Math.floor(issued.createdAt / 1000) * 1000);
    for (const day of [1, 10, 19, 20 - 1 / 24]) {
      jest.setSystemTime(start + day * DAY_MS);
      for (let i = 0; i < 20; i++) expect((await p.manager.getToken()).value).toBe(issued.token);
      expect(p.manager.toJSON()).toMatchObject({ refreshing: false });
    }
    await new Promise((resolve) => setTimeout(resolve, 30)); // room for a background acquisition, were one started

    expect(acquired).toHaveLength(1);
    expect(writes).toBe(1);
    expect(server.counters).toMatchObject({ logins: 0, created: 0 });
  });

  it('without credentials, refuses the stored token with InvalidOptionsError once it is within the engine expiry margin, writing nothing', async () => {
    useDateOnlyFakeClock();
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 20 * DAY_SEC });
    const p = stored(issued, { privateToken: { token: issued.token, expiresAt: issued.expiresAt } });
    const acquired = collect(p, 'acquired');
    await p.manager.getToken();

    jest.setSystemTime(issued.expiresAt - 2_000); // inside the default 5 s margin
    for (let i = 0; i < 3; i++) {
      const error = await rejectionOf(p.manager.getToken());
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).toMatch(/privateToken: expires at .*, too soon to be used; configure a new one, or email and password/);
    }
    expect(acquired).toHaveLength(1);
    expect(server.counters).toMatchObject({ logins: 0, apiCalls: 0 });
  });
});

describe('expiry warning', () => {
  it('emits one warning when the private token is used less than expiryWarningMs before it expires, naming it but not showing it', async () => {
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 2 * DAY_SEC });
    const p = stored(issued);
    const warnings = collect(p, 'warning');

    for (let i = 0; i < 3; i++) expect((await fetchMe(p)).status).toBe(200);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(
      new RegExp(`^the private token "backend" \\(id ${issued.id}\\) expires at \\d{4}-.*Z, in 48 h; configure a new one, or email and password`),
    );
    expect(JSON.stringify(warnings)).not.toContain(issued.token);
  });

  it('warns on the first use after the clock passes expiryWarningMs before expiry, not before', async () => {
    useDateOnlyFakeClock();
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 10 * DAY_SEC });
    const p = stored(issued, { expiryWarningMs: 3 * DAY_MS });
    const warnings = collect(p, 'warning');

    await fetchMe(p);
    jest.setSystemTime(Date.now() + 6 * DAY_MS);
    await fetchMe(p);
    expect(warnings).toHaveLength(0);

    jest.setSystemTime(Date.now() + DAY_MS + 60_000);
    expect((await fetchMe(p)).status).toBe(200);
    await fetchMe(p);

    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/expires at .*, in 72 h;/)]);
  });
});

describe('automatic rotation (long-living mode with credentials)', () => {
  it('rotates at the refresh point: serves the old token meanwhile, creates a new one, switches, revokes the old one and reports it', async () => {
    // 90 days of lifetime, 10 left: past the engine's refresh point (75 %) from the start.
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 10 * DAY_SEC, issuedSecAgo: 80 * DAY_SEC });
    const rotated: CreatedPrivateToken[] = [];
    const p = stored(issued, { ...credentials(), rotation: { name: 'rotated', lifetimeMs: 20 * DAY_MS, onRotated: (t) => void rotated.push(t) } });

    expect((await p.manager.getToken()).value).toBe(issued.token);
    expect((await p.manager.getToken()).value).toBe(issued.token);
    await waitFor(() => server.counters.revoked === 1, 'the rotation to revoke the old token');

    const current = await p.manager.getToken();
    expect(current.value).not.toBe(issued.token);
    expect(rotated).toEqual([expect.objectContaining({ name: 'rotated', token: current.value })]);
    expect(Math.abs(current.expiresAt - Date.now() - 20 * DAY_MS)).toBeLessThan(5_000);
    expect(server.check(issued.token)).toEqual({ ok: false, detail: 'Token is revoked' });
    expect(await fetchMe(p)).toMatchObject({ status: 200, tokenType: 'private' });
    expect(server.counters).toMatchObject({ logins: 1, created: 1, revoked: 1, rejected: 0 });
  });

  it('rotates rotation.rotateBeforeMs before the expiry, not at the engine refresh point', async () => {
    useDateOnlyFakeClock();
    const start = Date.now();
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 30 * DAY_SEC });
    const p = stored(issued, { ...credentials(), rotation: { rotateBeforeMs: 3 * DAY_MS } });
    await p.manager.getToken();

    jest.setSystemTime(start + 25 * DAY_MS); // past the engine's 75 % point (22.5 days)
    expect((await p.manager.getToken()).value).toBe(issued.token);
    expect(p.manager.toJSON()).toMatchObject({ refreshing: false });
    expect(server.counters).toMatchObject({ logins: 0, created: 0 });

    jest.setSystemTime(start + 27 * DAY_MS + 60_000);
    expect((await p.manager.getToken()).value).toBe(issued.token); // served while the rotation runs
    await waitFor(() => server.counters.revoked === 1, 'the rotation to revoke the old token');

    const current = await p.manager.getToken();
    expect(current.value).not.toBe(issued.token);
    expect(current.refreshAt).toBe(current.expiresAt - 3 * DAY_MS);
    expect(server.counters).toMatchObject({ logins: 1, created: 1, revoked: 1 });
  });

  it('does not retry an automatic rotation whose create the API refuses with 400, and keeps serving the current token', async () => {
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 10 * DAY_SEC, issuedSecAgo: 80 * DAY_SEC });
    const p = stored(issued, credentials());
    const failures = collect(p, 'refreshFailed');
    server.failNext('create', { kind: 'status', status: 400, body: JSON.stringify({ code: 'quota', detail: 'Too many private tokens.' }) });

    await p.manager.getToken();
    await p.manager.getToken();
    await waitFor(() => failures.length === 1, 'the rotation to fail');
    await new Promise((resolve) => setTimeout(resolve, 60)); // longer than the engine's backoff (engine.retry), were it retried

    expect(failures).toEqual([
      expect.objectContaining({ attempt: 1, retryInMs: undefined, error: expect.objectContaining({ code: 'API_CALL_FAILED', operation: 'create private token', status: 400, retryable: false }) }),
    ]);
    expect(p.manager.peek()?.value).toBe(issued.token);
    expect(server.counters).toMatchObject({ logins: 1, created: 0 });
  });

  it('replaces a private token the API rejects, and the request succeeds on its retry', async () => {
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 30 * DAY_SEC });
    const p = stored(issued, credentials());
    expect((await fetchMe(p)).status).toBe(200);
    server.privateTokens.get(issued.id)!.revoked = true;

    expect((await fetchMe(p)).status).toBe(200);

    expect(server.counters).toMatchObject({ logins: 1, created: 1, rejected: 1 });
  });

  it('replaces a stored private token that has already expired on first use', async () => {
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 30 * DAY_SEC });
    const p = stored(issued, { ...credentials(), privateToken: { token: issued.token, id: issued.id, expiresAt: Date.now() - 1 } });

    expect((await fetchMe(p)).status).toBe(200);

    expect((await p.manager.getToken()).value).not.toBe(issued.token);
    expect(server.counters).toMatchObject({ logins: 1, created: 1, rejected: 0 });
  });

  it('keeps serving the current token when a rotation fails, reports refreshFailed, and rotates on a later call', async () => {
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 10 * DAY_SEC, issuedSecAgo: 80 * DAY_SEC });
    const p = stored(issued, credentials());
    const failures = collect(p, 'refreshFailed');
    server.failNextRotationStep('create');
    server.failNextRotationStep('create');

    await p.manager.getToken();
    await p.manager.getToken();
    await waitFor(() => failures.length === 2, 'both attempts of the first rotation to fail');
    expect(failures.map((f) => f.reason)).toEqual(['expiring', 'expiring']);
    expect(await fetchMe(p)).toMatchObject({ status: 200 });
    expect(p.manager.peek()?.value).toBe(issued.token);

    await new Promise((resolve) => setTimeout(resolve, 60)); // the engine's backoff (engine.retry)
    await p.manager.getToken();
    await waitFor(() => p.manager.peek()?.value !== issued.token, 'the next rotation');
    expect(server.counters).toMatchObject({ created: 1 });
  });

  it('emits a warning when the old token cannot be revoked after an automatic rotation, and keeps the new one', async () => {
    const issued = server.issuePrivateToken({ name: 'backend', expiresInSec: 10 * DAY_SEC, issuedSecAgo: 80 * DAY_SEC });
    const p = stored(issued, credentials());
    const warnings = collect(p, 'warning');
    server.failNextRotationStep('revoke');

    await p.manager.getToken();
    await p.manager.getToken();
    await waitFor(() => warnings.length === 1, 'the warning');

    expect(warnings[0]!.message).toMatch(/^the old private token could not be revoked after a rotation \(.*HTTP 503.*\); it stays valid until/);
    expect(p.manager.peek()?.value).not.toBe(issued.token);
    expect(server.check(issued.token)).toEqual({ ok: true, typ: 'private' });
  });
});
