import { InvalidJwtError, LoginFailedError, decodeJwt } from '@tokenwarden/auth-core';
import type { JWK, JWTVerifyGetKey } from 'jose';
import type { ParsedOptions } from './options.js';

const PROVIDER = 'generic-jwt';

/** Checks a token's signature (and `iss`/`aud` when configured) at the server time `now` (epoch ms). */
export type Verifier = (token: string, now: number) => Promise<void>;

/**
 * Signature verification with `jose`, loaded on first use: without `verify` the package never
 * imports it, and jose (ESM only) stays out of CommonJS consumers that do not verify.
 */
export function verifier(options: NonNullable<ParsedOptions['verify']>): Verifier {
  const { jwksUrl, key } = options;
  const secret = typeof key === 'string' && !key.startsWith('-----BEGIN') ? new TextEncoder().encode(key) : undefined;
  const algorithms = options.algorithms ?? (secret ? ['HS256', 'HS384', 'HS512'] : undefined);
  let getKey: JWTVerifyGetKey | Uint8Array | undefined;

  return async (token, now) => {
    let alg: unknown;
    try {
      alg = decodeJwt(token).header['alg'];
    } catch (error) {
      throw new InvalidJwtError({ provider: PROVIDER, problem: `${(error as Error).message.replace(/^Not a valid JWT: |\.$/g, '')}; it cannot be verified` });
    }
    // jose refuses it too, but says only "unsupported alg"; this is the case users ask about.
    if (typeof alg !== 'string' || alg.toLowerCase() === 'none') {
      throw new InvalidJwtError({ provider: PROVIDER, problem: 'it is unsigned ("alg": "none"), and signature verification is on' });
    }
    const jose = await import('jose');
    getKey ??= jwksUrl
      ? jose.createRemoteJWKSet(new URL(jwksUrl))
      : (secret ??
        ((header) =>
          typeof key === 'string'
            ? key.includes('CERTIFICATE')
              ? jose.importX509(key, header.alg)
              : jose.importSPKI(key, header.alg)
            : jose.importJWK(key as JWK, header.alg)));
    try {
      await jose.jwtVerify(token, getKey as JWTVerifyGetKey, {
        algorithms,
        issuer: options.issuer,
        audience: options.audience,
        currentDate: new Date(now),
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // An unreachable JWKS may come back: a transient failure, retried by the engine.
      // By name: fetch's TypeError may come from another realm (a test sandbox).
      if (code === 'ERR_JWKS_TIMEOUT' || ((error as Error).name === 'TypeError' && /fetch/i.test((error as Error).message))) {
        throw new LoginFailedError({ provider: PROVIDER, problem: 'the JWKS to verify the token could not be fetched' });
      }
      throw new InvalidJwtError({ provider: PROVIDER, problem: `its signature or claims do not verify (${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message})` });
    }
  };
}
