import { inspect } from 'node:util';
import type { TokenManagerOptions } from '../src/manager.js';
import { fakeLoginProvider, startFakeLoginServer, type FakeLoginServer } from '../src/testing/index.js';

export const PASSWORD = 'correct-horse-battery-staple';

/** A fake login server and a provider logged in against it; `close` stops both. */
export async function setup(engine: TokenManagerOptions = {}, password = PASSWORD) {
  const server = await startFakeLoginServer({ password: PASSWORD });
  const provider = fakeLoginProvider(
    { baseUrl: server.url, username: 'demo', password },
    { retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...engine },
  );
  return {
    server,
    provider,
    manager: provider.manager,
    close: async () => {
      provider.manager.dispose();
      await server.close();
    },
  };
}

/** Everything an error shows when printed, logged or serialized. */
export function renderings(error: unknown): string {
  const e = error as Error;
  return [String(e?.message), String(e?.stack), JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');
}

/** Asserts that no secret is visible in any rendering of `error`. */
export function expectNoSecrets(error: unknown, secrets: readonly string[]): void {
  const text = renderings(error);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** Waits (on real I/O turns, not timers) until `predicate` holds; bounded. */
export async function until(predicate: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}

/** Catches what a promise rejects with (and fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export type { FakeLoginServer };
