import { TokenManager } from './manager.js';
import { MemoryStore } from './memory-store.js';
import { ApiCallFailedError, CredentialsRejectedError, InvalidTokenResponseError, LoginFailedError, LoginTimeoutError, RateLimitedError, TokenWardenError } from './errors.js';
import type { TokenEvents } from './events.js';
import type { AccessToken, TokenSource } from './token.js';
import { fakeLoginProvider } from './testing/index.js';
import { PASSWORD, expectNoSecrets, rejection, setup, until } from '../test/support.js';

const fakeClock = () => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });

afterEach(() => {
  jest.useRealTimers();
});

describe('TokenManager cache and single flight', () => {
  it('makes one login call for 1000 concurrent getToken() on a cold cache', async () => {
    const { server, manager, close } = await setup();
    try {
      const tokens = await Promise.all(Array.from({ length: 1000 }, () => manager.getToken()));
      expect(server.counters.logins).toBe(1);
      expectNoSecrets(manager, [tokens[0]!.value, PASSWORD]);
      expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
      expect(tokens[0]!.scheme).toBe('Bearer');
    } finally {
      await close();
    }
  });

  it('serves a cached token without any I/O', async () => {
    const { server, manager, close } = await setup();
    try {
      const first = await manager.getToken();
      for (let i = 0; i < 100; i++) expect(await manager.getToken()).toBe(first);
      expect(server.counters.logins).toBe(1);
      expect(manager.peek()).toBe(first);
    } finally {
      await close();
    }
  });

  it('adopts a valid token another manager put into a shared store instead of logging in', async () => {
    const store = new MemoryStore();
    const a = await setup({ store });
    const b = fakeLoginProvider(
      { baseUrl: a.server.url, username: 'demo', password: PASSWORD },
      { store },
    );
    try {
      const first = await a.manager.getToken();
      const second = await b.manager.getToken();
      expect(second.value).toBe(first.value);
      expect(a.server.counters.logins).toBe(1);
    } finally {
      b.manager.dispose();
      await a.close();
    }
  });
});

