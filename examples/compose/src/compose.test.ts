import { startFakeMittwaldServer } from '@tokenwarden/mittwald/testing';
import { startFakeThinksuranceServer } from '@tokenwarden/thinksurance/testing';
import { composeClients } from './compose.js';

/** Both fake servers and the composed clients, torn down afterwards whatever happens. */
async function withClients(
  body: (ctx: {
    mw: Awaited<ReturnType<typeof startFakeMittwaldServer>>;
    ts: Awaited<ReturnType<typeof startFakeThinksuranceServer>>;
    clients: ReturnType<typeof composeClients>;
  }) => Promise<void>,
): Promise<void> {
  const mw = await startFakeMittwaldServer();
  const ts = await startFakeThinksuranceServer();
  const clients = composeClients({
    mittwald: { baseUrl: mw.url, uuid: mw.accessToken.uuid, token: mw.accessToken.token },
    thinksurance: { baseUrl: ts.url, hash: ts.credentials.hash, secret: ts.credentials.secret },
  });
  try {
    await body({ mw, ts, clients });
  } finally {
    clients.close();
    await mw.close();
    await ts.close();
  }
}

describe('composing mittwald and thinksurance in one application', () => {
  it('gives each request the token of its origin through one axios instance and one fetch, with one login per provider', async () => {
    await withClients(async ({ mw, ts, clients }) => {
      const responses = await Promise.all([
        ...Array.from({ length: 10 }, () => clients.http.get(`${mw.url}${mw.protectedPath}`)),
        ...Array.from({ length: 10 }, () => clients.http.get(`${ts.url}${ts.protectedPath}`)),
        clients.fetch(`${mw.url}${mw.protectedPath}`),
        clients.fetch(`${ts.url}${ts.protectedPath}`),
      ]);
      expect(responses.map((r) => r.status)).toEqual(Array(22).fill(200));
      expect([mw.counters.logins, ts.counters.logins]).toEqual([1, 1]);
      const [mwProvider, tsProvider] = clients.registry.providers;
      expect(mwProvider!.manager.peek()!.value).not.toBe(tsProvider!.manager.peek()!.value);
    });
  });

  it('recovers each API from its own revocation with one refresh, leaving the other untouched', async () => {
    await withClients(async ({ mw, ts, clients }) => {
      await clients.http.get(`${mw.url}${mw.protectedPath}`);
      await clients.http.get(`${ts.url}${ts.protectedPath}`);
      ts.revokeAll();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => clients.http.get(`${i % 2 ? mw.url + mw.protectedPath : ts.url + ts.protectedPath}`)));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect([mw.counters.logins, ts.counters.logins]).toEqual([1, 2]);
    });
  });
});
