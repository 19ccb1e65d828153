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

const PROVIDER = 'thinksurance';

/** Options of the thinksurance provider. */
export const thinksuranceOptions = z.object({
  /** Base URL of the thinksurance API, e.g. `https://api.thinksurance.example`; the token goes to this origin only. */
  baseUrl: z.url(),
  /** Login name. */
  username: z.string().min(1),
  /** Password; never logged, never part of an error. */
  password: z.string().min(1),
  /** Token lifetime in milliseconds when the token carries no `exp` claim (default one hour). */
  fallbackLifetimeMs: z.number().int().positive().default(3_600_000),
});

/** What `thinksurance(options)` accepts. */
export type ThinksuranceOptions = z.input<typeof thinksuranceOptions>;

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
 * The thinksurance provider: logs in with `POST /login` and sends the token as
 * `Authorization: Bearer <token>` to `baseUrl`'s origin only.
 *
 * @example
 * const provider = thinksurance({ baseUrl: 'https://api.thinksurance.example', username: 'me', password: process.env.THINKSURANCE_PASSWORD! });
 * const fetch = createAuthFetch(provider);
 */
export const thinksurance = defineProvider({
  name: PROVIDER,
  options: thinksuranceOptions,
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
