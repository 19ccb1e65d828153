import { inspect } from 'node:util';
import { DEFAULT_RETRY, backoffDelay, type RetryOptions } from './backoff.js';
import {
  ApiCallFailedError,
  CredentialsRejectedError,
  InvalidTokenResponseError,
  LoginFailedError,
  LoginTimeoutError,
  RateLimitedError,
  TokenWardenError,
} from './errors.js';
import { TokenEventEmitter, type Logger, type TokenEventListener, type TokenEventName } from './events.js';
import { createHttpClient } from './http.js';
import { MemoryStore } from './memory-store.js';
import { redactText } from './redact.js';
import type { StoreLock, TokenStore } from './store.js';
import type { AccessToken, AcquireReason, TokenSource } from './token.js';

/** When a token is refreshed ahead of its expiry. */
export interface RefreshOptions {
  /** Share of the lifetime after which a background refresh starts (default 0.75). */
  readonly share?: number;
  /** Refresh at least this long before expiry, capped at half the lifetime (default 60 000 ms). */
  readonly minRemainingMs?: number;
  /** Random share of the lifetime subtracted from the refresh point, so a fleet does not refresh in step (default 0.05). */
  readonly jitter?: number;
  /** A token is no longer handed out this close to its expiry (default 5 000 ms, at most a tenth of the lifetime). */
  readonly expiryMarginMs?: number;
}

export interface TokenManagerOptions {
  /** Where tokens are shared; default: a private `MemoryStore`. */
  readonly store?: TokenStore;
  readonly refresh?: RefreshOptions;
  readonly retry?: RetryOptions;
  /** After rejected credentials, no login is attempted for this long (default 30 000 ms). */
  readonly credentialsCooldownMs?: number;
  /** Total deadline of one login request (default 10 000 ms). */
  readonly loginTimeoutMs?: number;
  /** Largest login response read (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /** How long a fleet lock is held at most while one process logs in (default: 2 × loginTimeoutMs). */
  readonly lockTtlMs?: number;
  readonly logger?: Logger;
}

/** Options of one `getToken` call. */
export interface GetTokenOptions {
  /** Stops this caller waiting; the shared login goes on for the others. */
  readonly signal?: AbortSignal;
}

interface Current {
  readonly token: AccessToken;
  readonly resolved: Promise<AccessToken>;
  readonly refreshAt: number;
  readonly usableUntil: number;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined); // Whoever else awaits it handles its outcome.
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/**
 * Keeps one provider's token alive: serves it from memory, logs in once however many callers
 * ask (single flight), refreshes ahead of expiry in the background, recovers from rejection,
 * retries transient failures with backoff, and stops logging in after rejected credentials.
 */
export class TokenManager {
  readonly provider: string;
  private readonly store: TokenStore;
  private readonly events: TokenEventEmitter;
  private readonly logger: Logger | undefined;
  private readonly refreshOpts: Required<RefreshOptions>;
  private readonly retry: Required<NonNullable<RetryOptions>>;
  private readonly cooldownMs: number;
  private readonly loginTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly lockTtlMs: number;
  private readonly disposal = new AbortController();
  private readonly unsubscribe: (() => void) | undefined;

  private current: Current | undefined;
  /** The last token value dropped by `invalidate` or `forceRefresh`: never adopted again from the store. */
  private discarded: string | undefined;
  private inflight: Promise<AccessToken> | undefined;
  /** Credentials were rejected: fail fast with this error until `until`. */
  private rejection: { error: CredentialsRejectedError; until: number } | undefined;
  /** No login before this time (Retry-After, a used-up rate-limit budget). */
  private pausedUntil = 0;
  private pauseWhy = '';
  /** Background refreshes that failed in a row, and when the next one may start. */
  private backgroundFailures = 0;
  private nextBackgroundAt = 0;

  constructor(
    private readonly source: TokenSource,
    options: TokenManagerOptions = {},
  ) {
    this.provider = source.provider;
    this.store = options.store ?? new MemoryStore({ maxEntries: 1 });
    this.logger = options.logger;
    this.events = new TokenEventEmitter(options.logger);
    this.refreshOpts = { share: 0.75, minRemainingMs: 60_000, jitter: 0.05, expiryMarginMs: 5_000, ...options.refresh };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.cooldownMs = options.credentialsCooldownMs ?? 30_000;
    this.loginTimeoutMs = options.loginTimeoutMs ?? 10_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
    this.lockTtlMs = options.lockTtlMs ?? 2 * this.loginTimeoutMs;
    this.unsubscribe = this.store.subscribe?.(source.cacheKey, (change) => {
      // Another process replaced or invalidated the token: drop ours so the next call reads the store.
      const held = this.current?.token.value;
      if (held !== undefined && (change.type === 'set') === (held !== change.value)) this.current = undefined;
    });
  }

