import { InvalidJwtError } from './errors.js';

/** Header and payload of a JWT, decoded but NOT verified. */
export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeSegment(segment: string, name: string, provider: string | undefined): Record<string, unknown> {
  if (segment.length === 0 || !BASE64URL.test(segment)) {
    throw new InvalidJwtError({ provider, problem: `the ${name} is not base64url` });
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.from(segment, 'base64url'));
  } catch {
    throw new InvalidJwtError({ provider, problem: `the ${name} is not valid UTF-8` });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidJwtError({ provider, problem: `the ${name} is not JSON` });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidJwtError({ provider, problem: `the ${name} is not a JSON object` });
  }
  return value as Record<string, unknown>;
}

/**
 * Decodes a JWT's header and payload without verifying the signature (padded or unpadded
 * base64url). Throws `InvalidJwtError` for anything that is not three dot-separated segments
 * with JSON objects in the first two.
 */
export function decodeJwt(token: string, provider?: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new InvalidJwtError({ provider, problem: `expected 3 dot-separated segments, got ${parts.length}` });
  }
  return { header: decodeSegment(parts[0]!, 'header', provider), payload: decodeSegment(parts[1]!, 'payload', provider) };
}

const numericClaim = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Maps a server-stated expiry onto the local clock: the token lives as long after
 * `receivedAt` as the server said it would live after its own "now". A local clock that is
 * minutes off therefore changes nothing.
 */
export function serverRelativeExpiry(init: { receivedAt: number; serverExpiresAt: number; serverNow?: number }): number {
  return init.receivedAt + (init.serverExpiresAt - (init.serverNow ?? init.receivedAt));
}

/** Parses an HTTP `Date` header to epoch ms, or `undefined`. */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * When a JWT received at `receivedAt` stops being valid, on the local clock.
 * - `exp` and `iat`: lifetime = exp − iat, counted from `receivedAt` (immune to clock skew);
 * - `exp` only: relative to the server's `Date` header when given, else to the local clock;
 * - no numeric `exp`: `fallbackLifetimeMs` — never "valid forever".
 */
export function jwtExpiry(
  token: string,
  init: { receivedAt: number; fallbackLifetimeMs: number; serverDate?: number; provider?: string },
): { issuedAt: number; expiresAt: number; fromClaims: boolean } {
  const { payload } = decodeJwt(token, init.provider);
  const exp = numericClaim(payload['exp']);
  const iat = numericClaim(payload['iat']);
  const issuedAt = init.receivedAt;
  if (exp === undefined) {
    return { issuedAt, expiresAt: init.receivedAt + init.fallbackLifetimeMs, fromClaims: false };
  }
  const serverNow = iat !== undefined ? iat * 1000 : init.serverDate;
  const expiresAt = serverRelativeExpiry({ receivedAt: init.receivedAt, serverExpiresAt: exp * 1000, serverNow });
  if (expiresAt <= init.receivedAt) {
    throw new InvalidJwtError({ provider: init.provider, problem: 'it had already expired when it was received (exp is not after iat or the server time)' });
  }
  return { issuedAt, expiresAt, fromClaims: true };
}
