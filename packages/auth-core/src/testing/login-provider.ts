import { z } from 'zod';
import { assertLoginOk, readJson } from '../http.js';
import { InvalidTokenResponseError } from '../errors.js';
import { jwtExpiry } from '../jwt.js';
import { headerPresenter } from '../presenter.js';
import { defineProvider } from '../provider.js';
import { cacheKeyOf } from '../cache-key.js';

/**
 * A minimal provider for the fake login server: what a provider plugin looks like, and what
 * auth-core's own tests and the demo run against.
 */
export const fakeLoginProvider = defineProvider({
  name: 'fake-login',
  options: z.object({
    baseUrl: z.url(),
    username: z.string().min(1),
    password: z.string().min(1),
    /** Used when the token carries no `exp` (default one hour). */
    fallbackLifetimeMs: z.number().int().positive().default(3_600_000),
  }),
  setup: (options) => {
    const login = new URL('/login', options.baseUrl);
    return {
      origins: [options.baseUrl],
      presenter: headerPresenter({ scheme: 'Bearer' }),
      source: {
        provider: 'fake-login',
        cacheKey: cacheKeyOf('fake-login', options.baseUrl, options.username),
        secrets: [options.password],
        async acquire({ http }) {
          const response = assertLoginOk(
            await http.request({
              url: login,
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json' },
              body: JSON.stringify({ username: options.username, password: options.password }),
            }),
            { provider: 'fake-login' },
          );
          const body = readJson(response, 'fake-login');
          const token = (body as { token?: unknown } | null)?.token;
          if (typeof token !== 'string') {
            throw new InvalidTokenResponseError({ provider: 'fake-login', status: response.status, problem: 'the JSON has no "token" string' });
          }
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
