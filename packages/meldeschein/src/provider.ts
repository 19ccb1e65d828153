import {
  CredentialsRejectedError,
  InvalidOptionsError,
  InvalidTokenResponseError,
  assertLoginOk,
  cacheKeyOf,
  createAuthFetch,
  defineProvider,
  jwtExpiry,
  readJson,
  type HttpResponse,
  type OptionIssue,
  type Presenter,
} from '@tokenwarden/auth-core';
import { z } from 'zod';
import { fetchConfig, type GetConfigOptions } from './config.js';
import { bodyWithMeta, mergeMeta, type BodyFormat, type MetaRequest } from './meta.js';
import { errorBody, loginRefusal, loginResponse, metaSchema, type LoginRequest, type Meta, type MeldescheinConfig } from './schemas.js';
import { parseXml, xmlDocument } from './xml.js';

const PROVIDER = 'meldeschein';

/** The public API's roots. Test and production credentials differ. */
export const MELDESCHEIN_URLS = {
  production: 'https://api.meldescheine.de/api/',
  test: 'https://dev-api.meldescheine.de/api/',
} as const;

/**
 * The API root for `baseUrl`: a preset's URL, or the given URL with `/api/` appended unless its
 * path already ends in `/api` — so the documented `{server}/api/token/` is reached whether the
 * server or the API root is given, and `/api/` is never doubled. Query and fragment are dropped.
 */
