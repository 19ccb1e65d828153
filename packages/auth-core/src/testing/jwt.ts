import { createHmac } from 'node:crypto';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs an HS256 JWT (for fake servers; real servers sign their own). */
export function signJwt(payload: Record<string, unknown>, secret = 'fake-server-secret', header: Record<string, unknown> = {}): string {
  const head = b64({ alg: 'HS256', typ: 'JWT', ...header });
  const body = b64(payload);
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** A JWT with `iat`/`exp` on a server clock that is `clockOffsetMs` off the local one. */
export function issueJwt(init: { lifetimeSec: number; clockOffsetMs?: number; claims?: Record<string, unknown>; secret?: string }): string {
  const now = Math.floor((Date.now() + (init.clockOffsetMs ?? 0)) / 1000);
  return signJwt({ iat: now, exp: now + init.lifetimeSec, jti: Math.random().toString(36).slice(2), ...init.claims }, init.secret);
}
