import { TokenWardenError } from '@tokenwarden/auth-core';
import { configSchema, type MeldescheinConfig } from './schemas.js';

/**
 * A call of the provider's own API methods (`getConfig()`) failed after authentication: the
 * server answered an error status or something that is not the documented answer, did not
 * answer in time, or could not be reached. Built from non-secret facts only.
 */
export class MeldescheinApiError extends Error {
  readonly code = 'MELDESCHEIN_API_ERROR' as const;
  /** `GET /api/get-config/` */
  readonly endpoint: string;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(init: { endpoint: string; problem: string; status?: number }) {
    super(`meldeschein ${init.endpoint} failed: ${init.problem}.`);
    this.name = 'MeldescheinApiError';
    this.endpoint = init.endpoint;
    this.status = init.status;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, endpoint: this.endpoint, status: this.status, message: this.message };
  }
}

/** Options of one `getConfig()` call. */
export interface GetConfigOptions {
  /** Stops waiting (for the token and for the answer). */
  readonly signal?: AbortSignal;
  /** Deadline of the whole call, the login it may need included, in ms (default 10 000). */
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

/** `GET <url>` through an authenticated fetch, validated against the documented shape. */
export async function fetchConfig(fetch: typeof globalThis.fetch, url: string, init: GetConfigOptions = {}): Promise<MeldescheinConfig> {
  // A call cancelled before it starts needs no login.
  init.signal?.throwIfAborted();
  const endpoint = `GET ${new URL(url).pathname}`;
  const timeoutMs = init.timeoutMs ?? 10_000;
  const maxBytes = init.maxBytes ?? 4 * 1024 * 1024;
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])]);
  let status: number | undefined;
  const fail = (problem: string) => new MeldescheinApiError({ endpoint, status, problem });
  let text: string | undefined;
  let type = '';
  try {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, signal });
    status = response.status;
    type = response.headers.get('content-type') ?? 'no content type';
    if (!response.ok) {
      await response.body?.cancel();
      throw fail(`HTTP ${response.status}`);
    }
    text = await readCapped(response, maxBytes);
  } catch (error) {
    if (error instanceof TokenWardenError || error instanceof MeldescheinApiError) throw error;
    if (init.signal?.aborted) throw init.signal.reason;
    // Only what happened: a fetch error's cause may quote the URL, and with it a `jwt` parameter.
    throw fail(signal.aborted ? `no answer within ${timeoutMs} ms` : 'network error');
  }
  if (text === undefined) throw fail(`the answer is larger than ${maxBytes} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail(`the answer is not JSON (${type})`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) throw fail('the answer is not a configuration (gemeinden[].id, beherberger[].id)');
  return parsed.data;
}
