import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Provider } from './provider.js';
import type { ProviderResolver } from './registry.js';
import type { AccessToken } from './token.js';
import type { ApiResponse, TokenPlacement } from './presenter.js';
import { headerReader, rejectedAfterRetry, reportRejection, safeUrl } from './integration.js';

/** What the integration remembers about a request that carries a token. */
interface Sent {
  readonly provider: Provider;
  readonly token: AccessToken;
  readonly placement: TokenPlacement;
  readonly url: string;
}

type Config = InternalAxiosRequestConfig & { tokenwardenRetry?: boolean };
const sent = new WeakMap<object, Sent>();
const REDACTED = '[redacted]';

/** The request's absolute URL the way axios resolves it, or undefined when it has none. */
function requestUrl(config: InternalAxiosRequestConfig): URL | undefined {
  const url = config.url ?? '';
  try {
    // axios treats "scheme://…" and protocol-relative "//host/…" as absolute and ignores baseURL.
    if (/^([a-z][a-z\d+\-.]*:)?\/\//i.test(url)) return new URL(url, config.baseURL ?? 'https://invalid.invalid');
    if (!config.baseURL) return undefined;
    return new URL(url ? `${config.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : config.baseURL);
  } catch {
    return undefined;
  }
}

/** A body axios can send again byte for byte; streams cannot be. */
function replayable(data: unknown): boolean {
  if (data === undefined || data === null || typeof data !== 'object') return true;
  const d = data as { pipe?: unknown; getReader?: unknown };
  return typeof d.pipe !== 'function' && typeof d.getReader !== 'function';
}

function view(provider: Provider, response: AxiosResponse, url: string): ApiResponse {
  return {
    status: response.status,
    headers: headerReader(response.headers as Record<string, unknown>),
    body: response.data,
    method: (response.config.method ?? 'get').toUpperCase(),
    url: safeUrl(provider, url),
  };
}

/** Removes the token from everything an axios error carries: config headers, params, URL and the raw request. */
function scrub(error: AxiosError, state: Sent): void {
  const configs = [error.config, error.response?.config];
  for (const config of configs) {
    if (!config) continue;
    for (const name of Object.keys(state.placement.headers ?? {})) config.headers?.set(name, REDACTED);
    const params = config.params as Record<string, unknown> | undefined;
    for (const name of Object.keys(state.placement.query ?? {})) if (params && name in params) params[name] = REDACTED;
    if (config.url) config.url = safeUrl(state.provider, config.url);
  }
  // The raw ClientRequest holds the header block verbatim; keep only what diagnoses a failure.
  const request = { method: error.config?.method?.toUpperCase(), url: state.url };
  for (const holder of [error, error.response] as const) {
    if (holder && 'request' in holder && holder.request !== undefined) {
      Object.defineProperty(holder, 'request', { value: request, enumerable: false, configurable: true, writable: true });
    }
  }
}

/**
 * Attaches a provider (or a registry of several) to the user's axios instance. Requests whose
 * resolved URL has one of a provider's origins get its token; no other request does, nor does a
 * redirect to another origin. A rejection invalidates the token once for a burst and retries
 * the request once when its body is replayable. Returns a function that detaches again.
 */
export function attachAxios(instance: AxiosInstance, target: ProviderResolver): () => void {
  const requestId = instance.interceptors.request.use(async (config: Config) => {
    const url = requestUrl(config);
    const provider = url && target.providerFor(url);
    if (!url || !provider) return config;
    const signal = config.signal instanceof AbortSignal ? config.signal : undefined;
    const token = await provider.manager.getToken({ signal });
    const placement = provider.presenter.place(token);
    for (const [name, value] of Object.entries(placement.headers ?? {})) config.headers.set(name, value);
    if (placement.query) config.params = { ...(config.params as object | undefined), ...placement.query };
    if (typeof FormData !== 'undefined' && config.data instanceof FormData && !/boundary=/i.test(String(config.headers.getContentType() ?? ''))) {
      // A fixed boundary makes the retry byte-identical to the first attempt.
      config.headers.setContentType(`multipart/form-data; boundary=tokenwarden-${Math.random().toString(36).slice(2, 14)}`);
    }
    const userHook = config.beforeRedirect;
    config.beforeRedirect = (options, responseDetails, requestDetails) => {
      userHook?.(options, responseDetails, requestDetails);
      const next = `${String(options['protocol'])}//${String(options['hostname'])}${options['port'] ? `:${String(options['port'])}` : ''}`;
      if (provider.providerFor(new URL(next))) return;
      const headers = options['headers'] as Record<string, unknown> | undefined;
      for (const name of Object.keys(placement.headers ?? {})) {
        for (const key of Object.keys(headers ?? {})) if (key.toLowerCase() === name.toLowerCase()) delete headers![key];
      }
      if (typeof options['path'] === 'string') options['path'] = safeUrl(provider, options['path']).replace(/[?&][^=&#]+=\[redacted\]/g, '');
    };
    sent.set(config, { provider, token, placement, url: url.href });
    return config;
  });

  const retry = async (state: Sent, config: Config, seen: ApiResponse, original: () => never | AxiosResponse): Promise<AxiosResponse> => {
    const { provider, token } = state;
    reportRejection(provider, seen, provider.manager.invalidate(token));
    if (config.tokenwardenRetry) throw rejectedAfterRetry(provider, seen);
    if (!replayable(config.data)) return original();
    await provider.manager.recoverFrom(token);
    return instance.request({ ...config, tokenwardenRetry: true } as Config);
  };

  const responseId = instance.interceptors.response.use(
    async (response) => {
      const state = sent.get(response.config);
      if (!state) return response;
      const { presenter, manager } = state.provider;
      // A 4xx reaches this handler when the caller's validateStatus accepts it.
      const inspect = presenter.inspectsSuccessBodies === true || response.status >= 400;
      if (!inspect && !presenter.observe) return response;
      const seen = view(state.provider, response, state.url);
      presenter.observe?.(seen, manager.emit);
      if (!inspect || !presenter.isRejected(seen)) return response;
      return retry(state, response.config as Config, seen, () => response);
    },
    async (error: AxiosError) => {
      const state = error.config && sent.get(error.config);
      if (!state) throw error;
      scrub(error, state);
      const response = error.response;
      if (!response) throw error;
      const seen = view(state.provider, response, state.url);
      state.provider.presenter.observe?.(seen, state.provider.manager.emit);
      if (!state.provider.presenter.isRejected(seen)) throw error;
      return retry(state, error.config as Config, seen, () => {
        throw error;
      });
    },
  );

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}
