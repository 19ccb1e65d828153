// A provider for the fake login server with switchable defects, to show that the suite catches
// each of them. Without quirks it is a faithful copy of auth-core's reference provider.
import {
  CredentialsRejectedError,
  InvalidTokenResponseError,
  LoginFailedError,
  TokenManager,
  assertLoginOk,
  cacheKeyOf,
  headerPresenter,
  jwtExpiry,
  readJson,
  type AccessToken,
  type Provider,
  type TokenSource,
} from '@tokenwarden/auth-core';
import { startFakeLoginServer, type FakeLoginServer } from '@tokenwarden/auth-core/testing';
import type { ConformanceOptions } from '../src/index.js';

export interface Quirks {
  /** Builds a new manager (and so logs in) on every access of `provider.manager`. */
  readonly managerPerCall?: boolean;
  /** Ignores the server's expiry and assumes tokens live one hour. */
  readonly fixedLifetime?: boolean;
  /** Declares no secrets (so the engine cannot redact them) and puts the password into the rejection reason. */
  readonly leaksPassword?: boolean;
  /** Parses the login answer with JSON.parse and throws plain errors. */
  readonly plainErrors?: boolean;
  /** Keeps the first token it got and hands it out on every later login. */
  readonly ownCache?: boolean;
  /** Reports a rejected login as a transient failure. */
  readonly rejectionAsOutage?: boolean;
  /** Never recognises a rejected token. */
  readonly blindToRejection?: boolean;
  /** Claims every URL as its own. */
  readonly everyOrigin?: boolean;
}

const NAME = 'broken-login';

function source(baseUrl: string, username: string, password: string, quirks: Quirks): TokenSource {
  let cached: AccessToken | undefined;
  return {
    provider: NAME,
    cacheKey: cacheKeyOf(NAME, baseUrl, username),
    secrets: quirks.leaksPassword ? [] : [password],
    async acquire({ http }) {
      if (quirks.ownCache && cached) return cached;
      const answer = await http.request({
        url: new URL('/login', baseUrl),
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (answer.status === 401 && quirks.leaksPassword) {
        throw new CredentialsRejectedError({ provider: NAME, reason: `${username}/${password} was refused`, retryAfterMs: 30_000 });
      }
      if (answer.status === 401 && quirks.rejectionAsOutage) throw new LoginFailedError({ provider: NAME, problem: 'HTTP 401' });
      const response = assertLoginOk(answer, { provider: NAME });
      const body = quirks.plainErrors ? (JSON.parse(response.text()) as unknown) : readJson(response, NAME);
      const token = (body as { token?: unknown } | null)?.token;
      if (typeof token !== 'string') {
        if (quirks.plainErrors) throw new Error('no token');
        throw new InvalidTokenResponseError({ provider: NAME, status: response.status, problem: 'the JSON has no "token" string' });
      }
      const { issuedAt, expiresAt } = quirks.fixedLifetime
        ? { issuedAt: response.receivedAt, expiresAt: response.receivedAt + 3_600_000 }
        : jwtExpiry(token, { receivedAt: response.receivedAt, serverDate: response.serverDate, fallbackLifetimeMs: 3_600_000 });
      cached = { value: token, scheme: 'Bearer', issuedAt, expiresAt };
      return cached;
    },
  };
}

/** Conformance options for the fake login server with a provider that has `quirks`. */
export function brokenProvider(quirks: Quirks): ConformanceOptions<FakeLoginServer> {
  return {
    name: NAME,
    startServer: () => startFakeLoginServer(),
    createProvider(server, { credentials, engine }) {
      const password = credentials === 'valid' ? server.settings.password : `${server.settings.password}-wrong`;
      const tokenSource = source(server.url, server.settings.username, password, quirks);
      const presenter = headerPresenter({ scheme: 'Bearer' });
      const manager = new TokenManager(tokenSource, engine);
      const provider: Provider = {
        name: NAME,
        presenter: quirks.blindToRejection ? { ...presenter, isRejected: () => false } : presenter,
        origins: [server.url],
        get manager() {
          return quirks.managerPerCall ? new TokenManager(tokenSource, engine) : manager;
        },
        providerFor: (url) => (quirks.everyOrigin || url.origin === server.url ? provider : undefined),
      };
      return provider;
    },
    secrets: (server) => [server.settings.password],
  };
}
