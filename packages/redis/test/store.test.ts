import { TokenManager, type AccessToken, type TokenSource } from '@tokenwarden/auth-core';
import { Redis } from 'ioredis';
import { RedisStore } from '../src/index.js';
import { startFleet, until, type Fleet } from './support.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet();
});
afterAll(async () => {
  await fleet?.close();
});

const stores: RedisStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** A store of its own ("another process") on this file's Redis, with a fresh prefix per test. */
function store(prefix: string, commandTimeoutMs = 500): RedisStore {
  const s = new RedisStore({ redis: { port: fleet.redis.port, host: '127.0.0.1', retryStrategy: () => 50 }, prefix, commandTimeoutMs });
  stores.push(s);
  return s;
}

const token = (value: string, lifetimeMs = 60_000): AccessToken => {
  const now = Date.now();
  return { value, scheme: 'Bearer', issuedAt: now, expiresAt: now + lifetimeMs };
};

describe('get and set', () => {
  it('round-trips a token and keeps it in Redis only until its expiresAt (PX)', async () => {
    const prefix = fleet.newPrefix();
    const s = store(prefix);
    const written = token('tok-roundtrip', 30_000);
    await s.set('k', written);
    const read = await s.get('k');
    expect(read).toMatchObject({ value: 'tok-roundtrip', scheme: 'Bearer' });
    // Expiry travels as Redis's own countdown, anchored when the read was sent, so network
    // latency cannot extend it; Redis's cached clock can still be a few ms behind.
    expect(read!.expiresAt).toBeLessThanOrEqual(written.expiresAt + 100);
    expect(read!.expiresAt).toBeGreaterThan(written.expiresAt - 1_000);
    expect(read!.expiresAt - read!.issuedAt).toBe(30_000);
    const pttl = await fleet.admin.pttl(`${prefix}token:k`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(30_000);
  });

  it("keeps a source's own refreshAt (as a lead before expiry) so every process refreshes when the source asked", async () => {
    const s = store(fleet.newPrefix());
    const written = { ...token('tok-refresh-at', 60_000) };
    const withRefreshAt = { ...written, refreshAt: written.expiresAt - 10_000 };
    await s.set('k', withRefreshAt);
    const read = await s.get('k');
    expect(read!.expiresAt - read!.refreshAt!).toBe(10_000);
    await s.set('plain', written);
    expect((await s.get('plain'))!.refreshAt).toBeUndefined();
  });

  it('never serves a token past its expiry: the entry is gone from Redis when the token expires', async () => {
    const s = store(fleet.newPrefix());
    await s.set('k', token('tok-short', 150));
    expect((await s.get('k'))?.value).toBe('tok-short');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await s.get('k')).toBeUndefined();
  });

  it('does not write a token that is already expired', async () => {
    const prefix = fleet.newPrefix();
    const s = store(prefix);
    await s.set('k', { value: 'tok-expired', scheme: 'Bearer', issuedAt: Date.now() - 10_000, expiresAt: Date.now() - 1 });
    expect(await fleet.admin.exists(`${prefix}token:k`)).toBe(0);
  });

  it('deletes only the token it is told to (compare-and-delete) and tells other processes about it', async () => {
    const prefix = fleet.newPrefix();
    const [a, b] = [store(prefix), store(prefix)];
    const changes: { type: string; value: string }[] = [];
    const stop = b.subscribe('k', (change) => void changes.push(change));
    await until(async () => String(await fleet.admin.call('PUBSUB', 'NUMSUB', `${prefix}changes:k`)).endsWith(',1'), 'b subscribed');
    await a.set('k', token('tok-current'));
    await until(() => changes.length === 1, 'b was told about the new token');
    expect(changes[0]!.type).toBe('set');
    await b.get('k'); // b has seen the value (as its manager would), so the next notification can name it
    expect(await a.deleteIfEqual('k', 'tok-older')).toBe(false);
    expect((await a.get('k'))?.value).toBe('tok-current');
    expect(await a.deleteIfEqual('k', 'tok-current')).toBe(true);
    expect(await a.get('k')).toBeUndefined();
    await until(() => changes.length === 2, 'b was told about the deletion');
    expect(changes[1]).toEqual({ type: 'delete', value: 'tok-current' });
    stop();
  });

  it('never sends a token value over pub/sub: a listener that has not seen the token gets a value that matches no token', async () => {
    const prefix = fleet.newPrefix();
    const [a, b] = [store(prefix), store(prefix)];
    const spy = new Redis(fleet.redis.port, '127.0.0.1');
    const heard: string[] = [];
    const changes: { type: string; value: string }[] = [];
    try {
      await spy.subscribe(`${prefix}changes:k`);
      spy.on('message', (_channel: string, message: string) => void heard.push(message));
      b.subscribe('k', (change) => void changes.push(change));
      await until(async () => String(await fleet.admin.call('PUBSUB', 'NUMSUB', `${prefix}changes:k`)).endsWith(',2'), 'both subscribed');
      await a.set('k', token('tok-secret-value-123'));
      await until(() => heard.length === 1 && changes.length === 1, 'the change was published');
      expect(heard[0]).not.toContain('tok-secret-value-123');
      expect(changes[0]!.type).toBe('set');
      expect(changes[0]!.value).not.toBe('tok-secret-value-123');
    } finally {
      spy.disconnect();
    }
  });
});

