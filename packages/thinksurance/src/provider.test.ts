import { inspect } from 'node:util';
import {
  CredentialsRejectedError,
  InvalidOptionsError,
  InvalidTokenResponseError,
  createAuthFetch,
  type TokenManagerOptions,
} from '@tokenwarden/auth-core';
import { thinksurance } from './provider.js';
import { startFakeThinksuranceServer, type FakeThinksuranceServer } from './testing/index.js';

const engine: TokenManagerOptions = { retry: { baseDelayMs: 5, maxDelayMs: 50 } };

let server: FakeThinksuranceServer;
beforeEach(async () => {
  server = await startFakeThinksuranceServer();
});
afterEach(async () => {
  await server.close();
});

const provider = (password = server.credentials.password) =>
  thinksurance({ baseUrl: server.url, username: server.credentials.username, password }, engine);

/** Everything an error shows when it is printed, logged or serialized. */
const renderings = (error: unknown): string =>
  [String((error as Error).message), String((error as Error).stack), JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('thinksurance provider', () => {
  it('logs in once and sends the token as a Bearer header on every request to its origin', async () => {
    const p = provider();
    try {
      const fetch = createAuthFetch(p);
      const responses = await Promise.all(Array.from({ length: 5 }, () => fetch(server.url + server.protectedPath)));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await responses[0]!.json()).toEqual({ username: server.credentials.username });
      expect(server.counters.logins).toBe(1);
      expect(server.counters.rejected).toBe(0);
    } finally {
      p.manager.dispose();
    }
  });

  it('rejects a wrong password with CredentialsRejectedError carrying the server reason, after one login call, without the password', async () => {
    const p = provider('wrong-password');
    try {
      const error = await rejection(p.manager.getToken());
      expect(error).toBeInstanceOf(CredentialsRejectedError);
      expect((error as CredentialsRejectedError).reason).toBe('Invalid username or password.');
      expect(server.counters.logins).toBe(1);
      expect(renderings(error)).not.toContain('wrong-password');
    } finally {
      p.manager.dispose();
    }
  });

  it('rejects a login answer without a "token" string with InvalidTokenResponseError', async () => {
    server.failNextLogins({ kind: 'status', status: 200, body: JSON.stringify({ access: 'not-here' }) });
    const p = provider();
    try {
      const error = await rejection(p.manager.getToken());
      expect(error).toBeInstanceOf(InvalidTokenResponseError);
      expect(server.counters.logins).toBe(1);
    } finally {
      p.manager.dispose();
    }
  });

  it('reports every invalid option at once without echoing the values', () => {
    let error: unknown;
    try {
      thinksurance({ baseUrl: 'not a url', username: '', password: 'secret-value-123', fallbackLifetimeMs: -1 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues.map((i) => i.path).sort()).toEqual(['baseUrl', 'fallbackLifetimeMs', 'username']);
    expect(renderings(error)).not.toContain('secret-value-123');
    expect(renderings(error)).not.toContain('not a url');
  });
});