export function apiRoot(baseUrl: string): string {
  const url = new URL(baseUrl in MELDESCHEIN_URLS ? MELDESCHEIN_URLS[baseUrl as keyof typeof MELDESCHEIN_URLS] : baseUrl);
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/*$/, '/').replace(/(?<!\/api\/)$/, 'api/');
  return url.href;
}

const USER_AGENT_REQUIRED = "is required: a User-Agent of printable ASCII that identifies your system, e.g. 'acme-pms/2.1'; false sends none";
const CONTENT_TYPES = { json: 'application/json', form: 'application/x-www-form-urlencoded', xml: 'application/xml' } as const;

/** Options of the meldeschein provider. */
export const meldescheinOptions = z.object({
  /**
   * `'production'` (https://api.meldescheine.de/api/), `'test'` (https://dev-api.meldescheine.de/api/)
   * or any server URL (see `apiRoot`). The token is sent to this origin only.
   */
  baseUrl: z.union([z.enum(['production', 'test']), z.url({ protocol: /^https?$/ })], {
    error: "must be 'production', 'test' or an http(s) URL",
  }),
  /** Username or email address. */
  username: z.string().min(1),
  /** Password; never logged, never part of an error. */
  password: z.string().min(1),
  /**
   * Identifies the calling system (e.g. `'acme-pms/2.1 (it@acme.example)'`); sent on the login
   * and on every request through the integrations, as the API asks. Required: `false` sends none.
   */
  userAgent: z.union([z.string().regex(/^[\x21-\x7e][\x20-\x7e]*$/, { error: USER_AGENT_REQUIRED }), z.literal(false)], { error: USER_AGENT_REQUIRED }),
  /** Login body: `json` (default), `form` (application/x-www-form-urlencoded) or `xml` (`<root><username/><password/></root>`). */
  loginFormat: z.enum(['json', 'form', 'xml']).default('json'),
  /** Login answer asked for with `Accept` (default: `xml` when `loginFormat` is `xml`, else `json`); either is read by its Content-Type. */
  responseFormat: z.enum(['json', 'xml']).optional(),
  /** `header` (default): `Authorization: JWT <token>`. `query`: a `jwt` query parameter — it lands in access logs; opt in only when a header cannot be sent. */
  tokenIn: z.enum(['header', 'query']).default('header'),
  /** Default meta context of this client (any subset of the fields); each call can override field by field. */
  meta: metaSchema.partial().optional(),
  /** Path of get_config, relative to the API root (default `get-config/`). */
  getConfigPath: z.string().min(1).default('get-config/'),
  /** Token lifetime in ms when the token carries no `exp` claim (default 5 minutes). */
  fallbackLifetimeMs: z.number().int().positive().default(300_000),
  /** Largest XML login answer parsed, in bytes (default 64 KiB). */
  maxXmlBytes: z.number().int().positive().default(65_536),
});

/** What `meldeschein(options)` accepts. */
export type MeldescheinOptions = z.input<typeof meldescheinOptions>;

/** The provider's own methods, next to `manager`, `presenter` and `origins`. */
export interface MeldescheinApi {
  /** The API root every path is relative to, ending in `/api/`. */
  readonly apiUrl: string;
  /** The absolute URL of an API path such as `'import/meldeschein/buchen/'` (leading slashes ignored). */
  url(path: string): string;
  /** The client's default meta with `overrides` merged over it, validated; throws `InvalidRequestError`. */
  meta(overrides?: Partial<Meta>): Meta;
  /** `data` with the merged meta object as a JSON (default) or XML body; throws `InvalidRequestError` before anything is sent. */
  withMeta(data: Readonly<Record<string, unknown>>, init?: { readonly meta?: Partial<Meta>; readonly format?: BodyFormat }): MetaRequest;
  /**
   * Fetches get_config with the current token: the account's municipalities, landlords and
   * properties. Throws `ApiCallFailedError` (operation `get config`) when the call itself fails.
   */
  getConfig(init?: GetConfigOptions): Promise<MeldescheinConfig>;
}

/**
 * The Meldeschein provider: logs in with `POST {api}/token/` (JSON, form data or XML), reads the
 * answer as JSON or XML by its Content-Type, and sends the token as `Authorization: JWT <token>`
 * with the configured `User-Agent` to the API's origin only.
 *
 * @example
 * const provider = meldeschein({
 *   baseUrl: 'test',
 *   username: 'me@example.org',
 *   password: process.env.MELDESCHEIN_PASSWORD!,
 *   userAgent: 'acme-pms/2.1',
 *   meta: { gemeinde: 17, vermieter: 42 },
 * });
 * const fetch = createAuthFetch(provider);
 * await fetch(provider.url('import/meldeschein/buchen/'), { method: 'POST', ...provider.withMeta({ meldescheine: [] }, { meta: { objekt: 7 } }) });
 */
export const meldeschein = defineProvider<typeof meldescheinOptions, MeldescheinApi>({
  name: PROVIDER,
  options: meldescheinOptions,
  setup: (options, engine) => {
    const root = apiRoot(options.baseUrl);
    const origin = new URL(root).origin;
    const url = (path: string) => new URL(path.replace(/^\/+/, ''), root).href;
    const userAgent: Record<string, string> = options.userAgent === false ? {} : { 'User-Agent': options.userAgent };
    const accept = CONTENT_TYPES[options.responseFormat ?? (options.loginFormat === 'xml' ? 'xml' : 'json')];

    /** The body as JSON or as the content of XML's root element, by Content-Type. */
    const read = (response: HttpResponse): unknown => {
      const type = response.headers['content-type'] ?? '';
      const invalid = (problem: string) =>
        new InvalidTokenResponseError({ provider: PROVIDER, status: response.status, problem, preview: response.preview() });
      if (/xml/i.test(type)) {
        try {
          return parseXml(response.text(), options.maxXmlBytes);
        } catch (error) {
          throw invalid((error as Error).message);
        }
      }
      if (type && !/json/i.test(type)) throw invalid(`the body is neither JSON nor XML (${type})`);
      return readJson(response, PROVIDER);
    };
    const quietly = (response: HttpResponse): unknown => {
      try {
        return read(response);
      } catch {
        return undefined;
      }
    };

    const presenter: Presenter = {
      place: (token) =>
        options.tokenIn === 'query'
          ? { headers: userAgent, query: { jwt: token.value } }
          : { headers: { ...userAgent, Authorization: `JWT ${token.value}` } },
      isRejected: (response) => response.status === 401,
      describeRejection: (response) => {
        const parsed = errorBody.safeParse(response.body);
        return parsed.success ? { detail: parsed.data.detail } : {};
      },
      // Redacted also when the user put it on a URL by hand.
      secretQueryParams: ['jwt'],
    };

    return {
      origins: [origin],
      presenter,
      source: {
        provider: PROVIDER,
        cacheKey: cacheKeyOf(PROVIDER, root, options.username),
        secrets: [options.password],
        async acquire({ http }) {
          const fields: LoginRequest = { username: options.username, password: options.password };
          const issues: OptionIssue[] = [];
          const body =
            options.loginFormat === 'json'
              ? JSON.stringify(fields)
              : options.loginFormat === 'form'
                ? new URLSearchParams(fields).toString()
                : xmlDocument(fields, '', issues);
          if (issues.length) throw new InvalidOptionsError({ provider: PROVIDER, issues });
          const response = await http.request({
            url: url('token/'),
            method: 'POST',
            headers: { 'Content-Type': CONTENT_TYPES[options.loginFormat], Accept: accept, ...userAgent },
            body,
          });
          // Django REST framework JWT refuses credentials with 400 and `non_field_errors`. The
          // engine replaces `retryAfterMs` with its own credentialsCooldownMs.
          const refusal = response.status === 400 ? loginRefusal.safeParse(quietly(response)) : undefined;
          if (refusal?.success) {
            throw new CredentialsRejectedError({ provider: PROVIDER, status: 400, reason: refusal.data.non_field_errors.join(' '), retryAfterMs: 30_000 });
          }
          assertLoginOk(response, {
            provider: PROVIDER,
            reason: (r) => {
              const parsed = errorBody.safeParse(quietly(r));
              return parsed.success ? parsed.data.detail : undefined;
            },
          });
          const parsed = loginResponse.safeParse(read(response));
          if (!parsed.success) {
            throw new InvalidTokenResponseError({ provider: PROVIDER, status: response.status, problem: 'the answer has no "token"' });
          }
          const { token } = parsed.data;
          const { issuedAt, expiresAt } = jwtExpiry(token, {
            receivedAt: response.receivedAt,
            serverDate: response.serverDate,
            fallbackLifetimeMs: options.fallbackLifetimeMs,
          });
          return { value: token, scheme: 'JWT', issuedAt, expiresAt };
        },
      },
      api: (_manager, provider) => {
        // Through the integrations, so getConfig gets their rejection recovery.
        const authFetch = createAuthFetch(provider);
        return {
          apiUrl: root,
          url,
          meta: (overrides) => mergeMeta(options.meta, overrides),
          withMeta: (data, init = {}) => bodyWithMeta(data, { defaults: options.meta, meta: init.meta, format: init.format }),
          getConfig: (init) => fetchConfig(authFetch, url(options.getConfigPath), init, engine.loginTimeoutMs),
        };
      },
    };
  },
});