describe('lock and fencing', () => {
  it('gives the lock to one holder at a time, with a fence that grows, and release() frees it', async () => {
    const prefix = fleet.newPrefix();
    const [a, b] = [store(prefix), store(prefix)];
    const first = await a.lock('k', 5_000);
    expect(first).toBeDefined();
    expect(await b.lock('k', 5_000)).toBeUndefined();
    await first!.release();
    const second = await b.lock('k', 5_000);
    expect(second!.fence).toBeGreaterThan(first!.fence);
    await second!.release();
  });

  it('release() of a lock that expired does not delete the next holder’s lock', async () => {
    const prefix = fleet.newPrefix();
    const [a, b, c] = [store(prefix), store(prefix), store(prefix)];
    const expired = await a.lock('k', 100);
    await until(async () => (await fleet.admin.exists(`${prefix}lock:k`)) === 0, 'the lock expired');
    const current = await b.lock('k', 5_000);
    expect(current).toBeDefined();
    await expired!.release();
    expect(await c.lock('k', 5_000)).toBeUndefined();
    await current!.release();
  });

  it('refuses a write from a holder whose lock expired once a newer lock was taken (fencing)', async () => {
    const prefix = fleet.newPrefix();
    const [slow, fast] = [store(prefix), store(prefix)];
    const stale = await slow.lock('k', 100);
    await until(async () => (await fleet.admin.exists(`${prefix}lock:k`)) === 0, 'the slow holder’s lock expired');
    const fresh = await fast.lock('k', 5_000);
    await fast.set('k', token('tok-newer'), fresh!.fence);
    await fresh!.release();
    await slow.set('k', token('tok-stale'), stale!.fence);
    expect((await fast.get('k'))?.value).toBe('tok-newer');
    // Without a newer lock in between, a fenced write goes through.
    const again = await slow.lock('k', 5_000);
    await slow.set('k', token('tok-latest'), again!.fence);
    expect((await fast.get('k'))?.value).toBe('tok-latest');
    await again!.release();
  });

  it('keeps the newer token when a manager’s login outlasts its lock: the late write is fenced out', async () => {
    const prefix = fleet.newPrefix();
    const [slowStore, fastStore] = [store(prefix, 1_000), store(prefix, 1_000)];
    let finishSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (finishSlow = resolve));
    let logins = 0;
    const source = (value: string, gate?: Promise<void>): TokenSource => ({
      provider: 'gated',
      cacheKey: 'k',
      async acquire() {
        logins++;
        await gate;
        return token(value);
      },
    });
    // The slow process holds the lock for 150 ms only; its login takes longer.
    const slow = new TokenManager(source('tok-from-slow', slowGate), { store: slowStore, lockTtlMs: 150, loginTimeoutMs: 10_000 });
    const fast = new TokenManager(source('tok-from-fast'), { store: fastStore, lockTtlMs: 5_000 });
    try {
      const slowToken = slow.getToken();
      await until(async () => (await fleet.admin.exists(`${prefix}lock:k`)) === 1, 'the slow process took the lock');
      // The fast process waits for the lock, takes it when it expires and logs in under a newer fence.
      expect((await fast.getToken()).value).toBe('tok-from-fast');
      finishSlow();
      await slowToken;
      expect(logins).toBe(2);
      expect((await fastStore.get('k'))?.value).toBe('tok-from-fast');
      // A process starting now adopts the fleet's token, not the one whose write was refused.
      const late = new TokenManager(source('tok-never'), { store: store(prefix) });
      expect((await late.getToken()).value).toBe('tok-from-fast');
      expect(logins).toBe(2);
      late.dispose();
    } finally {
      slow.dispose();
      fast.dispose();
    }
  });

  it('releases a lock Redis granted only after the caller gave up waiting, so the fleet does not wait for it', async () => {
    const prefix = fleet.newPrefix();
    const s = store(prefix, 150);
    await s.get('k'); // connected
    fleet.redis.pause();
    try {
      await expect(s.lock('k', 30_000)).rejects.toMatchObject({ name: 'RedisStoreError', failure: 'timeout' });
    } finally {
      fleet.redis.resume();
    }
    await until(async () => (await fleet.admin.exists(`${prefix}lock:k`)) === 0, 'the late lock was released', 3_000);
    expect(await store(prefix).lock('k', 1_000)).toBeDefined();
  });
});

