import { inspect } from 'node:util';
import { createAuthFetch, type Logger, type TokenEventName, type TokenManagerOptions } from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import axios, { type AxiosInstance } from 'axios';
import { mittwald, type MittwaldOptions } from '../src/index.js';
import { startFakeMittwaldServer, type FakeMittwaldServerOptions } from '../src/testing/index.js';

/** Retries milliseconds apart, so failure tests take milliseconds. */
export const ENGINE = { retry: { baseDelayMs: 5, maxDelayMs: 50 } } as const satisfies TokenManagerOptions;

const EVENTS: readonly TokenEventName[] = ['acquired', 'refreshFailed', 'rejected', 'rateLimit', 'warning'];

type Credentials = 'password' | 'access token';
type Extra = Omit<MittwaldOptions, 'baseUrl' | 'username' | 'password' | 'uuid' | 'token'>;

/**
 * A fake server, a provider against it, its fetch and axios clients, and everything it logged
 * and emitted. `close` disposes and closes everything.
 */
export async function setup(init: { server?: FakeMittwaldServerOptions; options?: Extra; engine?: TokenManagerOptions; credentials?: Credentials } = {}) {
  const server = await startFakeMittwaldServer(init.server);
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const credentials =
    init.credentials === 'access token'
      ? { uuid: server.accessToken.uuid, token: server.accessToken.token }
      : { username: server.credentials.username, password: server.credentials.password };
  const provider = mittwald({ baseUrl: server.url, ...init.options, ...credentials } as MittwaldOptions, { ...ENGINE, logger, ...init.engine });
  const events: { name: TokenEventName; payload: unknown }[] = [];
  for (const name of EVENTS) provider.manager.on(name, (payload) => void events.push({ name, payload }));
  /** Every token value the provider obtained. */
  const tokens = new Set<string>();
  provider.manager.on('acquired', () => {
    const token = provider.manager.peek();
    if (token) tokens.add(token.value);
  });
  const client: AxiosInstance = axios.create({ baseURL: server.url });
  const detach = attachAxios(client, provider);
  return {
    server,
    provider,
    fetch: createAuthFetch(provider),
    axios: client,
    lines,
    events,
    tokens,
    /** Everything logged and emitted, as one text to search for secrets. */
    transcript: () => [...lines, ...events.map((e) => `${e.name} ${inspect(e.payload, { depth: 5 })} ${JSON.stringify(e.payload)}`)].join('\n'),
    close: async () => {
      detach();
      provider.manager.dispose();
      await server.close();
    },
  };
}

export type Setup = Awaited<ReturnType<typeof setup>>;
