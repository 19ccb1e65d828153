import {
  CredentialsRejectedError,
  InvalidTokenResponseError,
  assertLoginOk,
  cacheKeyOf,
  defineProvider,
  previewBody,
  readJson,
  type HttpResponse,
  type TokenSource,
} from '@tokenwarden/auth-core';
import { z } from 'zod';
import { tokenExpiry } from './expiry.js';
import { thinksurancePresenter } from './presenter.js';
import { errorOf, tokenResponse, type TokenRequest } from './schemas.js';
import { isTimeZone } from './zoned-time.js';

const PROVIDER = 'thinksurance';
// A token without a usable `expired` is still a token: its validity is documented (see tokenExpiry).
const tokenOnly = tokenResponse.pick({ token: true });

/** Options of the Thinksurance provider. */
export const thinksuranceOptions = z.object({
  /**
   * Base URL of the Thinksurance API, e.g. `https://app.dev.thinksurance.de` (the host the docs
   * show). The login goes to `<baseUrl>/api/token`; the token goes to this origin only.
   */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** The `hash` Thinksurance Support handed out; never logged, never part of an error. */
  hash: z.string().min(1),
  /** The `secret` Thinksurance Support handed out; never logged, never part of an error. */
  secret: z.string().min(1),
  /** IANA zone the `expired` field is local time of — it carries none (default "Europe/Berlin"). */
  timeZone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"')
    .default('Europe/Berlin'),
  /** The documented validity of a token in ms (default 900 000, 15 minutes). */
  lifetimeMs: z.number().int().positive().default(900_000),
  /** How far beyond `lifetimeMs` the `expired` field may lie and still be believed, in ms (default 60 000). */
  lifetimeToleranceMs: z.number().int().nonnegative().default(60_000),
  /** Header that carries the token (default "Authorization"). */
  header: z.string().regex(/^[!#$%&'*+.^_`|~\w-]+$/, 'must be an HTTP header name').default('Authorization'),
  /** Scheme before the token (default "Bearer"); `""` sends the bare token. */
  scheme: z.string().regex(/^[^\s]*$/, 'must not contain white space').default('Bearer'),
  /**
   * An API answer `{ error }` whose text matches this refuses the token, at any status, HTTP 200
   * included (default: "token" with invalid, expired, not valid, unknown, revoked, missing or
   * required, in either order; or unauthorized, unauthenticated). 401 and 403 always do.
   */
  tokenErrorPattern: z
    .instanceof(RegExp)
    .default(/\b(invalid|expired|unknown|revoked|missing|no)\b.*\btoken\b|\btoken\b.*\b(invalid|expired|not valid|unknown|revoked|missing|required)\b|\bunauthori[sz]ed\b|\bunauthenticated\b/i),
});

/** What `thinksurance(options)` accepts. */
export type ThinksuranceOptions = z.input<typeof thinksuranceOptions>;

/** The server's reason from a JSON `{ error }` body of a refused login (401/403). */
function jsonError(response: HttpResponse): string | undefined {
  try {
    return errorOf(JSON.parse(response.text()));
  } catch {
    return undefined;
  }
}

/**
 * The Thinksurance API V1 provider: logs in with `POST /api/token` and its `hash` and `secret`,
 * reads the token's `expired` time in `timeZone`, and sends the token as
 * `Authorization: Bearer <token>` to `baseUrl`'s origin only.
 *
 * @example
 * const provider = thinksurance({ baseUrl: 'https://app.dev.thinksurance.de', hash: process.env.THINKSURANCE_HASH!, secret: process.env.THINKSURANCE_SECRET! });
 * const fetch = createAuthFetch(provider);
 */
export const thinksurance = defineProvider({
  name: PROVIDER,
  options: thinksuranceOptions,
  setup: (options) => {
    const login = `${options.baseUrl.replace(/\/+$/, '')}/api/token`;
    const secrets = [options.hash, options.secret];
    // A wrong zone or clock shows on every login; one warning per kind of problem says it.
    const warned = new Set<string>();
    const source: TokenSource = {
      provider: PROVIDER,
      cacheKey: cacheKeyOf(PROVIDER, login, options.hash),
      async acquire({ http, emit }) {
        const request: TokenRequest = { hash: options.hash, secret: options.secret };
        const response = assertLoginOk(
          await http.request({
            url: login,
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify(request),
          }),
          { provider: PROVIDER, reason: jsonError },
        );
        const body = readJson(response, PROVIDER);
        const ok = tokenResponse.safeParse(body);
        const token = ok.success ? ok.data : tokenOnly.safeParse(body).data;
        if (!token) {
          // The documented failure: HTTP 200 with { error }, e.g. "API User is not existing or deactivated."
          const reason = errorOf(body);
          if (reason !== undefined) {
            // previewBody: one line of at most 200 characters, whatever the server sent. The engine
            // replaces retryAfterMs with its own cool-down.
            throw new CredentialsRejectedError({ provider: PROVIDER, status: response.status, reason: previewBody(reason, secrets, 200), retryAfterMs: 30_000 });
          }
          const empty = (body as { token?: unknown } | null)?.token === '';
          throw new InvalidTokenResponseError({
            provider: PROVIDER,
            status: response.status,
            problem: empty ? 'the "token" is empty' : 'the JSON has neither a "token" nor an "error" string',
            preview: response.preview(),
          });
        }
        const { expiresAt, problem } = tokenExpiry({
          expired: ok.success ? ok.data.expired : undefined,
          receivedAt: response.receivedAt,
          serverDate: response.serverDate,
          timeZone: options.timeZone,
          lifetimeMs: options.lifetimeMs,
          toleranceMs: options.lifetimeToleranceMs,
        });
        if (problem && !warned.has(problem.kind)) {
          warned.add(problem.kind);
          emit('warning', { provider: PROVIDER, message: `${PROVIDER}: ${problem.message}.` });
        }
        return { value: token.token, scheme: options.scheme, issuedAt: response.receivedAt, expiresAt };
      },
    };
    // Not enumerable: the engine reads it, but JSON.stringify and util.inspect of the provider skip it.
    Object.defineProperty(source, 'secrets', { value: secrets });
    return { origins: [options.baseUrl], presenter: thinksurancePresenter(options), source };
  },
});
