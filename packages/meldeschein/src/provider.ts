import {
  InvalidTokenResponseError,
  assertLoginOk,
  cacheKeyOf,
  defineProvider,
  headerPresenter,
  jwtExpiry,
  readJson,
  type HttpResponse,
} from '@tokenwarden/auth-core';
import { z } from 'zod';
import { errorBody, loginResponse, type LoginRequest } from './schemas.js';

const PROVIDER = 'meldeschein';

/** Options of the meldeschein provider. */
export const meldescheinOptions = z.object({
  /** Base URL of the meldeschein API, e.g. `https://api.meldeschein.example`; the token goes to this origin only. */
  baseUrl: z.url(),
  /** Login name. */
  username: z.string().min(1),
  /** Password; never logged, never part of an error. */
  password: z.string().min(1),
  /** Token lifetime in milliseconds when the token carries no `exp` claim (default one hour). */
  fallbackLifetimeMs: z.number().int().positive().default(3_600_000),
});

/** What `meldeschein(options)` accepts. */
export type MeldescheinOptions = z.input<typeof meldescheinOptions>;

/** The server's own reason for a refused login, if its body has one. */
function refusal(response: HttpResponse): string | undefined {
  try {
    const parsed = errorBody.safeParse(JSON.parse(response.text()));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The meldeschein provider: logs in with `POST /login` and sends the token as
 * `Authorization: Bearer <token>` to `baseUrl`'s origin only.
 *
 * @example
 * const provider = meldeschein({ baseUrl: 'https://api.meldeschein.example', username: 'me', password: process.env.MELDESCHEIN_PASSWORD! });
 * const fetch = createAuthFetch(provider);
 */
export const meldeschein = defineProvider({
  name: PROVIDER,
  options: meldescheinOptions,
  setup: (options) => {
    const login = new URL('/login', options.baseUrl);
    return {
      origins: [options.baseUrl],
      presenter: headerPresenter({ scheme: 'Bearer' }),
      source: {
        provider: PROVIDER,
        cacheKey: cacheKeyOf(PROVIDER, new URL(options.baseUrl).origin, options.username),
        secrets: [options.password],
        async acquire({ http }) {
          const request: LoginRequest = { username: options.username, password: options.password };
          const response = assertLoginOk(
            await http.request({
              url: login,
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json' },
              body: JSON.stringify(request),
            }),
            { provider: PROVIDER, reason: refusal },
          );
          const parsed = loginResponse.safeParse(readJson(response, PROVIDER));
          if (!parsed.success) {
            throw new InvalidTokenResponseError({ provider: PROVIDER, status: response.status, problem: 'the JSON has no "token" string' });
          }
          const { token } = parsed.data;
          const { issuedAt, expiresAt } = jwtExpiry(token, {
            receivedAt: response.receivedAt,
            serverDate: response.serverDate,
            fallbackLifetimeMs: options.fallbackLifetimeMs,
          });
          return { value: token, scheme: 'Bearer', issuedAt, expiresAt };
        },
      },
    };
  },
});
