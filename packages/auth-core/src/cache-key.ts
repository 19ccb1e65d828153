import { createHash } from 'node:crypto';

/**
 * A stable, non-secret cache key for a principal: provider name, base URL and user, hashed so
 * that nothing about the account shows in a shared store's key names.
 */
export function cacheKeyOf(provider: string, ...parts: readonly string[]): string {
  return `${provider}:${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22)}`;
}
