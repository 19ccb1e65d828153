import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { AccessToken, Logger, StoreChange, StoreLock, TokenStore } from '@tokenwarden/auth-core';
import { z } from 'zod';
import { ChangeFeed } from './change-feed.js';
import { CommandConnection, openClient } from './connection.js';
import { EntryCodec, type IgnoredReason } from './entry.js';
import { parseStoreOptions, type RedisStoreOptions } from './options.js';
import { DELETE_IF_EQUAL, EXTEND, GET, LOCK, SET, UNLOCK } from './scripts.js';

const messageSchema = z.object({ type: z.enum(['set', 'delete']), fp: z.string() });

const IGNORED: Record<IgnoredReason, string> = {
  corrupt: 'it is not a valid token entry',
  'encrypted-but-no-key': 'it is encrypted and this store has no encryptionKey',
  'not-encrypted': 'it is not encrypted and this store requires encryption',
  undecryptable: 'it does not decrypt with this encryptionKey (another key, or tampered with)',
  'no-expiry': 'it has no expiry in Redis',
};

/** Fingerprints → values of the tokens one key held recently, so notifications can name them. */
const SEEN_PER_KEY = 4;

interface Watch {
  readonly listeners: Set<(change: StoreChange) => void>;
  readonly seen: Map<string, string>;
  readonly stop: () => void;
}

/**
 * A `TokenStore` in Redis, so every process of a service shares one token and one refresh.
 *
 * - `get`/`set`: entries are validated JSON, optionally AES-256-GCM encrypted, and expire in
 *   Redis when the token does.
 * - `lock`: one process in the fleet logs in while the others wait for its token; every lock
 *   carries a fence, and `set` refuses a write whose fence is older than the newest lock, so a
 *   process whose lock expired cannot overwrite a newer token.
 * - `set`/`deleteIfEqual` notify every process over pub/sub, so a token replaced or invalidated
 *   anywhere is dropped from every manager's memory.
 * - Every operation fails within `commandTimeoutMs` (at once while Redis is known to be down)
 *   with a `RedisStoreError`; the token manager then carries on with a local single flight.
 *
 * @example
 * const store = new RedisStore({ redis: process.env.REDIS_URL! });
 * const api = fakeLoginProvider({ ... }, { store });
 * // on shutdown:
 * await store.close();
 */
export class RedisStore implements TokenStore {
  /** Prepended to every key and channel. */
  readonly prefix: string;
  /** Whether stored tokens are encrypted. */
  readonly encrypted: boolean;
  readonly #commandTimeoutMs: number;
  readonly #codec: EntryCodec;
  readonly #commands: CommandConnection;
  readonly #feed: ChangeFeed;
  readonly #logger: Logger | undefined;
  readonly #watches = new Map<string, Watch>();

