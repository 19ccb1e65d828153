import { TokenWardenError, type TokenWardenErrorCode } from '@tokenwarden/auth-core';
import type { ConformanceServer } from '@tokenwarden/auth-core/testing';
import { ensure } from '../failure.js';
import { Harness } from '../harness.js';
import type { ConformanceOptions } from '../options.js';

/** Stable names of the checks, for running one on its own. */
export type ConformanceCheckId =
  | 'cold-burst'
  | 'token-lifetime'
  | 'refresh-before-expiry'
  | 'recover-fetch'
  | 'recover-axios'
  | 'rejection-burst'
  | 'wrong-credentials'
  | 'malformed-html'
  | 'malformed-empty'
  | 'malformed-truncated'
  | 'malformed-huge'
  | 'malformed-null'
  | 'malformed-no-token'
  | 'login-outage'
  | 'login-timeout'
  | 'secret-redaction'
  | 'origin-other'
  | 'origin-redirect';

/** One behaviour of the engine's contract, checked against a provider over real HTTP. */
export interface ConformanceCheck {
  readonly id: ConformanceCheckId;
  /** The `describe` block it is declared in. */
  readonly group: string;
  /** The test title: the behaviour and the input that provokes it. */
  readonly title: string;
  /**
   * Starts fresh servers and providers, runs the check and cleans everything up. Rejects with a
   * `ConformanceError` saying what was expected and what happened when the provider falls short.
   */
  run<S extends ConformanceServer>(options: ConformanceOptions<S>): Promise<void>;
}

export function defineCheck(
  id: ConformanceCheckId,
  group: string,
  title: string,
  body: (h: Harness<ConformanceServer>) => Promise<void>,
): ConformanceCheck {
  return { id, group, title, run: (options) => Harness.run(options, body) };
}

export const isOk = (status: number): boolean => status >= 200 && status < 300;

/** Asserts `error` is a `TokenWardenError` with `code`. */
export function ensureCode(h: Harness<ConformanceServer>, error: unknown, code: TokenWardenErrorCode, context: string): void {
  ensure(
    error instanceof TokenWardenError && error.code === code,
    `${context}: expected a TokenWardenError with code ${code}, got ${h.describe(error)}` +
      (error instanceof Error && !(error instanceof TokenWardenError) && (error as { code?: unknown }).code === code
        ? ' (it has the code but is not an instance of this TokenWardenError: does the provider bundle its own copy of @tokenwarden/auth-core?)'
        : ''),
  );
}

/** `count` calls of `call` at once. */
export function times<T>(count: number, call: () => Promise<T>): Promise<T>[] {
  return Array.from({ length: count }, call);
}
