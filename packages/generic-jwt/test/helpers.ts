import type { Provider, TokenManagerOptions } from '@tokenwarden/auth-core';

/** Retries a few milliseconds apart, so a failing login costs milliseconds, not seconds. */
export const engine: TokenManagerOptions = { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } };

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
