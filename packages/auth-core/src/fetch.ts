import type { Provider } from './provider.js';
import type { ProviderResolver } from './registry.js';
import type { AccessToken } from './token.js';
import { parseMaybeJson, rejectedAfterRetry, reportRejection, safeUrl } from './integration.js';
import type { ApiResponse } from './presenter.js';

type Fetch = typeof globalThis.fetch;
type Body = NonNullable<RequestInit['body']>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

/** A stream can be sent once only; everything else `fetch` accepts can be sent again as is. */
function replayable(body: RequestInit['body']): boolean {
  if (body === undefined || body === null) return true;
  const b = body as Body & { pipe?: unknown; getReader?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof b.getReader !== 'function' && typeof b.pipe !== 'function' && typeof b[Symbol.asyncIterator] !== 'function';
}

async function inspect(provider: Provider, response: Response, method: string, url: string): Promise<ApiResponse> {
  const { presenter } = provider;
  const type = response.headers.get('content-type') ?? '';
  const readBody = (response.status >= 400 || presenter.inspectsSuccessBodies === true) && type.includes('json');
  return {
    status: response.status,
    headers: { get: (name) => response.headers.get(name) ?? undefined },
    body: readBody ? parseMaybeJson(await response.clone().text()) : undefined,
    method,
    url: safeUrl(provider, url),
  };
}

/**
 * Wraps `fetch` so requests to a provider's origins carry its token: redirects to another
 * origin are followed without it, a rejection invalidates the token (once for a burst) and the
 * request is retried once with a fresh one when its body can be sent again. A request
 * rejected again throws `TokenRejectedError`; one whose body was a stream returns the
 * original response. Requests to other origins pass through untouched.
 */
export function createAuthFetch(target: ProviderResolver, options: { fetch?: Fetch } = {}): Fetch {
  const baseFetch: Fetch = options.fetch ?? globalThis.fetch;

  async function send(provider: Provider, url: URL, init: RequestInit, token: AccessToken): Promise<Response> {
    const placement = provider.presenter.place(token);
    const headers = new Headers(init.headers);
    const tokenHeaders = Object.keys(placement.headers ?? {});
    let target = new URL(url);
    for (const [name, value] of Object.entries(placement.headers ?? {})) headers.set(name, value);
    for (const [name, value] of Object.entries(placement.query ?? {})) target.searchParams.set(name, value);
    if (init.redirect === 'manual' || init.redirect === 'error') return baseFetch(target, { ...init, headers });

    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    for (let hop = 0; ; hop++) {
      const response = await baseFetch(target, { ...init, method, body, headers, redirect: 'manual' });
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null || hop === MAX_REDIRECTS) return response;
      const next = new URL(location, target);
      if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers.delete('content-type');
      }
      if (!provider.providerFor(next)) {
        // Leaving the provider's origins: the token stays behind, native redirect handling takes over.
        for (const name of tokenHeaders) headers.delete(name);
        return baseFetch(next, { ...init, method, body, headers });
      }
      target = next;
    }
  }

  return async function authFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    if (input instanceof Request) {
      const body = input.body ? await input.arrayBuffer() : undefined;
      return authFetch(input.url, { method: input.method, headers: input.headers, body, signal: input.signal, ...init });
    }
    const url = new URL(input);
    const provider = target.providerFor(url);
    if (!provider) return baseFetch(input, init);

    const method = (init.method ?? 'GET').toUpperCase();
    const signal = init.signal ?? undefined;
    const token = await provider.manager.getToken({ signal });
    const first = await send(provider, url, init, token);
    const seen = await inspect(provider, first, method, url.href);
    provider.presenter.observe?.(seen, provider.manager.emit);
    if (!provider.presenter.isRejected(seen)) return first;

    reportRejection(provider, seen, provider.manager.invalidate(token));
    if (!replayable(init.body)) return first;
    const fresh = await provider.manager.recoverFrom(token, { signal });
    const second = await send(provider, url, init, fresh);
    const again = await inspect(provider, second, method, url.href);
    provider.presenter.observe?.(again, provider.manager.emit);
    if (provider.presenter.isRejected(again)) throw rejectedAfterRetry(provider, again);
    return second;
  } as Fetch;
}
