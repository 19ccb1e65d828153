import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { createAuthFetch, type AccessToken } from '@tokenwarden/auth-core';
import { RedisStoreError } from '../src/index.js';
import { PASSWORD, reachable, startFleet, until, type Fleet, type Member } from './support.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet();
});
afterAll(async () => {
  await fleet?.close();
});

const KEY = Buffer.alloc(32, 7);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Every way an error or warning could end up in a log. */
const rendered = (value: unknown): string =>
  [value instanceof Error ? `${value.message}\n${value.stack}` : '', JSON.stringify(value), inspect(value, { depth: 10 })].join('\n');

function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  const text = rendered(value);
  for (const secret of [...secrets, PASSWORD, KEY.toString('base64'), KEY.toString('hex')]) expect(text).not.toContain(secret);
}

async function requests(member: Member, count: number): Promise<number[]> {
  const authFetch = createAuthFetch(member.provider);
  const responses = await Promise.all(Array.from({ length: count }, () => authFetch(`${fleet.login.url}/api/data`)));
  return responses.map((r) => r.status);
}

describe('Redis goes away', () => {
  it('keeps getToken and createAuthFetch working when Redis is killed mid-run (local single flight), warns without secrets, and shares again once Redis is back', async () => {
    fleet.newPrefix();
    const members = [fleet.member({ encryptionKey: KEY }), fleet.member({ encryptionKey: KEY }), fleet.member({ encryptionKey: KEY })];
    const start = fleet.login.counters.logins;
    const [shared] = await Promise.all(members.map((m) => m.provider.manager.getToken()));
    expect(fleet.login.counters.logins - start).toBe(1);

    await fleet.redis.kill();

    // The hot path never touches Redis: valid tokens keep being served.
    for (const m of members) expect(await requests(m, 10)).toEqual(Array(10).fill(200));
    expect(fleet.login.counters.logins - start).toBe(1);

    // The server now rejects the shared token: every process recovers on its own, once each.
    fleet.login.revoke(shared!.value);
    const statuses = await Promise.all(members.map((m) => requests(m, 10)));
    expect(statuses.flat()).toEqual(Array(30).fill(200));
    expect(fleet.login.counters.logins - start).toBe(1 + members.length);
    const during = members.map((m) => m.provider.manager.peek() as AccessToken);
    expect(new Set(during.map((t) => t.value)).size).toBe(members.length);

    for (const m of members) {
      expect(m.warnings.length).toBeGreaterThan(0);
      expect(m.warnings.map((w) => w.message).join('\n')).toContain('token store');
      expectNoSecrets(m.warnings, [shared!.value, ...during.map((t) => t.value)]);
    }
    const error = await rejection(members[0]!.store.get(fleet.cacheKey));
    expect(error).toBeInstanceOf(RedisStoreError);
    expect(error).toMatchObject({ code: 'REDIS_STORE_FAILED', operation: 'get', failure: 'unavailable' });
    expectNoSecrets(error, [shared!.value, ...during.map((t) => t.value), fleet.cacheKey]);

    await fleet.redis.restart();
    await until(async () => (await Promise.all(members.map((m) => reachable(m.store)))).every(Boolean), 'every store reconnected');
    const channel = `${members[0]!.store.prefix}changes:${fleet.cacheKey}`;
    await until(async () => String(await fleet.admin.call('PUBSUB', 'NUMSUB', channel)).endsWith(',3'), 'every store listens again');

    // One process refreshes; the others drop their own tokens and adopt its token from Redis.
    const refreshed = await members[0]!.provider.manager.forceRefresh();
    await until(() => members.slice(1).every((m) => m.provider.manager.peek() === undefined), 'the others dropped their outage tokens');
    const after = await Promise.all(members.flatMap((m) => Array.from({ length: 10 }, () => m.provider.manager.getToken())));
    expect(new Set(after.map((t) => t.value))).toEqual(new Set([refreshed.value]));
    expect(fleet.login.counters.logins - start).toBe(1 + members.length + 1);
  });

  it('fails fast when Redis hangs (SIGSTOP): a cold getToken still logs in, each store call gives up after commandTimeoutMs', async () => {
    fleet.newPrefix();
    const member = fleet.member({ commandTimeoutMs: 150 });
    expect(await reachable(member.store)).toBe(true);
    const start = fleet.login.counters.logins;
    fleet.redis.pause();
    try {
      const tokens = await Promise.all(Array.from({ length: 20 }, () => member.provider.manager.getToken()));
      expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
      expect(fleet.login.counters.logins - start).toBe(1);
      expect(member.warnings.map((w) => w.message)).toEqual(
        expect.arrayContaining([expect.stringContaining('token store read failed'), expect.stringContaining('token store write failed')]),
      );
      const error = await rejection(member.store.get(fleet.cacheKey));
      expect(error).toBeInstanceOf(RedisStoreError);
      expect(['timeout', 'unavailable']).toContain((error as RedisStoreError).failure);
    } finally {
      fleet.redis.resume();
    }
  });
});

describe('Redis is not there from the start', () => {
  it('serves tokens with a local single flight and a warning; every store call fails at once with a typed error', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const member = fleet.member({ redis: `redis://127.0.0.1:${port}`, commandTimeoutMs: 2_000 });
    const start = fleet.login.counters.logins;
    const tokens = await Promise.all(Array.from({ length: 50 }, () => member.provider.manager.getToken()));
    expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
    expect(fleet.login.counters.logins - start).toBe(1);
    expect(member.warnings.length).toBeGreaterThan(0);
    expectNoSecrets(member.warnings, [tokens[0]!.value]);
    // "unavailable", not "timeout": nobody waited for the 2 s deadline.
    for (const op of [member.store.get('k'), member.store.lock('k', 1_000), member.store.deleteIfEqual('k', 'v')]) {
      expect(await rejection(op)).toMatchObject({ name: 'RedisStoreError', failure: 'unavailable' });
    }
  });
});
