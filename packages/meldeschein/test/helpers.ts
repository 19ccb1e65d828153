import { afterEach, beforeEach } from '@jest/globals';
import type { TokenManagerOptions } from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import axios, { type AxiosInstance } from 'axios';
import { meldeschein, type MeldescheinOptions } from '../src/provider.js';
import { startFakeMeldescheinServer, type FakeMeldescheinServer } from '../src/testing/index.js';

/** What the tests identify themselves as. */
export const USER_AGENT = 'acme-pms/2.1 (it@acme.example)';

/** Retries milliseconds apart, so a failing login costs no wall-clock time. */
export const ENGINE: TokenManagerOptions = { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50 } };

type Meldeschein = ReturnType<typeof meldeschein>;

/**
 * A fresh fake server per test, providers built against it, and axios instances attached to
 * them — all closed, disposed and detached after each test.
 */
export function useFakeServer() {
  let current: FakeMeldescheinServer | undefined;
  const providers: Meldeschein[] = [];
  const detachers: (() => void)[] = [];
  beforeEach(async () => {
    current = await startFakeMeldescheinServer();
  });
  afterEach(async () => {
    for (const detach of detachers.splice(0)) detach();
    for (const provider of providers.splice(0)) provider.manager.dispose();
    await current?.close();
  });
  const fixture = {
    get server(): FakeMeldescheinServer {
      if (!current) throw new Error('no server outside a test');
      return current;
    },
    /** A provider with the server's credentials and `USER_AGENT`, overridden by `options`. */
    provider(options: Partial<MeldescheinOptions> = {}, engine: TokenManagerOptions = ENGINE): Meldeschein {
      const provider = meldeschein({ baseUrl: fixture.server.url, ...fixture.server.credentials, userAgent: USER_AGENT, ...options }, engine);
      providers.push(provider);
      return provider;
    },
    /** A new axios instance with `provider` attached. */
    axios(provider: Meldeschein): AxiosInstance {
      const instance = axios.create();
      detachers.push(attachAxios(instance, provider));
      return instance;
    },
  };
  return fixture;
}
