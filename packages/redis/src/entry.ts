import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import type { AccessToken } from '@tokenwarden/auth-core';
import { z } from 'zod';

const payloadSchema = z.object({
  value: z.string().min(1),
  scheme: z.string(),
  lifetimeMs: z.number().finite().nonnegative(),
  /** How long before expiry the source asked to be refreshed (`AccessToken.refreshAt`), if it did. */
  refreshLeadMs: z.number().finite().nonnegative().optional(),
});

const entrySchema = z.union([
  z.object({ v: z.literal(1), fp: z.string().min(1), token: payloadSchema }),
  z.object({ v: z.literal(1), fp: z.string().min(1), sealed: z.object({ iv: z.string(), tag: z.string(), data: z.string() }) }),
]);

/** Why a stored entry was not used. Each is treated as a missing token: the next login replaces it. */
export type IgnoredReason = 'corrupt' | 'encrypted-but-no-key' | 'not-encrypted' | 'undecryptable' | 'no-expiry';

export type Decoded = { readonly token: AccessToken; readonly fp: string } | { readonly ignored: IgnoredReason };

const NO_KEY_FINGERPRINT = 'tokenwarden/redis fingerprint';

/**
 * Turns tokens into what is stored in Redis and back.
 *
 * An entry is JSON: `{ v, fp, token }`, or with an encryption key `{ v, fp, sealed }` where
 * `sealed` is the token encrypted with AES-256-GCM (random 96-bit IV per write, the Redis key
 * as additional data so an entry copied to another key does not decrypt). `fp` is an HMAC of the
 * token value, so compare-and-delete and change notifications work without the token itself.
 */
export class EntryCodec {
  readonly encrypted: boolean;
  readonly #sealKey: KeyObject | undefined;
  readonly #fpKey: KeyObject;

  /** @param key 32 bytes; wiped by the caller afterwards, only derived keys are kept. */
  constructor(key: Buffer | undefined) {
    this.encrypted = key !== undefined;
    // Separate keys for encryption and fingerprints, so neither use weakens the other.
    this.#sealKey = key ? createSecretKey(Buffer.from(hkdfSync('sha256', key, '', 'tokenwarden/redis aes-256-gcm', 32))) : undefined;
    this.#fpKey = createSecretKey(key ? Buffer.from(hkdfSync('sha256', key, '', 'tokenwarden/redis fingerprint', 32)) : Buffer.from(NO_KEY_FINGERPRINT));
  }

  /** A short, non-reversible identity of a token value (132 bits). */
  fingerprint(value: string): string {
    return createHmac('sha256', this.#fpKey).update(value).digest('base64url').slice(0, 22);
  }

  encode(redisKey: string, token: AccessToken): string {
    const payload = {
      value: token.value,
      scheme: token.scheme,
      lifetimeMs: Math.max(0, token.expiresAt - token.issuedAt),
      ...(token.refreshAt !== undefined ? { refreshLeadMs: Math.max(0, token.expiresAt - token.refreshAt) } : {}),
    };
    const fp = this.fingerprint(token.value);
    if (!this.#sealKey) return JSON.stringify({ v: 1, fp, token: payload });
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(redisKey));
    const data = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    const sealed = { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    return JSON.stringify({ v: 1, fp, sealed });
  }

  /** @param ttlMs what Redis says is left of the entry's lifetime (PTTL). */
  decode(redisKey: string, raw: string, ttlMs: number, now = Date.now()): Decoded {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { ignored: 'corrupt' };
    }
    const entry = entrySchema.safeParse(json);
    if (!entry.success) return { ignored: 'corrupt' };
    let payload: z.output<typeof payloadSchema>;
    if ('sealed' in entry.data) {
      if (!this.#sealKey) return { ignored: 'encrypted-but-no-key' };
      const opened = this.open(redisKey, entry.data.sealed);
      if (!opened) return { ignored: 'undecryptable' };
      const parsed = payloadSchema.safeParse(opened);
      if (!parsed.success) return { ignored: 'corrupt' };
      payload = parsed.data;
    } else {
      // With a key configured only sealed entries count: anyone able to write to Redis could
      // otherwise hand the fleet a token of their choosing.
      if (this.#sealKey) return { ignored: 'not-encrypted' };
      payload = entry.data.token;
    }
    const fp = this.fingerprint(payload.value);
    if (fp !== entry.data.fp) return { ignored: 'corrupt' };
    if (!(ttlMs > 0)) return { ignored: 'no-expiry' };
    const expiresAt = now + ttlMs;
    const { value, scheme, lifetimeMs, refreshLeadMs } = payload;
    const refreshAt = refreshLeadMs !== undefined ? { refreshAt: expiresAt - refreshLeadMs } : {};
    return { fp, token: { value, scheme, issuedAt: expiresAt - lifetimeMs, expiresAt, ...refreshAt } };
  }

  private open(redisKey: string, sealed: { iv: string; tag: string; data: string }): unknown {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#sealKey as KeyObject, Buffer.from(sealed.iv, 'base64'), {
        authTagLength: 16,
      });
      decipher.setAAD(Buffer.from(redisKey));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
}
