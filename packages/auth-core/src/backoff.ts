/** How failed logins are retried. Delays in milliseconds. */
export interface RetryOptions {
  /** Attempts per refresh, the first included (default 3). */
  readonly maxAttempts?: number;
  /** Delay before the first retry, doubled per attempt (default 200). */
  readonly baseDelayMs?: number;
  /** Cap of one backoff delay; a longer Retry-After fails the callers at once instead of making them wait (default 10 000). */
  readonly maxDelayMs?: number;
  /** Cap of any Retry-After the engine honours, so a bogus header cannot stop logins for hours (default 300 000). */
  readonly maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 300_000,
};

/** Capped exponential backoff with "equal jitter": between half and all of the exponential delay. */
export function backoffDelay(attempt: number, options: Required<RetryOptions>, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
