import { jest } from '@jest/globals';
import { pollUntil, rejectionOf, renderErrorText, useDateOnlyFakeClock, waitFor, waitForTurns } from './helpers.js';

const SECRET = 'hunter2-password';

describe('renderErrorText', () => {
  it('includes a secret nested deeper than util.inspect shows by default', () => {
    const error = Object.assign(new Error('deep'), { a: { b: { c: { d: { e: { f: SECRET } } } } } });
    expect(renderErrorText(error)).toContain(SECRET);
  });

  it('includes the message and stack of an Error whose JSON is "{}"', () => {
    const text = renderErrorText(new Error(`login as ${SECRET} failed`));
    expect(text.split(SECRET)).toHaveLength(4); // message, stack, util.inspect (which shows the stack once)
  });
});

describe('rejectionOf', () => {
  it('returns what the promise rejected with', async () => {
    const error = new Error('no');
    expect(await rejectionOf(Promise.reject(error))).toBe(error);
  });

  it('rejects when the promise resolves', async () => {
    await expect(rejectionOf(Promise.resolve('a result'))).rejects.toThrow('expected a rejection');
  });
});

describe('useDateOnlyFakeClock', () => {
  afterEach(() => jest.useRealTimers());

  it('fakes Date, starting where told, while setTimeout and setImmediate stay real', async () => {
    useDateOnlyFakeClock(Date.parse('2026-01-26T13:39:46Z'));
    expect(new Date().getUTCFullYear()).toBe(2026);
    jest.setSystemTime(Date.parse('2030-01-01T00:00:00Z'));
    expect(new Date().getUTCFullYear()).toBe(2030);
    await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('waitForTurns', () => {
  it('resolves once the predicate holds', async () => {
    let turns = 0;
    const tick = setInterval(() => turns++, 0);
    try {
      await waitForTurns(() => turns >= 2);
    } finally {
      clearInterval(tick);
    }
    expect(turns).toBeGreaterThanOrEqual(2);
  });

  it('rejects when the predicate never holds within the turns', async () => {
    await expect(waitForTurns(() => false, 5)).rejects.toThrow('condition not reached within 5 event-loop turns');
  });
});

describe('waitFor and pollUntil', () => {
  it('resolve once the condition holds', async () => {
    let done = false;
    setTimeout(() => (done = true), 10);
    await waitFor(() => done, 'done');
    expect(done).toBe(true);
    expect(await pollUntil(() => true, 0)).toBe(true);
  });

  it('give up after the timeout when the condition never holds', async () => {
    expect(await pollUntil(() => false, 10)).toBe(false);
    await expect(waitFor(() => false, 'nothing', 10)).rejects.toThrow('timed out after 10 ms waiting for nothing');
  });
});
