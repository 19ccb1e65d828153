import type { TokenManager, TokenWardenError } from '@tokenwarden/auth-core';

/** Errors a manager reported; see `collectErrors`. */
export interface CollectedErrors {
  /** Every error of a `refreshFailed` event since collecting started, oldest first. */
  readonly errors: readonly TokenWardenError[];
  /** Stops collecting. */
  stop(): void;
}

/**
 * Collects the error of every failed login attempt `manager` reports (also background
 * refreshes and retried attempts nobody awaited), e.g. to check each with `expectNoSecrets`.
 */
export function collectErrors(manager: TokenManager): CollectedErrors {
  const errors: TokenWardenError[] = [];
  const stop = manager.on('refreshFailed', ({ error }) => void errors.push(error));
  return { errors, stop };
}
