import type { TokenEventEmitter } from './events.js';
import type { HttpClient } from './http.js';

/** A token and when it stops being accepted. Times are epoch milliseconds on the local clock. */
export interface AccessToken {
  readonly value: string;
  /** Authorization scheme, e.g. "Bearer" or "JWT". */
  readonly scheme: string;
  readonly issuedAt: number;
  /** Computed from the server's own times (see `serverRelativeExpiry`), so clock skew does not matter. */
  readonly expiresAt: number;
  /**
   * Optional: when the source wants to be asked for a new token, overriding the engine's
   * refresh point (e.g. rotate a long-lived token a configured time before it expires).
   */
  readonly refreshAt?: number;
}

/** Why the engine asks for a new token. */
export type AcquireReason = 'initial' | 'expiring' | 'rejected' | 'forced';

/** What a token source gets for one login. */
export interface AcquireContext {
  /** Aborted when the login deadline passes or the manager is disposed. */
  readonly signal: AbortSignal;
  readonly reason: AcquireReason;
  /** HTTP client for the login: bound to `signal`, size-capped, never follows redirects, typed errors. */
  readonly http: HttpClient;
  /**
   * Tells the engine not to call the login endpoint before `epochMs` (e.g. a rate-limit budget
   * that is used up). A still-valid token keeps being served until then.
   */
  pauseLogins(epochMs: number, why: string): void;
  /** Reports an event on the manager (e.g. a `rateLimit` seen on the login response, a `warning`). */
  readonly emit: TokenEventEmitter['emit'];
}

/**
 * The provider side of the contract: obtains one token. No caching, no retries, no
 * single flight — the `TokenManager` does all of that.
 */
export interface TokenSource {
  /** Provider name for errors and events, e.g. "mittwald". */
  readonly provider: string;
  /** Stable, non-secret key of the principal: a hash of base URL + user, never the password. */
  readonly cacheKey: string;
  /** Values to scrub from any error this source throws (passwords, secrets). */
  readonly secrets?: readonly string[];
  /**
   * Logs in and returns a token. Throws a `TokenWardenError` (usually via `ctx.http` and
   * `assertLoginOk`) when it cannot.
   */
  acquire(ctx: AcquireContext): Promise<AccessToken>;
}
