import { parseOptions, type Logger } from '@tokenwarden/auth-core';
import type { Redis, RedisOptions } from 'ioredis';
import { z } from 'zod';

/** Options of `new RedisStore(...)`. */
export interface RedisStoreOptions {
  /**
   * Where Redis is: an ioredis client, ioredis connection options, or a `redis://` /
   * `rediss://` URL. The store opens two connections of its own with these settings (one for
   * commands, one for change notifications) and tunes them to fail fast; a client you pass is
   * only copied (`duplicate()`), never used for commands and never closed by the store.
   */
  readonly redis: Redis | RedisOptions | string;
  /** Prepended to every key and channel the store uses (default `"tokenwarden:"`). */
  readonly prefix?: string;
  /**
   * Encrypts stored tokens with AES-256-GCM: 32 random bytes, as a Buffer/Uint8Array or a
   * base64 (or base64url) string, e.g. from `openssl rand -base64 32`. Every process sharing the
   * tokens needs the same key. Default: tokens are stored in the clear.
   */
  readonly encryptionKey?: Uint8Array | string;
  /**
   * Longest one store operation may take, in ms, including waiting for the first connection
   * (default 500). Past it the operation fails and the token manager carries on without Redis.
   */
  readonly commandTimeoutMs?: number;
  /** Told when Redis becomes unreachable or reachable again, and when a stored entry is ignored. */
  readonly logger?: Logger;
}

export interface ParsedOptions {
  readonly redis: Redis | RedisOptions | string;
  readonly prefix: string;
  /** A private copy; the caller wipes it after deriving keys. */
  readonly encryptionKey?: Buffer;
  readonly commandTimeoutMs: number;
  readonly logger?: Logger;
}

const KEY_MESSAGE = 'must be 32 bytes: a Buffer/Uint8Array, or a base64 string of 32 bytes (e.g. `openssl rand -base64 32`)';

function decodeKey(input: Uint8Array | string): Buffer | undefined {
  if (typeof input !== 'string') return input.length === 32 ? Buffer.from(input) : undefined;
  const text = input.trim();
  // Buffer.from(…, 'base64') skips what it does not understand; a pass phrase must not slip through as a short key.
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

const schema = z.object({
  redis: z.custom<Redis | RedisOptions | string>(
    (value) => (typeof value === 'string' && /^rediss?:\/\//.test(value)) || (typeof value === 'object' && value !== null),
    { message: 'must be an ioredis client, ioredis connection options or a redis:// URL' },
  ),
  prefix: z.string().min(1).max(256).default('tokenwarden:'),
  encryptionKey: z
    .custom<Uint8Array | string>((value) => typeof value === 'string' || value instanceof Uint8Array, { message: KEY_MESSAGE })
    .transform((value, ctx) => {
      const key = decodeKey(value);
      if (!key) ctx.addIssue({ code: 'custom', message: KEY_MESSAGE });
      return key ?? Buffer.alloc(0);
    })
    .optional(),
  commandTimeoutMs: z.number().int().min(1).max(60_000).default(500),
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null, { message: 'must be an object with warn/info methods' }).optional(),
});

/** Validates the options; every invalid field is reported at once, by name, never by value. */
export function parseStoreOptions(input: RedisStoreOptions): ParsedOptions {
  return parseOptions('redis', schema, input);
}
