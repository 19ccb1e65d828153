import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { RedisStore } from '../src/index.js';
import { PASSWORD, startFleet, type Fleet } from './support.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet();
});
afterAll(async () => {
  await fleet?.close();
});

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);

/** Every way a key could show: raw bytes as text, base64, base64url, hex. */
const renderingsOf = (key: Buffer) => [key.toString('base64'), key.toString('base64url'), key.toString('hex')];

describe('encrypted entries', () => {
  it('stores no trace of the token in Redis, and processes with the same key share it with one login', async () => {
    fleet.newPrefix();
    const a = fleet.member({ encryptionKey: KEY });
    const b = fleet.member({ encryptionKey: KEY.toString('base64') });
    const start = fleet.login.counters.logins;
    const [ta, tb] = await Promise.all([a.provider.manager.getToken(), b.provider.manager.getToken()]);
    expect(tb.value).toBe(ta.value);
    expect(fleet.login.counters.logins - start).toBe(1);

    const raw = (await fleet.admin.get(fleet.tokenKey(a.store.prefix)))!;
    expect(raw).toBeTruthy();
    const [header, payload, signature] = ta.value.split('.') as [string, string, string];
    for (const part of [ta.value, header, payload, signature, ...renderingsOf(KEY)]) expect(raw).not.toContain(part);
    expect(JSON.parse(raw)).toEqual({ v: 1, fp: expect.any(String), sealed: { iv: expect.any(String), tag: expect.any(String), data: expect.any(String) } });
  });

  it('uses a new random IV for every write: the same token never encrypts to the same value twice', async () => {
    const prefix = fleet.newPrefix();
    const s = new RedisStore({ redis: fleet.redis.url, prefix, encryptionKey: KEY });
    try {
      const token = { value: 'tok-same', scheme: 'Bearer', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 };
      await s.set('k', token);
      const first = await fleet.admin.get(`${prefix}token:k`);
      await s.set('k', token);
      const second = await fleet.admin.get(`${prefix}token:k`);
      expect(JSON.parse(second!).sealed.iv).not.toBe(JSON.parse(first!).sealed.iv);
      expect((await s.get('k'))?.value).toBe('tok-same');
    } finally {
      await s.close();
    }
  });

  it('ignores an entry encrypted with another key: one new login replaces it, nothing throws, the logger says why', async () => {
    fleet.newPrefix();
    const warned: string[] = [];
    const a = fleet.member({ encryptionKey: KEY });
    const b = fleet.member({ encryptionKey: OTHER_KEY, logger: { warn: (m) => void warned.push(m) } });
    const start = fleet.login.counters.logins;
    const ta = await a.provider.manager.getToken();
    const tb = await b.provider.manager.getToken();
    expect(tb.value).not.toBe(ta.value);
    expect(fleet.login.counters.logins - start).toBe(2);
    // Read once before and once after taking the lock; both times the entry is skipped with a reason.
    expect(warned.length).toBeGreaterThan(0);
    for (const message of warned) expect(message).toContain('does not decrypt with this encryptionKey');
    const everything = JSON.stringify([warned, a.warnings, b.warnings]);
    for (const secret of [ta.value, tb.value, PASSWORD, ...renderingsOf(KEY), ...renderingsOf(OTHER_KEY)]) expect(everything).not.toContain(secret);
  });

  it('ignores an entry copied to another key (the Redis key is authenticated with the ciphertext)', async () => {
    const prefix = fleet.newPrefix();
    const s = new RedisStore({ redis: fleet.redis.url, prefix, encryptionKey: KEY });
    try {
      await s.set('alice', { value: 'tok-alice', scheme: 'Bearer', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 });
      await fleet.admin.set(`${prefix}token:mallory`, (await fleet.admin.get(`${prefix}token:alice`))!, 'PX', 60_000);
      expect(await s.get('mallory')).toBeUndefined();
      expect((await s.get('alice'))?.value).toBe('tok-alice');
    } finally {
      await s.close();
    }
  });

  it('with a key, ignores an unencrypted entry (someone with Redis access cannot plant a token); without one, ignores encrypted entries', async () => {
    const prefix = fleet.newPrefix();
    const plain = new RedisStore({ redis: fleet.redis.url, prefix });
    const sealed = new RedisStore({ redis: fleet.redis.url, prefix, encryptionKey: KEY });
    try {
      const token = { value: 'tok-planted', scheme: 'Bearer', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 };
      await plain.set('planted', token);
      expect(await sealed.get('planted')).toBeUndefined();
      await sealed.set('sealed', { ...token, value: 'tok-sealed' });
      expect(await plain.get('sealed')).toBeUndefined();
      expect((await sealed.get('sealed'))?.value).toBe('tok-sealed');
    } finally {
      await Promise.all([plain.close(), sealed.close()]);
    }
  });

  it('never shows the key or the Redis password when the store is logged, inspected or serialized', async () => {
    // Port 1: nothing listens, so no server is bothered with a password it does not expect.
    const s = new RedisStore({ redis: { port: 1, host: '127.0.0.1', password: 'redis-pass-3b9c' }, encryptionKey: KEY });
    try {
      const shown = [inspect(s, { depth: 10, showHidden: true }), JSON.stringify(s), String(s)].join('\n');
      for (const secret of [...renderingsOf(KEY), 'redis-pass-3b9c']) expect(shown).not.toContain(secret);
      expect(JSON.parse(JSON.stringify(s))).toEqual({ name: 'RedisStore', prefix: 'tokenwarden:', encrypted: true, commandTimeoutMs: 500 });
    } finally {
      await s.close();
    }
  });

  it('keeps its own copy of the key: wiping the caller’s buffer afterwards changes nothing', async () => {
    const prefix = fleet.newPrefix();
    const key = Buffer.from(KEY);
    const s = new RedisStore({ redis: fleet.redis.url, prefix, encryptionKey: key });
    const reader = new RedisStore({ redis: fleet.redis.url, prefix, encryptionKey: KEY });
    try {
      key.fill(0);
      await s.set('k', { value: 'tok-kept', scheme: 'Bearer', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 });
      expect((await reader.get('k'))?.value).toBe('tok-kept');
    } finally {
      await Promise.all([s.close(), reader.close()]);
    }
  });
});
