import { ApiCallFailedError, TokenWardenError, parseRetryAfter } from '@tokenwarden/auth-core';
import { configSchema, type MeldescheinConfig } from './schemas.js';

/** Options of one `getConfig()` call. */
export interface GetConfigOptions {
  /** Stops waiting (for the token and for the answer). */
  readonly signal?: AbortSignal;
  /**
   * Deadline of the whole call, the login it may need included, in ms. Default: the engine's
   * `loginTimeoutMs` (the factory's second argument), else 10 000.
   */
  readonly timeoutMs?: number;
  /** Largest answer read, in bytes (default 4 MiB). */
  readonly maxBytes?: number;
}

/** The body as text, or `undefined` when it is larger than `maxBytes` (the rest is not read). */
async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream.
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const OPERATION = 'get config';

/**
 * `GET <url>` through an authenticated fetch, validated against the documented shape. Throws
 * `ApiCallFailedError` for the call itself; login and token errors pass through.
 */
export async function fetchConfig(
  fetch: typeof globalThis.fetch,
  url: string,
  init: GetConfigOptions = {},
  defaultTimeoutMs = 10_000,
): Promise<MeldescheinConfig> {
  // A call cancelled before it starts needs no login.
  init.signal?.throwIfAborted();
  const endpoint = `GET ${new URL(url).pathname}`;
  const timeoutMs = init.timeoutMs ?? defaultTimeoutMs;
  const maxBytes = init.maxBytes ?? 4 * 1024 * 1024;
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])]);
  let status: number | undefined;
  let retryAfterMs: number | undefined;
  const fail = (problem: string) => new ApiCallFailedError({ provider: 'meldeschein', operation: OPERATION, status, retryAfterMs, problem });
  let text: string | undefined;
  let type = '';
  try {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, signal });
    status = response.status;
    type = response.headers.get('content-type') ?? 'no content type';
    if (!response.ok) {
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      await response.body?.cancel();
      throw fail(`${endpoint} answered HTTP ${response.status}`);
    }
    text = await readCapped(response, maxBytes);
  } catch (error) {
    if (error instanceof TokenWardenError) throw error;
    if (init.signal?.aborted) throw init.signal.reason;
    // Only what happened: a fetch error's cause may quote the URL, and with it a `jwt` parameter.
    throw fail(signal.aborted ? `${endpoint} did not answer within ${timeoutMs} ms` : `network error calling ${endpoint}`);
  }
  if (text === undefined) throw fail(`${endpoint} answered a body larger than ${maxBytes} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail(`${endpoint} answered a body that is not JSON (${type})`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) throw fail(`${endpoint} answered JSON that is not a configuration (gemeinden[].id, beherberger[].id)`);
  return parsed.data;
}
