import type { TokenManager } from '@tokenwarden/auth-core';

/** A rate-limit budget one endpoint reported (`X-RateLimit`, `X-RateLimit-Remaining`). */
export interface RateLimit {
  /** `METHOD /path`, e.g. `POST /v1/authenticate` or `GET /v1/customers/123456`. */
  readonly endpoint: string;
  /** Requests allowed in the 15-minute window. */
  readonly limit: number;
  /** Requests left in the window when the response was sent. */
  readonly remaining: number;
  /** Local epoch milliseconds when the response was seen. */
  readonly seenAt: number;
}

const count = (value: string | undefined): number | undefined => (value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined);

/** Reads the rate-limit headers of a response, if it has both. */
export function readRateLimit(header: (name: string) => string | undefined): { limit: number; remaining: number } | undefined {
  const limit = count(header('x-ratelimit'));
  const remaining = count(header('x-ratelimit-remaining'));
  return limit === undefined || remaining === undefined ? undefined : { limit, remaining };
}

/** Most endpoints seen at once; a path per resource id could otherwise grow without bound. */
const MAX_ENDPOINTS = 200;

/** Keeps the latest budget per endpoint from the manager's `rateLimit` events. */
export function rateLimitBook(manager: TokenManager) {
  const book = new Map<string, RateLimit>();
  manager.on('rateLimit', ({ endpoint, limit, remaining }) => {
    book.delete(endpoint);
    book.set(endpoint, { endpoint, limit, remaining, seenAt: Date.now() });
    if (book.size > MAX_ENDPOINTS) book.delete(book.keys().next().value!);
  });
  return {
    rateLimit: (endpoint: string): RateLimit | undefined => book.get(endpoint),
    rateLimits: (): readonly RateLimit[] => [...book.values()],
  };
}
