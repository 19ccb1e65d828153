import {
  InvalidOptionsError,
  InvalidTokenResponseError,
  LoginFailedError,
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
  readonly timeoutMs: number;
  readonly paths: { readonly create: string; readonly list: string; readonly revoke: string };
  url(path: string): URL;
  /** Reports the rate-limit headers of a response. */
  observe(endpoint: string, response: HttpResponse): void;
}

/** Create, list and revoke access tokens with the provider's current API token. */
export function accessTokenApi(ctx: AccessTokenContext) {
  const { provider, manager } = ctx;

  /** One call with the current token; a 401 refreshes the token once and retries, like the integrations. */
  async function call(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
    const url = ctx.url(path);
    const endpoint = `${method} ${url.pathname}`;
    for (let retried = false; ; retried = true) {
      const token = await manager.getToken();
      const placement = ctx.presenter.place(token);
      const target = new URL(url);
      for (const [name, value] of Object.entries(placement.query ?? {})) target.searchParams.set(name, value);
      const secrets = [...ctx.secrets, token.value];
      const response = await createHttpClient({ provider, timeoutMs: ctx.timeoutMs, secrets }).request({
        url: target,
        method,
        headers: {
          accept: 'application/json',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
          ...placement.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      ctx.observe(endpoint, response);
      const { status } = response;
      if (status === 401) {
        manager.emit('rejected', { provider, status, method, url: url.href, invalidated: manager.invalidate(token) });
        if (retried) throw new TokenRejectedError({ provider, status, method, url: url.href });
        await manager.recoverFrom(token);
        continue;
      }
      if (status === 408 || status === 429 || status >= 500) {
        throw new LoginFailedError({ provider, status, problem: `${endpoint} answered HTTP ${status}`, retryAfterMs: parseRetryAfter(response.headers['retry-after']) });
      }
      return { response, endpoint };
    }
  }

  const invalid = (status: number, problem: string) => new InvalidTokenResponseError({ provider, status, problem });

  /** The JSON body of a 2xx answer. No body preview: it may hold a new access token's secret. */
  function json({ response, endpoint }: { response: HttpResponse; endpoint: string }): unknown {
    const { status } = response;
    if (status < 200 || status > 299) throw invalid(status, `${endpoint} answered HTTP ${status}`);
    try {
      return JSON.parse(response.text());
    } catch {
      throw invalid(status, `${endpoint} answered a body that is not JSON (${response.headers['content-type'] ?? 'no content type'}; truncated?)`);
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
      const reply = await call('POST', ctx.paths.create, { body });
      const parsed = accessToken.safeParse(json(reply));
      if (!parsed.success) throw invalid(reply.response.status, `${reply.endpoint} answered JSON that is not an access token (uuid, token, crdate, description)`);
      const { uuid, token, crdate, description } = parsed.data;
      return { uuid, token, createdAt: new Date(crdate), description };
    },

    /** Lists the account's access tokens (not in the docs: see the README's assumptions). Bypasses the server cache. */
    async listAccessTokens(): Promise<readonly MittwaldAccessTokenInfo[]> {
      // A revocation clears only the revoked token's URI in the server cache, not the list's.
      const reply = await call('GET', ctx.paths.list, { headers: { 'cache-control': 'no-cache' } });
      const parsed = accessTokenList.safeParse(json(reply));
      if (!parsed.success) throw invalid(reply.response.status, `${reply.endpoint} answered JSON that is not a list of access tokens`);
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
      const reply = await call('DELETE', ctx.paths.revoke.replace('{uuid}', encodeURIComponent(uuid)));
      const { status } = reply.response;
      if (status === 404) return false;
      if (status < 200 || status > 299) throw invalid(status, `${reply.endpoint} answered HTTP ${status}`);
      return true;
    },
  };
}
