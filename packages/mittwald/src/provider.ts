import {
  InvalidJwtError,
  InvalidTokenResponseError,
  LoginFailedError,
  assertLoginOk,
  cacheKeyOf,
  defineProvider,
  jwtExpiry,
  parseRetryAfter,
  type HttpResponse,
  type Presenter,
  type TokenEvents,
} from '@tokenwarden/auth-core';
import { z } from 'zod';
import { accessTokenApi, type MittwaldAccessToken, type MittwaldAccessTokenInfo } from './access-tokens.js';
import { rateLimitBook, readRateLimit, type RateLimit } from './rate-limit.js';
import { errorBody, jwt, type AuthenticateRequest } from './schemas.js';

const PROVIDER = 'mittwald';
const QUERY_PARAM = 'access_token';

const path = z.string().regex(/^\/\S*$/, 'must be a path starting with "/"');
const secret = z.string().min(1).optional();

const schema = z
  .object({
    /** Base URL of the mittwald API (default `https://api.mittwald.de`); the token is sent to this origin only. */
    baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.mittwald.de'),
    /** Customer-center login, e.g. `r1234`; with `password`. */
    username: secret,
    /** Customer-center password; never logged, never part of an error. */
    password: secret,
    /** An access token's `uuid`; with `token`. Sent as the login's username. */
    uuid: secret,
    /** An access token's secret `token`; sent as the login's password. Never logged. */
    token: secret,
    /**
     * Where the token goes on requests: `header` (`Authorization: Bearer`, default) or `query`
     * (`?access_token=`). The query lands in access logs and proxies; use it only when a header cannot be sent.
     */
    tokenIn: z.enum(['header', 'query']).default('header'),
    /** Lifetime in milliseconds assumed for a token without an `exp` claim (default one hour). */
    fallbackLifetimeMs: z.number().int().positive().default(3_600_000),
    /** How long logins stop, in milliseconds, once the login's `X-RateLimit-Remaining` is 0 (default 15 minutes, the documented window). */
    rateLimitWindowMs: z.number().int().positive().default(900_000),
    /**
     * Deadline in milliseconds of one access-token call (create, list, revoke). Default: the
     * engine's `loginTimeoutMs` (the factory's second argument), else 10 000.
     */
    requestTimeoutMs: z.number().int().positive().optional(),
    /** Path of the login (default `/v1/authenticate`). */
    authenticatePath: path.default('/v1/authenticate'),
    /** Path where access tokens are created (default `/v1/authentication/tokens`). */
    createTokenPath: path.default('/v1/authentication/tokens'),
    /** Path where access tokens are listed (not in the docs; default `/v1/authentication/tokens`). */
    listTokensPath: path.default('/v1/authentication/tokens'),
    /** Path where an access token is revoked, `{uuid}` standing for its id (not in the docs; default `/v1/authentication/tokens/{uuid}`). */
    revokeTokenPath: path.includes('{uuid}', { message: 'must contain {uuid}' }).default('/v1/authentication/tokens/{uuid}'),
  })
  .superRefine((o, ctx) => {
    const missing = (field: 'username' | 'password' | 'uuid' | 'token', message: string) => {
      if (o[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message });
    };
    const user = o.username !== undefined || o.password !== undefined;
    const access = o.uuid !== undefined || o.token !== undefined;
    if (user && access) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give username and password, or uuid and token, not both' });
    } else if (access) {
      missing('uuid', 'required with token');
      missing('token', 'required with uuid');
    } else if (user) {
      missing('username', 'required with password');
      missing('password', 'required with username');
    } else {
      missing('username', 'give username and password, or uuid and token');
    }
  });

type Common = Omit<z.input<typeof schema>, 'username' | 'password' | 'uuid' | 'token'>;

/**
 * What `mittwald(options)` accepts: the shared options plus either customer-center credentials
 * or an access token (see `createAccessToken`).
 */
export type MittwaldOptions = Common &
  (
    | { readonly username: string; readonly password: string; readonly uuid?: never; readonly token?: never }
    | { readonly uuid: string; readonly token: string; readonly username?: never; readonly password?: never }
  );

/** Options of the mittwald provider, validated at runtime (every invalid field is reported at once). */
export const mittwaldOptions = schema as unknown as z.ZodType<z.output<typeof schema>, MittwaldOptions>;

/** The methods a mittwald provider adds to `Provider`. */
export interface MittwaldApi {
  /** Key of the login in `rateLimit(endpoint)`, e.g. `POST /v1/authenticate`. */
  readonly loginEndpoint: string;
  /** The latest budget `endpoint` (`METHOD /path`) reported, from the login or any response through the integrations. */
  rateLimit(endpoint: string): RateLimit | undefined;
  /** The latest budget of every endpoint seen (at most 200, the least recent dropped first). */
  rateLimits(): readonly RateLimit[];
  /**
   * Creates a permanent access token (`POST /v1/authentication/tokens`) with the current API
   * token. Store `uuid` and `token` and log in with `mittwald({ uuid, token })` from then on.
   */
  createAccessToken(init: { readonly description: string }): Promise<MittwaldAccessToken>;
  /** Lists the account's access tokens, bypassing the server cache (not in the docs: see the README). */
  listAccessTokens(): Promise<readonly MittwaldAccessTokenInfo[]>;
  /** Revokes an access token: `true` when revoked, `false` when the server does not know it (404). Not in the docs: see the README. */
  revokeAccessToken(uuid: string): Promise<boolean>;
}

