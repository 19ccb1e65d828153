import {
  ApiCallFailedError,
  InvalidOptionsError,
  InvalidTokenResponseError,
  LoginFailedError,
  LoginTimeoutError,
  TokenRejectedError,
  createHttpClient,
  parseRetryAfter,
  type HttpResponse,
  type Presenter,
  type TokenManager,
} from '@tokenwarden/auth-core';
import { accessToken, accessTokenList, type AccessTokenCreateRequest } from './schemas.js';

/** A new access token: store `uuid` and `token` and log in with them instead of username and password. */
export interface MittwaldAccessToken {
  readonly uuid: string;
  /** The secret; shown once by mittwald. */
  readonly token: string;
  readonly createdAt: Date;
  readonly description: string;
}

/** An existing access token, without its secret. */
export interface MittwaldAccessTokenInfo {
  readonly uuid: string;
  readonly createdAt: Date;
  readonly description: string;
}

/** What the access-token calls need from the provider. */
export interface AccessTokenContext {
  readonly provider: string;
  readonly manager: TokenManager;
  readonly presenter: Presenter;
  readonly secrets: readonly string[];
  /** Deadline of one call in ms. */
  readonly timeoutMs: number;
  /** Largest answer read, in bytes (default 1 MiB). */
  readonly maxResponseBytes?: number | undefined;
  readonly paths: { readonly create: string; readonly list: string; readonly revoke: string };
  url(path: string): URL;
  /** Reports the rate-limit headers of a response. */
  observe(endpoint: string, response: HttpResponse): void;
}

/** Create, list and revoke access tokens with the provider's current API token. */
export function accessTokenApi(ctx: AccessTokenContext) {
  const { provider, manager } = ctx;

  /**
   * The HTTP client words its transport failures as a login's; an access-token call is not
   * one, so say what was attempted and keep only the client's problem.
   */
  function transportFailure(operation: string, error: unknown): unknown {
    if (error instanceof LoginTimeoutError) return new ApiCallFailedError({ provider, operation, problem: `no answer within ${error.timeoutMs} ms` });
    if (error instanceof LoginFailedError || error instanceof InvalidTokenResponseError) {
      const problem = error.message.replace(/^.*?: /, '').replace(/\.$/, '');
      return new ApiCallFailedError({ provider, operation, problem, status: error.status, retryable: error.retryable });
    }
    return error;
  }

  /** One call with the current token; a 401 refreshes the token once and retries, like the integrations. */
  async function call(operation: string, method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
    const url = ctx.url(path);
    const endpoint = `${method} ${url.pathname}`;
    for (let retried = false; ; retried = true) {
      const token = await manager.getToken();
      const placement = ctx.presenter.place(token);
      const target = new URL(url);
      for (const [name, value] of Object.entries(placement.query ?? {})) target.searchParams.set(name, value);
      const secrets = [...ctx.secrets, token.value];
      const response = await createHttpClient({ provider, timeoutMs: ctx.timeoutMs, maxResponseBytes: ctx.maxResponseBytes, secrets })
        .request({
          url: target,
          method,
          headers: {
            accept: 'application/json',
            ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...init.headers,
            ...placement.headers,
          },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        })
        .catch((error: unknown) => {
          throw transportFailure(operation, error);
        });
      ctx.observe(endpoint, response);
      const { status } = response;
      if (status === 401) {
        manager.emit('rejected', { provider, status, method, url: url.href, invalidated: manager.invalidate(token) });
        if (retried) throw new TokenRejectedError({ provider, status, method, url: url.href });
        await manager.recoverFrom(token);
        continue;
      }
      if (status < 200 || status > 299) {
        throw new ApiCallFailedError({ provider, operation, status, problem: `${endpoint} answered HTTP ${status}`, retryAfterMs: parseRetryAfter(response.headers['retry-after']) });
      }
      return { response, endpoint, operation };
    }
  }

  const failed = (reply: { response: HttpResponse; endpoint: string; operation: string }, problem: string) =>
    new ApiCallFailedError({ provider, operation: reply.operation, status: reply.response.status, problem: `${reply.endpoint} ${problem}` });

  /** The JSON body of a 2xx answer. No body preview: it may hold a new access token's secret. */
  function json(reply: { response: HttpResponse; endpoint: string; operation: string }): unknown {
    try {
      return JSON.parse(reply.response.text());
    } catch {
      throw failed(reply, `answered a body that is not JSON (${reply.response.headers['content-type'] ?? 'no content type'}; truncated?)`);
    }
  }

  return {
    /**
     * Creates a permanent access token (`POST /v1/authentication/tokens`) with the current API
     * token. Store `uuid` and `token`, then log in with `mittwald({ uuid, token })` — username and
     * password need not be stored.
     */
    async createAccessToken(init: { readonly description: string }): Promise<MittwaldAccessToken> {
      if (typeof init?.description !== 'string' || init.description.trim() === '') {
        throw new InvalidOptionsError({ provider, issues: [{ path: 'description', message: 'must be a non-empty string' }] });
      }
      const body: AccessTokenCreateRequest = { description: init.description };
      const reply = await call('create access token', 'POST', ctx.paths.create, { body });
      const parsed = accessToken.safeParse(json(reply));
      if (!parsed.success) throw failed(reply, 'answered JSON that is not an access token (uuid, token, crdate, description)');
      const { uuid, token, crdate, description } = parsed.data;
      return { uuid, token, createdAt: new Date(crdate), description };
    },

    /** Lists the account's access tokens (not in the docs: see the README's assumptions). Bypasses the server cache. */
    async listAccessTokens(): Promise<readonly MittwaldAccessTokenInfo[]> {
      // A revocation clears only the revoked token's URI in the server cache, not the list's.
      const reply = await call('list access tokens', 'GET', ctx.paths.list, { headers: { 'cache-control': 'no-cache' } });
      const parsed = accessTokenList.safeParse(json(reply));
      if (!parsed.success) throw failed(reply, 'answered JSON that is not a list of access tokens');
      return parsed.data.map(({ uuid, crdate, description }) => ({ uuid, createdAt: new Date(crdate), description }));
    },

    /**
     * Revokes an access token (not in the docs: see the README's assumptions). Resolves `true`
     * when it was revoked, `false` when the server does not know it (404).
     */
    async revokeAccessToken(uuid: string): Promise<boolean> {
      if (typeof uuid !== 'string' || uuid === '') {
        throw new InvalidOptionsError({ provider, issues: [{ path: 'uuid', message: 'must be a non-empty string' }] });
      }
      try {
        await call('revoke access token', 'DELETE', ctx.paths.revoke.replace('{uuid}', encodeURIComponent(uuid)));
        return true;
      } catch (error) {
        if (error instanceof ApiCallFailedError && error.status === 404) return false;
        throw error;
      }
    },
  };
}
