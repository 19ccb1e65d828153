import { inspect } from 'node:util';
import type { Provider, TokenManagerOptions } from '@tokenwarden/auth-core';

/** Retries a few milliseconds apart, so a failing login costs milliseconds, not seconds. */
export const engine: TokenManagerOptions = { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } };

/** Everything an error shows when it is printed, logged or serialized. */
export const renderings = (error: unknown): string =>
  [String((error as Error).message), String((error as Error).stack), JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');

/** What `promise` rejected with; fails the test if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT (`alg: none`) with `iat`/`exp` for `lifetimeSec` from now. */
export function unsignedJwt(lifetimeSec = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'demo@example.com', typ: 'access', iat: now, exp: now + lifetimeSec })}.`;
}

/** Disposes every provider `track` was given, after each test. */
export function tracker(): <P extends Provider>(provider: P) => P {
  const providers: Provider[] = [];
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.manager.dispose();
  });
  return (provider) => (providers.push(provider), provider);
}

/**
 * Fakes `Date` only — the subject is the wall clock the engine (and the fake server) reads;
 * timers, sockets and the servers' I/O stay real. Undo with `jest.useRealTimers()`.
 */
export function useFakeClock(): void {
  jest.useFakeTimers({
    advanceTimers: true,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
}

/** Polls `condition` every 5 ms for at most `timeoutMs` of real time. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