/** The server's own reason for a refused request, if its body has one. */
function refusal(body: unknown): string | undefined {
  const parsed = errorBody.safeParse(body);
  return parsed.success ? parsed.data.message : undefined;
}
const parse = (response: HttpResponse): unknown => {
  try {
    return JSON.parse(response.text());
  } catch {
    return undefined;
  }
};

/**
 * The mittwald API v1 provider: logs in with `POST /v1/authenticate` (customer-center
 * credentials or an access token), takes the raw JWT it answers, and sends it as
 * `Authorization: Bearer <token>` to `baseUrl`'s origin only. Reports `X-RateLimit` budgets per
 * endpoint and stops logging in when the login's budget is used up.
 *
 * @example
 * const provider = mittwald({ uuid: process.env.MITTWALD_TOKEN_UUID!, token: process.env.MITTWALD_TOKEN! });
 * const fetch = createAuthFetch(provider);
 * const customer = await fetch('https://api.mittwald.de/v1/customers/123456');
 */
export const mittwald = defineProvider({
  name: PROVIDER,
  options: mittwaldOptions,
  setup: (o, engine) => {
    const base = o.baseUrl.replace(/\/+$/, '');
    const url = (p: string) => new URL(base + p);
    const login = url(o.authenticatePath);
    const loginEndpoint = `POST ${login.pathname}`;
    const request: AuthenticateRequest = { username: (o.username ?? o.uuid)!, password: (o.password ?? o.token)! };
    const secrets = [request.password];

    const report = (emit: (event: 'rateLimit', payload: TokenEvents['rateLimit']) => void, endpoint: string, header: (name: string) => string | undefined) => {
      const budget = readRateLimit(header);
      if (budget) emit('rateLimit', { provider: PROVIDER, endpoint, ...budget });
      return budget;
    };

    const presenter: Presenter = {
      place: (token) => (o.tokenIn === 'query' ? { query: { [QUERY_PARAM]: token.value } } : { headers: { Authorization: `Bearer ${token.value}` } }),
      isRejected: (response) => response.status === 401,
      describeRejection: (response) => ({ detail: refusal(response.body) }),
      // Redacted also in header mode: a user may put the token in the URL by hand.
      secretQueryParams: [QUERY_PARAM],
      observe: (response, emit) => void report(emit, `${response.method} ${new URL(response.url).pathname}`, (name) => response.headers.get(name)),
    };

    return {
      origins: [o.baseUrl],
      presenter,
      source: {
        provider: PROVIDER,
        cacheKey: cacheKeyOf(PROVIDER, new URL(o.baseUrl).origin, request.username),
        secrets,
        async acquire({ http, emit, pauseLogins }) {
          const response = await http.request({
            url: login,
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/jwt' },
            body: JSON.stringify(request),
          });
          const { status, headers } = response;
          const why = 'mittwald login rate limit';
          const budget = report(emit, loginEndpoint, (name) => headers[name]);
          if (status === 429) {
            // The server knows when its window ends; without Retry-After a whole window is the safe guess.
            const retryAfterMs = Math.min(parseRetryAfter(headers['retry-after']) ?? o.rateLimitWindowMs, o.rateLimitWindowMs);
            pauseLogins(Date.now() + retryAfterMs, why);
            throw new LoginFailedError({ provider: PROVIDER, status, problem: 'HTTP 429, the rate limit is used up', retryAfterMs });
          }
          // The window's start is unknown, so wait a whole window from now.
          if (budget?.remaining === 0) pauseLogins(Date.now() + o.rateLimitWindowMs, why);
          assertLoginOk(response, { provider: PROVIDER, reason: (r) => refusal(parse(r)) });
          const value = response.text().trim();
          if (!jwt.safeParse(value).success) {
            const type = headers['content-type'] ?? 'no content type';
            throw new InvalidTokenResponseError({ provider: PROVIDER, status, problem: `the body is not a JWT (${type})`, preview: response.preview() });
          }
          let expiry: ReturnType<typeof jwtExpiry>;
          try {
            expiry = jwtExpiry(value, { receivedAt: response.receivedAt, serverDate: response.serverDate, fallbackLifetimeMs: o.fallbackLifetimeMs });
          } catch (error) {
            throw error instanceof InvalidJwtError ? new InvalidTokenResponseError({ provider: PROVIDER, status, problem: error.message.replace(/\.$/, '') }) : error;
          }
          if (!expiry.fromClaims) {
            emit('warning', {
              provider: PROVIDER,
              message: `the token has no exp claim; it is assumed valid for ${o.fallbackLifetimeMs / 1000} s (fallbackLifetimeMs)`,
            });
          }
          return { value, scheme: 'Bearer', issuedAt: expiry.issuedAt, expiresAt: expiry.expiresAt };
        },
      },
      api: (manager): MittwaldApi => ({
        loginEndpoint,
        ...rateLimitBook(manager),
        ...accessTokenApi({
          provider: PROVIDER,
          manager,
          presenter,
          secrets,
          // The more specific option wins: a deadline set for these calls, then the login's.
          timeoutMs: o.requestTimeoutMs ?? engine.loginTimeoutMs ?? 10_000,
          maxResponseBytes: engine.maxResponseBytes,
          paths: { create: o.createTokenPath, list: o.listTokensPath, revoke: o.revokeTokenPath },
          url,
          observe: (endpoint, response) => void report(manager.emit, endpoint, (name) => response.headers[name]),
        }),
      }),
    };
  },
});
