import type { AccessToken } from './token.js';

/** A fleet-wide lock on one cache key, held while one process logs in. */
export interface StoreLock {
  /** Grows with every lock taken on the key; a store refuses writes from a stale holder. */
  readonly fence: number;
  /** Optional: keeps the lock for another `ttlMs` (before each retry of a slow login); false if it was lost. */
  extend?(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

/** A change another process (or manager) made to a key. */
export type StoreChange = { readonly type: 'set'; readonly value: string } | { readonly type: 'delete'; readonly value: string };

/**
 * Where tokens live between logins. The manager keeps its own in-process copy, so a store is
 * consulted only on a miss: the hot path never waits for it.
 */
export interface TokenStore {
  get(key: string): Promise<AccessToken | undefined>;
  /**
   * Stores a token; with `fence`, only if no newer lock was taken on the key since. Resolves to
   * `false` when the write was refused (the manager then adopts the fleet's newer token).
   */
  set(key: string, token: AccessToken, fence?: number): Promise<boolean | void>;
  /** Deletes the key only while it still holds `value` (compare-and-invalidate). */
  deleteIfEqual(key: string, value: string): Promise<boolean>;
  /**
   * Optional fleet-wide single flight: resolves to a lock, or `undefined` when someone else
   * holds it (then the manager waits for their token to appear in the store).
   */
  lock?(key: string, ttlMs: number): Promise<StoreLock | undefined>;
  /** Optional: be told when another process sets or invalidates the key. Returns an unsubscribe function. */
  subscribe?(key: string, listener: (change: StoreChange) => void): () => void;
}