  /**
   * The current token, logging in if there is none. Served from memory without I/O while
   * fresh; past the refresh point it is still served at once while one background refresh runs.
   */
  getToken(options?: GetTokenOptions): Promise<AccessToken> {
    const current = this.current;
    if (current !== undefined && Date.now() < current.refreshAt) return current.resolved;
    // A caller that is already gone starts no login.
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    return raceSignal(this.slowPath(), options?.signal);
  }

  /** The token held in memory, if any, without any I/O or refresh. */
  peek(): AccessToken | undefined {
    return this.current?.token;
  }

  /**
   * Compare-and-invalidate: forgets `token` only if it is still the current one, so a burst of
   * rejections of the same token causes one refresh. Returns whether it was current.
   */
  invalidate(token: AccessToken | string): boolean {
    const value = typeof token === 'string' ? token : token.value;
    if (this.current?.token.value !== value) return false;
    this.current = undefined;
    this.discarded = value;
    this.store.deleteIfEqual(this.source.cacheKey, value).catch((error: unknown) => this.storeFailed('delete', error));
    return true;
  }

  /**
   * Called by the integrations when an API rejected `token`: invalidates it if still current
   * and resolves to a newer token (one refresh however many requests were rejected).
   */
  recoverFrom(token: AccessToken, options?: GetTokenOptions): Promise<AccessToken> {
    this.invalidate(token);
    return this.joinOrRefresh('rejected', token.value, options);
  }

