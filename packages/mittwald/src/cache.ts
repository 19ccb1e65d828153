/** Response headers as fetch (`Headers`) or axios (`AxiosHeaders` or a plain record) hold them. */
export type ResponseHeaders = { get(name: string): unknown } | Readonly<Record<string, unknown>>;

/**
 * True when mittwald answered from its server-side cache (`X-Cache: HIT`). Takes a fetch
 * `Response` or an axios response.
 */
export function isCacheHit(response: { readonly headers: ResponseHeaders }): boolean {
  const { headers } = response;
  const value =
    typeof headers['get'] === 'function'
      ? (headers as { get(name: string): unknown }).get('x-cache')
      : Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-cache')?.[1];
  return String(value ?? '').trim().toUpperCase() === 'HIT';
}

/**
 * Request options — a fetch `RequestInit` or an axios request config — with
 * `Cache-Control: no-cache` added, so mittwald answers from the source and clears its cached
 * copy of the resource. Header names come back lower-cased in a plain object.
 *
 * @example
 * await fetch(url, noCache());
 * await client.get('/v1/customers/123456', noCache({ params: { fields: 'all' } }));
 */
export function noCache<T extends object = RequestInit>(init?: T & { readonly headers?: unknown }): T & { headers: Record<string, string> } {
  // Headers accepts records, pairs and iterables (AxiosHeaders is one) and merges names case-insensitively.
  const headers = Object.fromEntries(new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]));
  headers['cache-control'] = 'no-cache';
  return { ...(init as T), headers };
}