  /** @throws InvalidOptionsError naming every invalid option (never its value). */
  constructor(options: RedisStoreOptions) {
    const parsed = parseStoreOptions(options);
    this.prefix = parsed.prefix;
    this.#commandTimeoutMs = parsed.commandTimeoutMs;
    this.#logger = parsed.logger;
    this.#codec = new EntryCodec(parsed.encryptionKey);
    parsed.encryptionKey?.fill(0);
    this.encrypted = this.#codec.encrypted;
    // A connection that hears nothing for this long after a command is torn down and reconnected,
    // so a hung Redis turns into a fast "unavailable" instead of one timeout per call.
    const socketTimeout = Math.max(1_000, 4 * parsed.commandTimeoutMs);
    // After QUIT (or with Redis gone) a socket has nothing left to say: do not keep the process alive for ioredis's 2 s.
    const disconnectTimeout = 200;
    this.#commands = new CommandConnection(
      openClient(parsed.redis, { connectionName: 'tokenwarden', socketTimeout, disconnectTimeout }),
      parsed.commandTimeoutMs,
      parsed.logger,
    );
    this.#feed = new ChangeFeed(openClient(parsed.redis, { connectionName: 'tokenwarden-changes', disconnectTimeout }));
  }

  /** The token stored under `key`, or `undefined` when there is none or the entry cannot be used (reported to the logger). */
  async get(key: string): Promise<AccessToken | undefined> {
    const redisKey = this.#name('token', key);
    // Redis's countdown is anchored at the moment the command was sent: latency can then only
    // shorten what this process believes is left, never extend it past the real expiry.
    const sentAt = Date.now();
    const reply = await this.#commands.run('get', GET, [redisKey]);
    if (reply === null || reply === undefined) return undefined;
    const [raw, ttlMs] = Array.isArray(reply) ? (reply as unknown[]) : [];
    const decoded = typeof raw === 'string' && typeof ttlMs === 'number' ? this.#codec.decode(redisKey, raw, ttlMs, sentAt) : ({ ignored: 'corrupt' } as const);
    if ('ignored' in decoded) {
      this.#logger?.warn?.(`tokenwarden: ignored the token stored in Redis because ${IGNORED[decoded.ignored]}; the next login replaces it`);
      return undefined;
    }
    this.#remember(key, decoded.fp, decoded.token.value);
    return decoded.token;
  }

  /**
   * Stores `token` until its `expiresAt` and tells every process. With `fence` (from `lock`), the
   * write is refused — silently, nothing is stored or announced — when a newer lock was taken on
   * the key since. An already expired token is not written.
   */
  async set(key: string, token: AccessToken, fence?: number): Promise<boolean> {
    if (fence !== undefined && !Number.isSafeInteger(fence)) throw new RangeError('fence must be the integer a lock() of this store returned');
    const ttlMs = Math.floor(token.expiresAt - Date.now());
    if (!(ttlMs > 0)) return false;
    const redisKey = this.#name('token', key);
    const fp = this.#codec.fingerprint(token.value);
    this.#remember(key, fp, token.value);
    const reply = await this.#commands.run('set', SET, [
      redisKey,
      this.#name('fence', key),
      this.#codec.encode(redisKey, token),
      ttlMs,
      fence === undefined ? '' : String(fence),
      this.#name('changes', key),
      JSON.stringify({ type: 'set', fp }),
    ]);
    return reply === 1;
  }

  /** Deletes the key only while it still holds the token `value`; every process is told. */
  async deleteIfEqual(key: string, value: string): Promise<boolean> {
    const fp = this.#codec.fingerprint(value);
    const reply = await this.#commands.run('delete', DELETE_IF_EQUAL, [
      this.#name('token', key),
      fp,
      this.#name('changes', key),
      JSON.stringify({ type: 'delete', fp }),
    ]);
    return reply === 1;
  }

  /**
   * Takes the fleet-wide lock on `key` for at most `ttlMs`, or resolves to `undefined` while
   * another holder has it. `release()` deletes the lock only if it is still this holder's.
   */
  async lock(key: string, ttlMs: number): Promise<StoreLock | undefined> {
    const lockKey = this.#name('lock', key);
    const owner = randomBytes(16).toString('base64url');
    const unlock = () => this.#commands.run('unlock', UNLOCK, [lockKey, owner]);
    const reply = await this.#commands.run('lock', LOCK, [lockKey, this.#name('fence', key), owner, Math.max(1, Math.ceil(ttlMs))], (late) => {
      // Redis granted the lock after we stopped waiting: nobody will use it, so do not make the fleet wait for it.
      if (typeof late === 'number') unlock().catch(() => undefined);
    });
    if (typeof reply !== 'number') return undefined;
    let released = false;
    return {
      fence: reply,
      extend: async (ms: number) => !released && (await this.#commands.run('extend', EXTEND, [lockKey, owner, Math.max(1, Math.ceil(ms))])) === 1,
      release: async () => {
        if (released) return;
        released = true;
        await unlock();
      },
    };
  }

  /**
   * Calls `listener` when any process sets or invalidates `key`. A change names the token value
   * when this process has seen it, otherwise an opaque value that equals no token — token values
   * themselves never travel over pub/sub.
   */
  subscribe(key: string, listener: (change: StoreChange) => void): () => void {
    let watch = this.#watches.get(key);
    if (!watch) {
      const listeners = new Set<(change: StoreChange) => void>();
      const seen = new Map<string, string>();
      const stop = this.#feed.listen(this.#name('changes', key), (message) => {
        const change = parseMessage(message);
        if (!change) return;
        const value = seen.get(change.fp) ?? `\u0000unseen:${change.fp}`;
        for (const notify of listeners) {
          try {
            notify({ type: change.type, value });
          } catch (error) {
            this.#logger?.error?.('tokenwarden: a Redis store change listener threw', { error: error instanceof Error ? error.name : 'error' });
          }
        }
      });
      this.#watches.set(key, (watch = { listeners, seen, stop }));
    }
    const mine = watch;
    mine.listeners.add(listener);
    return () => {
      mine.listeners.delete(listener);
      if (mine.listeners.size > 0 || this.#watches.get(key) !== mine) return;
      this.#watches.delete(key);
      mine.stop();
    };
  }

  /** Closes both connections (each within `commandTimeoutMs`). Later operations fail with `RedisStoreError` ("closed"). */
  async close(): Promise<void> {
    for (const watch of this.#watches.values()) watch.stop();
    this.#watches.clear();
    await Promise.all([this.#commands.close(), this.#feed.close(this.#commandTimeoutMs)]);
  }

  toJSON(): Record<string, unknown> {
    return { name: 'RedisStore', prefix: this.prefix, encrypted: this.encrypted, commandTimeoutMs: this.#commandTimeoutMs };
  }

  [inspect.custom](): string {
    return `RedisStore ${JSON.stringify(this.toJSON())}`;
  }

  #name(kind: 'token' | 'lock' | 'fence' | 'changes', key: string): string {
    return `${this.prefix}${kind}:${key}`;
  }

  #remember(key: string, fp: string, value: string): void {
    const seen = this.#watches.get(key)?.seen;
    if (!seen) return;
    seen.delete(fp);
    seen.set(fp, value);
    if (seen.size > SEEN_PER_KEY) seen.delete(seen.keys().next().value as string);
  }
}

function parseMessage(message: string): z.output<typeof messageSchema> | undefined {
  try {
    const parsed = messageSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
