import { jest } from '@jest/globals';
import { renderError } from './secrets.js';

/**
 * Every rendering of `renderError(error)` — message, stack, `JSON.stringify` and `util.inspect`
 * at any depth — joined into one text, to assert that a secret appears in none of them:
 * `expect(renderErrorText(error)).not.toContain(password)`.
 */
export function renderErrorText(error: unknown): string {
  return Object.values(renderError(error)).join('\n');
}

/**
 * What `promise` rejects with. Rejects with an `Error` ("expected a rejection") when it
 * resolves instead, so the test fails.
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}

/**
 * Fakes `Date` only (jest's modern fake timers with every timer, tick and I/O primitive left
 * real): the wall clock the engine and fake servers read becomes settable with
 * `jest.setSystemTime(epochMs)` and keeps moving with real time, while sockets, `setTimeout`,
 * `setImmediate` and retries behave as in production. Undo with `jest.useRealTimers()`.
 *
 * @param now where the clock starts (epoch milliseconds or a `Date`); default: the real time.
 */
export function useDateOnlyFakeClock(now?: number | Date): void {
  jest.useFakeTimers({
    advanceTimers: true,
    ...(now === undefined ? {} : { now }),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

/**
 * Waits on event-loop turns (`setImmediate`, not timers, so a fake clock does not stall it)
 * until `predicate` holds. Rejects after `turns` turns (default 2000) without it.
 */
export async function waitForTurns(predicate: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (predicate()) return;
  throw new Error(`condition not reached within ${turns} event-loop turns`);
}

/** Checks `condition` every 5 ms until it holds (true) or `timeoutMs` of real time passed (false). */
export async function pollUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/**
 * Checks `condition` every 5 ms until it holds; rejects with "timed out after `timeoutMs` ms
 * waiting for `what`" when `timeoutMs` (milliseconds of real time, default 3000) pass first.
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  if (!(await pollUntil(condition, timeoutMs))) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
