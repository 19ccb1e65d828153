import { inspect } from 'node:util';
import { z } from 'zod';
import axios from 'axios';
import { attachAxios } from './axios.js';
import { InvalidOptionsError } from './errors.js';
import { headerPresenter } from './presenter.js';
import { createProvider, defineProvider } from './provider.js';
import { createRegistry } from './registry.js';
import { createAuthFetch } from './fetch.js';
import { MemoryStore } from './memory-store.js';
import { fakeLoginProvider, startFakeLoginServer } from './testing/index.js';
import { expectNoSecrets } from '../test/support.js';

describe('defineProvider', () => {
  const acme = defineProvider({
    name: 'acme',
    options: z.object({ baseUrl: z.url(), apiKey: z.string().min(10), retries: z.number().int() }),
    setup: (o) => ({
      origins: [o.baseUrl],
      presenter: headerPresenter(),
      source: { provider: 'acme', cacheKey: 'acme', acquire: async () => ({ value: 'x', scheme: 'Bearer', issuedAt: 0, expiresAt: Date.now() + 1000 }) },
      api: () => ({ hello: () => 'hi' }),
    }),
  });

  it('reports every invalid field at once, by path, without echoing a value', () => {
    let error: unknown;
    try {
      acme({ baseUrl: 'not a url', apiKey: 'short-key', retries: 1.5 } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues.map((i) => i.path)).toEqual(['baseUrl', 'apiKey', 'retries']);
    expectNoSecrets(error, ['short-key', 'not a url']);
  });

  it('builds a provider with its manager, normalized origins and extra API', () => {
    const provider = acme({ baseUrl: 'https://API.acme.test/v1/', apiKey: '0123456789', retries: 1 });
    expect(provider.origins).toEqual(['https://api.acme.test']);
    expect(provider.hello()).toBe('hi');
    // Serializing a provider (e.g. in a log line) shows state, not the source or its token.
    expect(JSON.stringify(provider)).toContain('"hasToken":false');
    expect(inspect(provider)).toContain('TokenManager {');
    expect(provider.providerFor(new URL('https://api.acme.test/x'))).toBe(provider);
    expect(provider.providerFor(new URL('https://api.acme.test:8443/x'))).toBeUndefined();
    provider.manager.dispose();
  });
});

describe('createRegistry', () => {
  it('refuses two providers claiming the same origin, naming both', () => {
    const a = fakeLoginProvider({ baseUrl: 'http://127.0.0.1:1', username: 'a', password: 'pa' });
    const b = fakeLoginProvider({ baseUrl: 'http://127.0.0.1:1/other', username: 'b', password: 'pb' });
    expect(() => createRegistry([a, b])).toThrow(/fake-login claims http:\/\/127\.0\.0\.1:1, which fake-login already serves/);
  });

  it('gives each request the token of its origin through one axios instance and one fetch', async () => {
    const one = await startFakeLoginServer({ password: 'pw-one' });
    const two = await startFakeLoginServer({ password: 'pw-two' });
    const store = new MemoryStore();
    const p1 = fakeLoginProvider({ baseUrl: one.url, username: 'demo', password: 'pw-one' }, { store });
    const p2 = fakeLoginProvider({ baseUrl: two.url, username: 'demo', password: 'pw-two' }, { store });
    try {
      const registry = createRegistry([p1, p2]);
      const api = axios.create();
      attachAxios(api, registry);
      const authFetch = createAuthFetch(registry);
      expect((await api.get(`${one.url}/api/a`)).status).toBe(200);
      expect((await authFetch(`${two.url}/api/b`)).status).toBe(200);
      expect(one.seen[0]!.headers.authorization).toBe(`Bearer ${p1.manager.peek()!.value}`);
      expect(two.seen[0]!.headers.authorization).toBe(`Bearer ${p2.manager.peek()!.value}`);
      expect([one.counters.logins, two.counters.logins]).toEqual([1, 1]);
      expect(store.size).toBe(2);
    } finally {
      p1.manager.dispose();
      p2.manager.dispose();
      await one.close();
      await two.close();
    }
  });
});

describe('Presenter.observe', () => {
  it('sees every response to a token-bearing request through axios and fetch, and can report events', async () => {
    const server = await startFakeLoginServer({ password: 'pw' });
    const base = fakeLoginProvider({ baseUrl: server.url, username: 'demo', password: 'pw' });
    const observed: number[] = [];
    const provider = createProvider('observing', {
      source: { provider: 'observing', cacheKey: 'observing', acquire: () => base.manager.getToken() },
      presenter: {
        ...headerPresenter(),
        observe: (res, emit) => {
          observed.push(res.status);
          emit('rateLimit', { provider: 'observing', endpoint: res.url, limit: 10, remaining: 10 - observed.length });
        },
      },
      origins: [server.url],
    });
    const limits: number[] = [];
    provider.manager.on('rateLimit', (e) => limits.push(e.remaining));
    try {
      const api = axios.create({ baseURL: server.url });
      attachAxios(api, provider);
      await api.get('/api/one');
      await api.get('/missing', { validateStatus: () => true });
      await createAuthFetch(provider)(`${server.url}/api/two`);
      expect(observed).toEqual([200, 404, 200]);
      expect(limits).toEqual([9, 8, 7]);
    } finally {
      provider.manager.dispose();
      base.manager.dispose();
      await server.close();
    }
  });
});