describe('TokenManager proactive refresh', () => {
  it('serves the current token at once inside the refresh window while exactly one background refresh runs', async () => {
    fakeClock();
    const { server, manager, close } = await setup({ refresh: { share: 0.75, jitter: 0, minRemainingMs: 0 } });
    try {
      const first = await manager.getToken();
      jest.setSystemTime(Date.now() + 0.8 * 3600_000);
      const during = await Promise.all(Array.from({ length: 20 }, () => manager.getToken()));
      expect(during.every((t) => t.value === first.value)).toBe(true);
      await until(() => manager.peek()?.value !== first.value);
      expect(server.counters.logins).toBe(2);
      expect((await manager.getToken()).value).not.toBe(first.value);
    } finally {
      await close();
    }
  });

  it('makes callers wait for the new token once the current one is past its hard limit', async () => {
    fakeClock();
    const { server, manager, close } = await setup({ refresh: { jitter: 0 } });
    try {
      const first = await manager.getToken();
      jest.setSystemTime(first.expiresAt - 1000); // within the 5 s expiry margin
      const next = await manager.getToken();
      expect(next.value).not.toBe(first.value);
      expect(server.counters.logins).toBe(2);
    } finally {
      await close();
    }
  });

  it.each([
    ['10 minutes ahead', 600_000],
    ['10 minutes behind', -600_000],
  ])('refreshes before expiry, and only once, when the server clock is %s', async (_label, offset) => {
    fakeClock();
    const { server, manager, close } = await setup({ refresh: { share: 0.75, jitter: 0, minRemainingMs: 0 } });
    server.settings.clockOffsetMs = offset;
    server.settings.lifetimeSec = 900;
    try {
      const first = await manager.getToken();
      // Lifetime comes from exp − iat: 15 minutes on the local clock whatever the offset.
      expect(first.expiresAt - first.issuedAt).toBe(900_000);
      jest.setSystemTime(first.issuedAt + 0.8 * 900_000);
      await manager.getToken();
      await until(() => manager.peek()?.value !== first.value);
      for (let i = 0; i < 50; i++) await manager.getToken();
      expect(server.counters.logins).toBe(2);
      // The refreshed token is accepted by the server (it is not expired on the server's clock).
      const res = await fetch(`${server.url}/api/data`, { headers: { authorization: `Bearer ${manager.peek()!.value}` } });
      expect(res.status).toBe(200);
    } finally {
      await close();
    }
  });

  it('retries a failed background refresh with backoff while the current token keeps being served', async () => {
    fakeClock();
    const failures: TokenEvents['refreshFailed'][] = [];
    const { server, manager, close } = await setup({ refresh: { share: 0.5, jitter: 0, minRemainingMs: 0 }, retry: { maxAttempts: 1, baseDelayMs: 1000 } });
    manager.on('refreshFailed', (e) => failures.push(e));
    try {
      const first = await manager.getToken();
      server.failNextLogins({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
      jest.setSystemTime(Date.now() + 0.6 * 3600_000);
      expect((await manager.getToken()).value).toBe(first.value);
      await until(() => failures.length === 1);
      // Within the backoff no new attempt starts, however often callers ask.
      for (let i = 0; i < 20; i++) expect((await manager.getToken()).value).toBe(first.value);
      expect(server.counters.logins).toBe(2);
      jest.setSystemTime(Date.now() + 5_000);
      await manager.getToken();
      await until(() => failures.length === 2);
      jest.setSystemTime(Date.now() + 10_000);
      await manager.getToken();
      await until(() => manager.peek()?.value !== first.value);
      expect(server.counters.logins).toBe(4);
      expect(failures.map((f) => f.error.code)).toEqual(['LOGIN_FAILED', 'LOGIN_FAILED']);
    } finally {
      await close();
    }
  });
});

describe('TokenManager forced refresh', () => {
  it('logs in again on a second forceRefresh() after a failed one, instead of adopting the discarded token from the store', async () => {
    const { server, manager, close } = await setup({ retry: { maxAttempts: 1 } });
    try {
      const first = await manager.getToken();
      server.failNextLogins({ kind: 'html' });
      await expect(manager.forceRefresh()).rejects.toBeInstanceOf(InvalidTokenResponseError);
      const second = await manager.forceRefresh();
      expect(second.value).not.toBe(first.value);
      expect(server.counters.logins).toBe(3);
    } finally {
      await close();
    }
  });
});

describe('TokenManager failures', () => {
  it('recovers from a login outage: 503, 503, then 200', async () => {
    const { server, manager, close } = await setup();
    server.failNextLogins({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    try {
      const tokens = await Promise.all(Array.from({ length: 10 }, () => manager.getToken()));
      expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
      expect(server.counters.logins).toBe(3);
    } finally {
      await close();
    }
  });

  it('makes no login call before a 429 Retry-After of 2 s has passed, for all callers', async () => {
    fakeClock();
    const { server, manager, close } = await setup({ retry: { maxDelayMs: 5_000 } });
    server.failNextLogins({ kind: 'status', status: 429, headers: { 'retry-after': '2' } });
    const failures: TokenEvents['refreshFailed'][] = [];
    manager.on('refreshFailed', (e) => failures.push(e));
    try {
      const callers = Promise.all([manager.getToken(), manager.getToken(), manager.getToken()]);
      await until(() => failures.length === 1);
      expect(failures[0]!.retryInMs).toBe(2_000);
      jest.advanceTimersByTime(1_990);
      for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
      expect(server.counters.logins).toBe(1);
      jest.advanceTimersByTime(20);
      const tokens = await callers;
      expect(server.counters.logins).toBe(2);
      expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
    } finally {
      await close();
    }
  });

  it('fails at once with RateLimitedError when Retry-After is longer than the caller should wait, and makes no call until then', async () => {
    const { server, manager, close } = await setup({ retry: { maxDelayMs: 1_000 } });
    server.failNextLogins({ kind: 'status', status: 429, headers: { 'retry-after': '120' } });
    try {
      const first = await rejection(manager.getToken());
      expect(first).toBeInstanceOf(LoginFailedError);
      expect((first as LoginFailedError).retryAfterMs).toBe(120_000);
      const second = await rejection(manager.getToken());
      expect(second).toBeInstanceOf(RateLimitedError);
      expect(server.counters.logins).toBe(1);
    } finally {
      await close();
    }
  });

  it('fails fast on wrong credentials after exactly 1 call, and makes no call during the cool-down', async () => {
    const { server, manager, close } = await setup({ credentialsCooldownMs: 60_000 }, 'wrong-password');
    try {
      const error = await rejection(manager.getToken());
      expect(error).toBeInstanceOf(CredentialsRejectedError);
      expect((error as CredentialsRejectedError).code).toBe('CREDENTIALS_REJECTED');
      expect((error as CredentialsRejectedError).message).toMatch(/No new login is attempted for 60 s/i);
      const again = await rejection(manager.getToken());
      expect(again).toBeInstanceOf(CredentialsRejectedError);
      expect(server.counters.logins).toBe(1);
      expectNoSecrets(error, ['wrong-password', PASSWORD]);
      expectNoSecrets(again, ['wrong-password', PASSWORD]);
      expectNoSecrets(manager, ['wrong-password', PASSWORD]);
    } finally {
      await close();
    }
  });

  it('rejects every waiter when the shared login fails, and the next call tries again', async () => {
    const { server, manager, close } = await setup({ retry: { maxAttempts: 1 } });
    server.failNextLogins({ kind: 'status', status: 500 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 25 }, () => manager.getToken()));
      expect(results.every((r) => r.status === 'rejected' && r.reason instanceof LoginFailedError)).toBe(true);
      expect(server.counters.logins).toBe(1);
      await expect(manager.getToken()).resolves.toMatchObject({ scheme: 'Bearer' });
      expect(server.counters.logins).toBe(2);
    } finally {
      await close();
    }
  });

  it("does not abort the shared login when one caller's signal aborts", async () => {
    const { server, manager, close } = await setup();
    server.failNextLogins({ kind: 'status', status: 503 });
    try {
      const controller = new AbortController();
      const aborted = manager.getToken({ signal: controller.signal });
      const others = Promise.all([manager.getToken(), manager.getToken()]);
      controller.abort(new Error('caller went away'));
      await expect(aborted).rejects.toThrow('caller went away');
      const tokens = await others;
      expect(tokens[0]!.value).toBe(tokens[1]!.value);
      expect(server.counters.logins).toBe(2);
    } finally {
      await close();
    }
  });

  it('starts no login for a caller whose signal is already aborted, and leaks no rejection', async () => {
    const { server, manager, close } = await setup();
    try {
      const controller = new AbortController();
      controller.abort(new Error('gone before asking'));
      await expect(manager.getToken({ signal: controller.signal })).rejects.toThrow('gone before asking');
      expect(server.counters.logins).toBe(0);
    } finally {
      await close();
    }
  });

  it.each([
    ['an HTML page with status 200', { kind: 'html' } as const, /not JSON \(text\/html\)/],
    ['an empty body', { kind: 'empty' } as const, /body is empty/],
    ['null', { kind: 'null' } as const, /no "token" string/],
    ['a 5 MB body', { kind: 'huge', bytes: 5 * 1024 * 1024 } as const, /larger than 1048576 bytes/],
  ])('answers %s from the login endpoint with a typed error and caches nothing', async (_label, fault, message) => {
    const { server, manager, close } = await setup();
    server.failNextLogins(fault);
    try {
      const error = await rejection(manager.getToken());
      expect(error).toBeInstanceOf(InvalidTokenResponseError);
      expect((error as Error).message).toMatch(message);
      expect(manager.peek()).toBeUndefined();
      expectNoSecrets(error, [PASSWORD]);
      await manager.getToken();
      expect(server.counters.logins).toBe(2);
    } finally {
      await close();
    }
  });

  it.each([
    ['accepts the connection and never answers', { kind: 'hang' } as const],
    ['trickles a body forever', { kind: 'trickle' } as const],
  ])('fails with the deadline error when the login server %s', async (_label, fault) => {
    const { server, manager, close } = await setup({ loginTimeoutMs: 300, retry: { maxAttempts: 1 } });
    server.failNextLogins(fault);
    try {
      const started = process.hrtime.bigint();
      const error = await rejection(manager.getToken());
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(error).toBeInstanceOf(LoginTimeoutError);
      expect((error as LoginTimeoutError).timeoutMs).toBe(300);
      // Bounded by the deadline (generous upper bound; this is not a timing benchmark).
      expect(elapsedMs).toBeLessThan(5_000);
    } finally {
      await close();
    }
  });

  it('never surfaces a failed background refresh as an unhandled rejection', async () => {
    fakeClock();
    const { server, manager, close } = await setup({ refresh: { share: 0.5, jitter: 0, minRemainingMs: 0 }, retry: { maxAttempts: 1 } });
    try {
      await manager.getToken();
      server.failNextLogins({ kind: 'status', status: 500 });
      jest.setSystemTime(Date.now() + 0.6 * 3600_000);
      await manager.getToken();
      await until(() => server.counters.logins === 2);
      // jest.setup.js fails the file if the failed refresh leaked as an unhandled rejection.
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    } finally {
      await close();
    }
  });
});

describe('TokenManager validation of what a source returns', () => {
  const source = (token: Partial<AccessToken>): TokenSource => ({
    provider: 'unit',
    cacheKey: 'unit:1',
    secrets: ['s3cr3t-value'],
    acquire: async () => ({ value: 'abc', scheme: 'Bearer', issuedAt: Date.now(), expiresAt: Date.now() + 60_000, ...token }),
  });

  it.each([
    ['an empty token', { value: '' }, /token is empty/],
    ['a token with white space', { value: 'abc def' }, /white space/],
    ['an already expired token', { expiresAt: Date.now() - 1 }, /already expired/],
  ])('rejects %s from a source with InvalidTokenResponseError', async (_label, token, message) => {
    const manager = new TokenManager(source(token));
    await expect(manager.getToken()).rejects.toThrow(message);
  });

  it('redacts a password the login server echoes into a 400 body preview', async () => {
    const { server, manager, close } = await setup({ retry: { maxAttempts: 1 } });
    server.failNextLogins({ kind: 'status', status: 400, body: JSON.stringify({ error: 'bad request', received: { password: PASSWORD } }) });
    try {
      const error = await rejection(manager.getToken());
      expect(error).toBeInstanceOf(InvalidTokenResponseError);
      expect((error as InvalidTokenResponseError).preview).toContain('[redacted]');
      expectNoSecrets(error, [PASSWORD]);
    } finally {
      await close();
    }
  });

  it("asks the source again at the token's own refreshAt (a long-lived token rotated ahead of expiry)", async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    let calls = 0;
    const start = Date.now();
    const manager = new TokenManager({
      ...source({}),
      acquire: async () => {
        calls++;
        const now = Date.now();
        return { value: `t${calls}`, scheme: 'Bearer', issuedAt: now, expiresAt: now + 30 * 86_400_000, refreshAt: now + 29 * 86_400_000 };
      },
    });
    await manager.getToken();
    jest.setSystemTime(start + 28 * 86_400_000); // past the engine's own 75 % point, before refreshAt
    expect((await manager.getToken()).value).toBe('t1');
    expect(calls).toBe(1);
    jest.setSystemTime(start + 29 * 86_400_000 + 1);
    await manager.getToken();
    await until(() => manager.peek()?.value === 't2');
    expect(calls).toBe(2);
  });

  it('retries no ApiCallFailedError a source throws for a 4xx, but does retry one for a 503', async () => {
    for (const [status, expected] of [[400, 1], [503, 3]] as const) {
      let calls = 0;
      const manager = new TokenManager({
        ...source({}),
        acquire: async () => {
          calls++;
          throw new ApiCallFailedError({ provider: 'unit', operation: 'rotate private token', problem: `HTTP ${status}`, status });
        },
      }, { retry: { baseDelayMs: 1 } });
      const error = await rejection(manager.getToken());
      expect(error).toMatchObject({ code: 'API_CALL_FAILED', status, operation: 'rotate private token' });
      expect(calls).toBe(expected);
    }
  });

  it('does not retry into a pause the source set (a used-up rate limit), and fails fast until it ends', async () => {
    let calls = 0;
    const manager = new TokenManager({
      ...source({}),
      acquire: async (ctx) => {
        calls++;
        ctx.pauseLogins(Date.now() + 60_000, 'login budget used up');
        throw new LoginFailedError({ provider: 'unit', problem: 'HTTP 503' });
      },
    }, { retry: { baseDelayMs: 1 } });
    await expect(manager.getToken()).rejects.toBeInstanceOf(LoginFailedError);
    const error = await rejection(manager.getToken());
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as Error).message).toMatch(/login budget used up/);
    expect(calls).toBe(1);
  });

  it('wraps a plain error thrown by a source into LoginFailedError without its secrets', async () => {
    const manager = new TokenManager({
      ...source({}),
      acquire: async () => {
        throw new Error('connect failed for user:s3cr3t-value@host');
      },
    }, { retry: { maxAttempts: 1 } });
    const error = await rejection(manager.getToken());
    expect(error).toBeInstanceOf(TokenWardenError);
    expect((error as TokenWardenError).code).toBe('LOGIN_FAILED');
    expectNoSecrets(error, ['s3cr3t-value']);
  });
});