describe('entries that cannot be used', () => {
  const cases: [string, (admin: Redis, key: string, prefix: string) => Promise<unknown>][] = [
    ['not JSON', (admin, key) => admin.set(key, 'not json at all', 'PX', 60_000)],
    ['JSON of the wrong shape', (admin, key) => admin.set(key, JSON.stringify({ v: 1, fp: 'x', token: { value: 42 } }), 'PX', 60_000)],
    ['a fingerprint that does not match the token', (admin, key) =>
      admin.set(key, JSON.stringify({ v: 1, fp: 'forged', token: { value: 'tok-forged', scheme: 'Bearer', lifetimeMs: 60_000 } }), 'PX', 60_000)],
    ['valid but without an expiry in Redis', async (admin, key, prefix) => {
      await store(prefix).set(fleet.cacheKey, token('tok-persisted'));
      await admin.persist(key);
    }],
    ['a Redis hash instead of a string', (admin, key) => admin.hset(key, 'value', 'tok-in-a-hash')],
  ];

  it.each(cases)('ignores an entry that is %s: one login replaces it, nothing throws', async (_what, corrupt) => {
    const prefix = fleet.newPrefix();
    const key = fleet.tokenKey(prefix);
    const warned: string[] = [];
    await corrupt(fleet.admin, key, prefix);
    const member = fleet.member({ logger: { warn: (message) => void warned.push(message) } });
    const start = fleet.login.counters.logins;
    const tokens = await Promise.all(Array.from({ length: 10 }, () => member.provider.manager.getToken()));
    expect(fleet.login.counters.logins - start).toBe(1);
    expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
    // The login's token replaced the bad entry; the next process adopts it.
    const next = fleet.member();
    expect((await next.provider.manager.getToken()).value).toBe(tokens[0]!.value);
    expect(fleet.login.counters.logins - start).toBe(1);
    // Reported: by the store's logger (unusable entry) or as a manager warning (Redis refused the read).
    expect(warned.length + member.warnings.length).toBeGreaterThan(0);
    expect(JSON.stringify([warned, member.warnings])).not.toContain(tokens[0]!.value);
  });
});

describe('a client of the user’s own', () => {
  it('is copied, not used or closed: the store works and the user’s client stays connected after close()', async () => {
    const own = new Redis(fleet.redis.port, '127.0.0.1', { keyPrefix: 'app:' });
    try {
      const s = new RedisStore({ redis: own, prefix: fleet.newPrefix() });
      await s.set('k', token('tok-own-client'));
      expect((await s.get('k'))?.value).toBe('tok-own-client');
      await s.close();
      await expect(s.get('k')).rejects.toMatchObject({ failure: 'closed' });
      expect(await own.ping()).toBe('PONG');
      expect(own.status).toBe('ready');
    } finally {
      own.disconnect();
    }
  });
});
