import { Readable } from 'node:stream';
import { createAuthFetch } from './fetch.js';
import { TokenRejectedError } from './errors.js';
import { headerPresenter } from './presenter.js';
import { createProvider } from './provider.js';
import { startServer, type RunningServer } from './testing/index.js';
import { PASSWORD, expectNoSecrets, rejection, setup } from '../test/support.js';

type Setup = Awaited<ReturnType<typeof setup>>;
let ctx: Setup;
let other: RunningServer;
const otherSeen: Record<string, string | string[] | undefined>[] = [];

beforeEach(async () => {
  ctx = await setup();
  otherSeen.length = 0;
  other = await startServer((req, res) => {
    otherSeen.push(req.headers);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('other');
  });
});
afterEach(async () => {
  await ctx.close();
  await other.close();
});

describe('createAuthFetch', () => {
  it('adds the token for the provider origin and passes other origins through untouched', async () => {
    const authFetch = createAuthFetch(ctx.provider);
    const res = await authFetch(`${ctx.server.url}/api/data`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
    await authFetch(`${other.url}/x`);
    expect(otherSeen[0]!.authorization).toBeUndefined();
    expect(ctx.server.counters.logins).toBe(1);
  });

  it('recovers 50 simultaneous 401s with exactly 1 refresh', async () => {
    const authFetch = createAuthFetch(ctx.provider);
    await authFetch(`${ctx.server.url}/api/data`);
    ctx.server.revokeAll();
    const results = await Promise.all(Array.from({ length: 50 }, () => authFetch(`${ctx.server.url}/api/data`)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(ctx.server.counters.logins).toBe(2);
    expect(ctx.server.counters.rejected).toBe(50);
  });

  it('replays a string body byte-identical and throws TokenRejectedError when rejected again', async () => {
    const authFetch = createAuthFetch(ctx.provider);
    await authFetch(`${ctx.server.url}/api/data`);
    ctx.server.revokeAll();
    await authFetch(`${ctx.server.url}/api/upload`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    const [rejected, retried] = ctx.server.seen.slice(-2);
    expect(retried!.body).toBe(rejected!.body);
    ctx.server.settings.acceptTokens = false;
    const error = await rejection(authFetch(`${ctx.server.url}/api/data`));
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error).toMatchObject({ apiCode: undefined, status: 401 });
    expectNoSecrets(error, [ctx.manager.peek()?.value ?? 'none', PASSWORD]);
  });

  it('returns the original 401 for a stream body instead of retrying it', async () => {
    const authFetch = createAuthFetch(ctx.provider);
    await authFetch(`${ctx.server.url}/api/data`);
    ctx.server.revokeAll();
    const body = Readable.toWeb(Readable.from([Buffer.from('streamed')])) as ReadableStream;
    const res = await authFetch(`${ctx.server.url}/api/upload`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(401);
    expect(ctx.server.counters.rejected).toBe(1);
  });

  it('does not forward the token across a redirect to another port', async () => {
    const authFetch = createAuthFetch(ctx.provider);
    const res = await authFetch(`${ctx.server.url}/redirect?to=${encodeURIComponent(`${other.url}/landed`)}`);
    expect(await res.text()).toBe('other');
    expect(otherSeen).toHaveLength(1);
    expect(otherSeen[0]!.authorization).toBeUndefined();
  });

  it('strips a custom token header on a cross-origin redirect (axios-style header stripping would miss it)', async () => {
    const base = ctx.provider;
    const custom = createProvider('custom-header', {
      source: { provider: 'custom-header', cacheKey: 'custom', acquire: () => base.manager.getToken() },
      presenter: headerPresenter({ header: 'X-Api-Token', scheme: 'Token' }),
      origins: [ctx.server.url],
    });
    const authFetch = createAuthFetch(custom);
    await authFetch(`${ctx.server.url}/redirect?to=${encodeURIComponent(`${other.url}/landed`)}`);
    expect(otherSeen[0]!['x-api-token']).toBeUndefined();
    custom.manager.dispose();
  });
});
