import { inspect } from 'node:util';

/** Why a store operation did not reach Redis or did not complete. */
export type RedisStoreFailure = 'timeout' | 'unavailable' | 'closed' | 'server-error';

/** A store operation that could not be completed; the operation that was attempted. */
export type RedisStoreOperation = 'get' | 'set' | 'delete' | 'lock' | 'extend' | 'unlock';

const EXPLAIN: Record<RedisStoreFailure, string> = {
  timeout: 'Redis did not answer in time',
  unavailable: 'the connection to Redis is down',
  closed: 'the store was closed',
  'server-error': 'Redis answered with an error',
};

/**
 * A Redis store operation failed. The token manager catches it, emits a `warning` event and
 * carries on with its in-process token and a local single flight.
 *
 * Built only from the operation and a failure class: never the Redis key, the stored value,
 * the token, the encryption key or the client's error object (ioredis attaches the command's
 * arguments to its errors, and those hold the stored entry).
 */
export class RedisStoreError extends Error {
  /** Stable code to branch on. */
  readonly code = 'REDIS_STORE_FAILED' as const;
  /** Trying again later may succeed. */
  readonly retryable = true;
  readonly operation: RedisStoreOperation;
  readonly failure: RedisStoreFailure;
  /** For `server-error`: the error class Redis named, e.g. "WRONGTYPE" or "NOAUTH". */
  readonly redisCode: string | undefined;

  constructor(init: { operation: RedisStoreOperation; failure: RedisStoreFailure; redisCode?: string; timeoutMs?: number }) {
    const within = init.failure === 'timeout' && init.timeoutMs !== undefined ? ` within ${init.timeoutMs} ms` : '';
    const code = init.redisCode ? ` (${init.redisCode})` : '';
    super(`Redis token store ${init.operation} failed: ${EXPLAIN[init.failure]}${within}${code}. Tokens are served from this process until Redis is back.`);
    this.name = 'RedisStoreError';
    this.operation = init.operation;
    this.failure = init.failure;
    this.redisCode = init.redisCode;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, operation: this.operation, failure: this.failure, redisCode: this.redisCode, message: this.message };
  }

  [inspect.custom](): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

/** The Redis error class ("WRONGTYPE", "NOSCRIPT", …): upper-case first word of a reply error, nothing else. */
export function redisErrorCode(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  return /^([A-Z][A-Z_]{1,31})\b/.exec(message)?.[1];
}
