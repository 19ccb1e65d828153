import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseRetryAfter } from './backoff.js';
import { CredentialsRejectedError, InvalidTokenResponseError, LoginFailedError, LoginTimeoutError, TokenWardenError } from './errors.js';
import { parseHttpDate } from './jwt.js';
import { previewBody } from './redact.js';

/** One HTTP request made by a provider (a login, or a call like "create access token"). */
export interface HttpRequest {
  readonly url: string | URL;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

/** A fully read response. Redirects are never followed: a 3xx comes back as it is. */
export interface HttpResponse {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Local epoch ms when the response headers arrived. */
  readonly receivedAt: number;
  /** The server's `Date` header in epoch ms, for clock-skew-free expiry. */
  readonly serverDate: number | undefined;
  text(): string;
  /** A short, single-line start of the body with the client's secrets and JWTs redacted (for errors). */
  preview(): string;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export interface HttpClientOptions {
  /** Provider name for errors. */
  readonly provider: string;
  /** Total deadline per request: connect, headers and the whole body (default 10 000). */
  readonly timeoutMs?: number;
  /** Largest body read; a larger one is an `InvalidTokenResponseError` (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /** Aborts the request from outside (the caller is gone, the manager disposed). */
  readonly signal?: AbortSignal;
  /** Values redacted from body previews (before truncation, so no prefix of one shows either). */
  readonly secrets?: readonly string[];
}

function flattenHeaders(raw: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * A small HTTP client for provider calls, on `node:http`: a total deadline (a server that
 * accepts and never answers, or trickles, cannot hang callers), a body size cap, no redirects
 * (credentials and tokens never follow one), and typed errors that carry no request data.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { provider } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;

  return {
    request(req) {
      const url = new URL(req.url);
      const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
      if (!send) {
        return Promise.reject(new LoginFailedError({ provider, problem: `unsupported protocol ${url.protocol}` }));
      }
      return new Promise<HttpResponse>((resolve, reject) => {
        let settled = false;
        const finish = (error: Error | undefined, response?: HttpResponse) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          if (error) {
            outgoing.destroy();
            reject(error);
          } else resolve(response!);
        };
        const onAbort = () => {
          const reason: unknown = options.signal?.reason;
          finish(reason instanceof TokenWardenError ? reason : new LoginFailedError({ provider, problem: 'the request was aborted' }));
        };
        const timer = setTimeout(() => finish(new LoginTimeoutError({ provider, timeoutMs })), timeoutMs);

        const body = req.body === undefined ? undefined : Buffer.from(req.body);
        const outgoing = send(url, {
          method: req.method ?? 'GET',
          headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        });
        outgoing.on('error', (error: NodeJS.ErrnoException) =>
          // Only the error code: a Node error message may quote the URL with its query.
          finish(new LoginFailedError({ provider, problem: `network error ${error.code ?? 'on the connection'}` })),
        );
        outgoing.on('response', (incoming) => {
          const receivedAt = Date.now();
          const chunks: Buffer[] = [];
          let size = 0;
          incoming.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              finish(
                new InvalidTokenResponseError({ provider, problem: `the body is larger than ${maxBytes} bytes`, status: incoming.statusCode }),
              );
              incoming.destroy();
            } else chunks.push(chunk);
          });
          incoming.on('error', () => finish(new LoginFailedError({ provider, problem: 'the connection broke while reading the body' })));
          incoming.on('aborted', () => finish(new LoginFailedError({ provider, problem: 'the connection broke while reading the body' })));
          incoming.on('end', () => {
            const headers = flattenHeaders(incoming.headers);
            const all = Buffer.concat(chunks);
            finish(undefined, {
              status: incoming.statusCode ?? 0,
              headers,
              body: all,
              receivedAt,
              serverDate: parseHttpDate(headers['date']),
              text: () => all.toString('utf8'),
              preview: () => previewBody(all.subarray(0, 4096).toString('utf8'), options.secrets),
            });
          });
        });
        if (options.signal?.aborted) return onAbort();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        outgoing.end(body);
      });
    },
  };
}

/**
 * Turns a non-2xx login response into the right typed error: 401/403 → rejected credentials
 * (with a cool-down), 408/429/5xx → a transient failure honouring Retry-After, any other
 * status → an invalid response. Returns the response unchanged when it is a 2xx.
 */
export function assertLoginOk(
  response: HttpResponse,
  init: { provider: string; reason?: (response: HttpResponse) => string | undefined },
): HttpResponse {
  const { status } = response;
  if (status >= 200 && status < 300) return response;
  const { provider } = init;
  if (status === 401 || status === 403) {
    // The manager replaces retryAfterMs with its own credentialsCooldownMs when it catches this.
    throw new CredentialsRejectedError({ provider, status, reason: init.reason?.(response), retryAfterMs: 30_000 });
  }
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    throw new LoginFailedError({ provider, status, problem: `HTTP ${status}`, retryAfterMs });
  }
  throw new InvalidTokenResponseError({ provider, status, problem: `unexpected HTTP ${status}`, preview: response.preview() });
}

/** Parses a JSON body or throws `InvalidTokenResponseError` with a redacted preview (HTML, empty, truncated). */
export function readJson(response: HttpResponse, provider: string): unknown {
  const text = response.text();
  if (text.trim() === '') {
    throw new InvalidTokenResponseError({ provider, status: response.status, problem: 'the body is empty' });
  }
  try {
    return JSON.parse(text);
  } catch {
    const type = response.headers['content-type'] ?? 'no content type';
    throw new InvalidTokenResponseError({
      provider,
      status: response.status,
      problem: `the body is not JSON (${type})`,
      preview: response.preview(),
    });
  }
}
