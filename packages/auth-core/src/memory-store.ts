import type { TokenStore } from './store.js';
import type { AccessToken } from './token.js';

/** The default store: in-process, bounded, least-recently-used keys are dropped first. */
export class MemoryStore implements TokenStore {
  private readonly entries = new Map<string, AccessToken>();
  private readonly maxEntries: number;

  /** @param options.maxEntries keys kept at most (default 1000). */
  constructor(options: { maxEntries?: number } = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 1000);
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<AccessToken | undefined> {
    const token = this.entries.get(key);
    if (token) {
      // Map keeps insertion order: re-inserting marks the key as most recently used.
      this.entries.delete(key);
      this.entries.set(key, token);
    }
    return token;
  }

  async set(key: string, token: AccessToken): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, token);
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  async deleteIfEqual(key: string, value: string): Promise<boolean> {
    if (this.entries.get(key)?.value !== value) return false;
    return this.entries.delete(key);
  }
}
