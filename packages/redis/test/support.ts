import type { Provider, TokenEvents, TokenManagerOptions } from '@tokenwarden/auth-core';
import { cacheKeyOf } from '@tokenwarden/auth-core';
import { fakeLoginProvider, startFakeLoginServer, type FakeLoginServer } from '@tokenwarden/auth-core/testing';
import { Redis } from 'ioredis';
import { RedisStore, type RedisStoreOptions } from '../src/index.js';
import { startRedis, type TestRedis } from './redis-server.js';

export const PASSWORD = 'fleet-password-7f3a';

/** One "process" of a fleet: its own store (own connections), provider and manager. */
export interface Member {
  readonly store: RedisStore;
  readonly provider: Provider;
  readonly warnings: TokenEvents['warning'][];
  readonly acquired: TokenEvents['acquired'][];
}

let prefixes = 0;

/** A Redis server, a login server and a way to start fleet members against both. */
export interface Fleet {
  readonly redis: TestRedis;
  readonly login: FakeLoginServer;
  /** Plain client for looking at (and tampering with) what the store wrote. */
  readonly admin: Redis;
  /** A fresh key prefix, so tests sharing a server never see each other's keys. */
  newPrefix(): string;
  member(options?: Partial<RedisStoreOptions>, engine?: TokenManagerOptions): Member;
  /** The cache key of the login server's principal (what managers pass to the store). */
  readonly cacheKey: string;
  /** The Redis key of that token under `prefix`. */
  tokenKey(prefix: string): string;
  close(): Promise<void>;
}

export async function startFleet(): Promise<Fleet> {
  const redis = await startRedis();
  const login = await startFakeLoginServer({ password: PASSWORD });
  const admin = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => 50, lazyConnect: false });
  admin.on('error', () => undefined);
  const members: Member[] = [];
  let currentPrefix = '';
  const newPrefix = () => (currentPrefix = `tw-test-${process.pid}-${++prefixes}:`);
  newPrefix();
  return {
    redis,
    login,
    admin,
    newPrefix,
    member(options = {}, engine = {}) {
      const store = new RedisStore({ redis: { port: redis.port, host: '127.0.0.1', retryStrategy: () => 50 }, prefix: currentPrefix, ...options });
      const provider = fakeLoginProvider({ baseUrl: login.url, username: 'demo', password: PASSWORD }, { ...engine, store });
      const member: Member = { store, provider, warnings: [], acquired: [] };
      provider.manager.on('warning', (w) => void member.warnings.push(w));
      provider.manager.on('acquired', (a) => void member.acquired.push(a));
      members.push(member);
      return member;
    },
    cacheKey: cacheKeyOf('fake-login', login.url, 'demo'),
    tokenKey: (prefix) => `${prefix}token:${cacheKeyOf('fake-login', login.url, 'demo')}`,
    async close() {
      for (const m of members) m.provider.manager.dispose();
      await Promise.all(members.map((m) => m.store.close()));
      admin.disconnect();
      await login.close();
      await redis.stop();
    },
  };
}

/** Polls `check` every 20 ms until it holds; fails after `withinMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Redis has answered a store operation again (after a restart). */
export async function reachable(store: RedisStore, key = 'probe'): Promise<boolean> {
  try {
    await store.get(key);
    return true;
  } catch {
    return false;
  }
}