  /** Logs in now, even though the current token is valid (e.g. after rotating credentials). */
  forceRefresh(options?: GetTokenOptions): Promise<AccessToken> {
    if (this.current) this.discarded = this.current.token.value;
    this.current = undefined;
    return this.joinOrRefresh('forced', this.discarded, options);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends TokenEventName>(event: E, listener: TokenEventListener<E>): () => void {
    return this.events.on(event, listener);
  }

  /** Reports an event on this manager (used by presenters and integrations). */
  emit: TokenEventEmitter['emit'] = (event, payload) => this.events.emit(event, payload);

  /** What `JSON.stringify` shows: state, never the token, the source or its secrets. */
  toJSON(): Record<string, unknown> {
    const token = this.current?.token;
    return {
      provider: this.provider,
      cacheKey: this.source.cacheKey,
      hasToken: token !== undefined,
      expiresAt: token ? new Date(token.expiresAt).toISOString() : undefined,
      refreshing: this.inflight !== undefined,
    };
  }

  [inspect.custom](): string {
    return `TokenManager ${JSON.stringify(this.toJSON())}`;
  }

  /** Stops background work and aborts a running login. */
  dispose(): void {
    this.disposal.abort();
    this.unsubscribe?.();
  }

  private async slowPath(): Promise<AccessToken> {
    const now = Date.now();
    const current = this.current;
    if (current && now < current.usableUntil) {
      if (!this.inflight && now >= this.nextBackgroundAt && now >= this.pausedUntil && !this.coolingDown(now)) {
        this.refresh('expiring', current.token.value).catch(() => {
          // Counted and reported in `refresh`; the current token keeps being served.
          this.backgroundFailures++;
          this.nextBackgroundAt = Date.now() + backoffDelay(this.backgroundFailures, this.retry);
        });
      }
      return current.token;
    }
    return this.joinOrRefresh(current ? 'expiring' : 'initial', undefined);
  }

  private joinOrRefresh(reason: AcquireReason, staleValue: string | undefined, options?: GetTokenOptions): Promise<AccessToken> {
    const current = this.current;
    const now = Date.now();
    if (current && now < current.usableUntil) return Promise.resolve(current.token);
    if (!this.inflight) {
      const rejection = this.rejection;
      if (rejection && now < rejection.until) return Promise.reject(rejection.error.withRemaining(rejection.until - now));
      if (now < this.pausedUntil) {
        return Promise.reject(new RateLimitedError({ provider: this.provider, retryAt: this.pausedUntil, why: this.pauseWhy }));
      }
    }
    return raceSignal(this.refresh(reason, staleValue), options?.signal);
  }

  private coolingDown(now: number): boolean {
    return this.rejection !== undefined && now < this.rejection.until;
  }

  /** Single flight: one acquisition at a time; everyone else awaits the same promise. */
  private refresh(reason: AcquireReason, staleValue?: string): Promise<AccessToken> {
    if (!this.inflight) {
      const flight = this.acquireShared(reason, staleValue).finally(() => {
        this.inflight = undefined;
      });
      // Every caller gets the rejection through its own handler; this one keeps a flight
      // nobody awaits (a background refresh) from becoming an unhandled rejection.
      flight.catch(() => undefined);
      this.inflight = flight;
    }
    return this.inflight;
  }

  /** Takes a token from the store if another process already refreshed, else logs in under the fleet lock. */
  private async acquireShared(reason: AcquireReason, staleValue: string | undefined): Promise<AccessToken> {
    const key = this.source.cacheKey;
    // Without any token, a stored one past its refresh point still beats waiting for a login.
    const acceptAging = reason === 'initial';
    const adopted = await this.fromStore(key, staleValue, acceptAging);
    if (adopted) return adopted;

    let lock: StoreLock | undefined;
    if (this.store.lock) {
      // Wait until the holder's lock must have expired, so one waiter takes over under a newer
      // fence instead of the whole fleet logging in at once.
      const deadline = Date.now() + this.lockTtlMs + 1_000;
      for (let wait = 25; Date.now() < deadline && !this.disposal.signal.aborted; wait = Math.min(wait * 2, 500)) {
        try {
          lock = await this.store.lock(key, this.lockTtlMs);
        } catch (error) {
          this.storeFailed('lock', error);
          break; // Fall back to a local single flight: requests keep working without the store.
        }
        if (lock) {
          // Someone may have finished between our read and our lock.
          const again = await this.fromStore(key, staleValue, acceptAging);
          if (again) {
            await lock.release().catch((error: unknown) => this.storeFailed('unlock', error));
            return again;
          }
          break;
        }
        await sleep(wait, this.disposal.signal);
        const theirs = await this.fromStore(key, staleValue, acceptAging);
        if (theirs) return theirs;
      }
    }
    try {
      return await this.acquireWithRetry(reason, lock);
    } finally {
      await lock?.release().catch((error: unknown) => this.storeFailed('unlock', error));
    }
  }

  private async fromStore(key: string, staleValue: string | undefined, acceptAging = false): Promise<AccessToken | undefined> {
    let stored: AccessToken | undefined;
    try {
      stored = await this.store.get(key);
    } catch (error) {
      this.storeFailed('read', error);
      return undefined;
    }
    if (!stored || stored.value === staleValue || stored.value === this.discarded) return undefined;
    const adopted = this.adopt(stored);
    if (Date.now() >= (acceptAging ? adopted.usableUntil : adopted.refreshAt)) return undefined;
    this.current = adopted;
    this.events.emit('acquired', {
      provider: this.provider,
      reason: 'initial',
      issuedAt: stored.issuedAt,
      expiresAt: stored.expiresAt,
      fromStore: true,
    });
    return stored;
  }

  private async acquireWithRetry(reason: AcquireReason, lock: StoreLock | undefined): Promise<AccessToken> {
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1 && lock?.extend) {
        // Retries and backoff can outlast the lock; keep it so the fleet keeps waiting for us.
        await lock.extend(this.lockTtlMs).catch((error: unknown) => this.storeFailed('lock', error));
      }
      // One deadline for the whole acquisition, however many requests the source makes.
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new LoginTimeoutError({ provider: this.provider, timeoutMs: this.loginTimeoutMs })),
        this.loginTimeoutMs,
      );
      const onDispose = () => controller.abort(this.disposal.signal.reason);
      this.disposal.signal.addEventListener('abort', onDispose, { once: true });
      const { signal } = controller;
      try {
        const token = await raceSignal(
          this.source.acquire({
            signal,
            reason,
            http: createHttpClient({
              provider: this.provider,
              timeoutMs: this.loginTimeoutMs,
              maxResponseBytes: this.maxResponseBytes,
              signal,
              secrets: this.source.secrets,
            }),
            pauseLogins: (epochMs, why) => this.pauseLogins(epochMs, why),
            emit: this.emit,
          }),
          signal,
        );
        this.checkToken(token);
        this.current = this.adopt(token);
        this.backgroundFailures = 0;
        this.nextBackgroundAt = 0;
        this.rejection = undefined;
        this.events.emit('acquired', { provider: this.provider, reason, issuedAt: token.issuedAt, expiresAt: token.expiresAt, fromStore: false });
        this.logger?.info?.(`tokenwarden: ${this.provider} token acquired`, { reason, expiresAt: new Date(token.expiresAt).toISOString() });
        const stored = await this.store.set(this.source.cacheKey, token, lock?.fence).catch((error: unknown) => this.storeFailed('write', error));
        if (stored === false) {
          // Fenced out: our lock expired and another process stored a newer token; use theirs.
          return (await this.fromStore(this.source.cacheKey, undefined, true)) ?? token;
        }
        return token;
      } catch (thrown) {
        const error = this.normalize(thrown);
        const retryInMs = this.retryDelay(error, attempt);
        this.events.emit('refreshFailed', { provider: this.provider, reason, error, attempt, retryInMs });
        this.logger?.warn?.(`tokenwarden: ${this.provider} login failed`, { code: error.code, attempt, retryInMs, message: error.message });
        if (retryInMs === undefined || this.disposal.signal.aborted) throw error;
        await sleep(retryInMs, this.disposal.signal);
      } finally {
        clearTimeout(timer);
        this.disposal.signal.removeEventListener('abort', onDispose);
      }
    }
  }

  /** Whether and when to try again after `error`; records cool-downs and pauses on the way. */
  private retryDelay(error: TokenWardenError, attempt: number): number | undefined {
    if (error instanceof CredentialsRejectedError) {
      this.rejection = { error, until: Date.now() + error.retryAfterMs };
      return undefined;
    }
    const retryAfter = error instanceof LoginFailedError || error instanceof ApiCallFailedError ? error.retryAfterMs : undefined;
    if (retryAfter !== undefined) this.pauseLogins(Date.now() + Math.min(retryAfter, this.retry.maxRetryAfterMs), 'Retry-After');
    if (!error.retryable || attempt >= this.retry.maxAttempts) return undefined;
    const delay = retryAfter ?? backoffDelay(attempt - 1, this.retry);
    // Too long to keep callers waiting, or the source paused logins (a used-up rate limit) beyond it.
    if (delay > this.retry.maxDelayMs || Date.now() + delay < this.pausedUntil) return undefined;
    return delay;
  }

  private pauseLogins(epochMs: number, why: string): void {
    if (epochMs > this.pausedUntil) {
      this.pausedUntil = epochMs;
      this.pauseWhy = why;
    }
  }

  /** Makes every failure a typed error with no secret in it. */
  private normalize(thrown: unknown): TokenWardenError {
    const { secrets } = this.source;
    if (thrown instanceof CredentialsRejectedError) return thrown.withRemaining(this.cooldownMs).redact(secrets);
    if (thrown instanceof TokenWardenError) return thrown.redact(secrets);
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return new LoginFailedError({ provider: this.provider, problem: redactText(message, secrets) });
  }

  private checkToken(token: AccessToken): void {
    const problem =
      typeof token.value !== 'string' || token.value.length === 0
        ? 'the token is empty'
        : /\s/.test(token.value)
          ? 'the token contains white space'
          : !(token.expiresAt > Date.now())
            ? 'the token is already expired'
            : undefined;
    if (problem) throw new InvalidTokenResponseError({ provider: this.provider, problem });
  }

  private adopt(token: AccessToken): Current {
    const { share, minRemainingMs, jitter, expiryMarginMs } = this.refreshOpts;
    const lifetime = Math.max(0, token.expiresAt - token.issuedAt);
    const lead = Math.max(lifetime * (1 - share), Math.min(minRemainingMs, lifetime / 2)) + Math.random() * jitter * lifetime;
    const usableUntil = token.expiresAt - Math.min(expiryMarginMs, lifetime / 10);
    const refreshAt = token.refreshAt !== undefined ? Math.min(token.refreshAt, usableUntil) : Math.max(token.issuedAt, token.expiresAt - lead);
    return { token, resolved: Promise.resolve(token), refreshAt, usableUntil };
  }

  private storeFailed(operation: string, error: unknown): void {
    const message = `token store ${operation} failed (${error instanceof Error ? error.name : 'error'}); continuing with the in-process token`;
    this.events.emit('warning', { provider: this.provider, message });
    this.logger?.warn?.(`tokenwarden: ${this.provider} ${message}`);
  }
}
