import type { Provider, TokenManagerOptions } from '@tokenwarden/auth-core';
import type { ConformanceServer } from '@tokenwarden/auth-core/testing';

/** How the conformance suite starts a provider's fake server and configures the provider against it. */
export interface ConformanceOptions<S extends ConformanceServer> {
  /** Provider name, used in test titles. */
  readonly name: string;
  /** Starts a fresh fake server; the suite closes it after each test. */
  startServer(): Promise<S>;
  /**
   * Builds the provider under test against `server`, passing `engine` through as the factory's
   * second argument. With `credentials: 'wrong'` the server must refuse the login.
   */
  createProvider(server: S, init: { readonly credentials: 'valid' | 'wrong'; readonly engine: TokenManagerOptions }): Provider;
  /** The secret values createProvider configured (passwords, secrets, hashes) — must never leak. */
  secrets(server: S): readonly string[];
}
