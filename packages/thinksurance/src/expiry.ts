import { serverRelativeExpiry } from '@tokenwarden/auth-core';
import { parseZonedDateTime } from './zoned-time.js';

/** What a login answer says about its token's expiry, and how to read it. Times are epoch ms. */
export interface ExpiryInput {
  /** The `expired` field as received; `undefined` when it is missing or not a string. */
  readonly expired: string | undefined;
  /** Local clock when the login answer arrived. */
  readonly receivedAt: number;
  /** The answer's `Date` header: the server's clock. */
  readonly serverDate: number | undefined;
  /** Zone `expired` is local time of, e.g. "Europe/Berlin". */
  readonly timeZone: string;
  /** The documented validity of a token (15 minutes). */
  readonly lifetimeMs: number;
  /** How far beyond `lifetimeMs` an `expired` may lie and still be believed. */
  readonly toleranceMs: number;
}

/** When the token stops being accepted on the local clock; `problem` says why `expired` was not used. */
export interface Expiry {
  readonly expiresAt: number;
  readonly problem?: { readonly kind: 'unreadable' | 'implausible'; readonly message: string };
}

const minutes = (ms: number): string => `${Math.round(ms / 6_000) / 10} min`;

/**
 * Reads `expired` in its zone relative to the server's clock (the `Date` header, else the local
 * one), so a skewed local clock changes nothing. An `expired` that is unreadable, not after the
 * server's "now" or further ahead than the documented lifetime plus tolerance (a wrong zone, a
 * skewed clock without a `Date` header) is not believed: the token then counts as valid for the
 * documented lifetime from its receipt.
 */
export function tokenExpiry(input: ExpiryInput): Expiry {
  const { expired, receivedAt, timeZone, lifetimeMs } = input;
  const serverNow = input.serverDate ?? receivedAt;
  const fallback = (kind: 'unreadable' | 'implausible', why: string): Expiry => ({
    expiresAt: receivedAt + lifetimeMs,
    problem: { kind, message: `${why}; the token is taken to be valid for ${minutes(lifetimeMs)} from its receipt` },
  });
  // In the repeated hour of a clock change the reading nearest the documented expiry is the one meant.
  const serverExpiresAt = expired === undefined ? undefined : parseZonedDateTime(expired, timeZone, serverNow + lifetimeMs);
  if (serverExpiresAt === undefined) {
    return fallback(
      'unreadable',
      expired === undefined
        ? 'the login answer has no "expired" string'
        : `the login answer's "expired" ${JSON.stringify(expired.slice(0, 40))} is not a "YYYY-MM-DD hh:mm:ss" date`,
    );
  }
  const remaining = serverExpiresAt - serverNow;
  if (remaining <= 0 || remaining > lifetimeMs + input.toleranceMs) {
    const clock = input.serverDate === undefined ? 'the local clock (the answer has no Date header)' : "the server's Date header";
    const lag = remaining <= 0 ? `${minutes(-remaining)} before` : `${minutes(remaining)} after`;
    return fallback(
      'implausible',
      `the login answer's "expired" ${expired!} read in ${timeZone} is ${lag} ${clock}, not within the documented ${minutes(lifetimeMs)}: check the timeZone option and the clocks`,
    );
  }
  return { expiresAt: serverRelativeExpiry({ receivedAt, serverExpiresAt, serverNow }) };
}
