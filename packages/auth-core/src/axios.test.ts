import { Readable } from 'node:stream';
import axios, { AxiosError } from 'axios';
import { attachAxios } from './axios.js';
import { TokenRejectedError } from './errors.js';
import { startServer, type RunningServer } from './testing/index.js';
import { PASSWORD, expectNoSecrets, rejection, setup } from '../test/support.js';

type Setup = Awaited<ReturnType<typeof setup>>;
let ctx: Setup;
let other: RunningServer;
const otherSeen: (string | undefined)[] = [];

beforeEach(async () => {
  ctx = await setup();
  otherSeen.length = 0;
  other = await startServer((req, res) => {
    otherSeen.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ other: true, url: req.url }));
  });
});
afterEach(async () => {
  await ctx.close();
  await other.close();
});

const client = () => {
  const instance = axios.create({ baseURL: ctx.server.url });
  attachAxios(instance, ctx.provider);
  return instance;
};

describe('attachAxios', () => {
  it('adds the token to requests for the provider origin and logs in once for 20 parallel requests', async () => {
    const api = client();
    const results = await Promise.all(Array.from({ length: 20 }, () => api.get('/api/data')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(ctx.server.counters.logins).toBe(1);
    expect(ctx.server.seen[0]!.headers.authorization).toBe(`Bearer ${ctx.manager.peek()!.value}`);
  });

  it('recovers 50 simultaneous 401s for the same token with exactly 1 refresh, each request retried once', async () => {
    const api = client();
    await api.get('/api/data');
    ctx.server.revokeAll();
    const before = ctx.server.counters.apiCalls;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => api.get(`/api/data?i=${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(ctx.server.counters.logins).toBe(2);
    expect(ctx.server.counters.rejected).toBe(50);
    expect(ctx.server.counters.apiCalls - before).toBe(100);
  });

  it("recovers a 401 that the caller's validateStatus accepts as a response", async () => {
    const api = client();
    await api.get('/api/data');
    ctx.server.revokeAll();
    const res = await api.get('/api/data', { validateStatus: () => true });
    expect(res.status).toBe(200);
    expect(ctx.server.counters.logins).toBe(2);
  });

  it('does not retry a second time when the request is rejected again after the refresh', async () => {
    const api = client();
    await api.get('/api/data');
    // Every token is refused from now on, fresh ones too: the retry fails as well.
    ctx.server.settings.acceptTokens = false;
    const error = await rejection(api.get('/api/data'));
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error).toMatchObject({ status: 401, method: 'GET' });
    expect(ctx.server.counters.rejected).toBe(2);
  });

  it.each([
    ['a JSON object', () => ({ hello: 'world', n: [1, 2, 3] })],
    ['a Buffer', () => Buffer.from([0, 1, 2, 250, 251, 252])],
    [
      'FormData',
      () => {
        const form = new FormData();
        form.append('field', 'value');
        form.append('file', new Blob(['file body']), 'a.txt');
        return form;
      },
    ],
  ])('replays %s byte-identical on the retry', async (_label, body) => {
    const api = client();
    await api.get('/api/data');
    ctx.server.revokeAll();
    await api.post('/api/upload', body());
    const [rejected, retried] = ctx.server.seen.slice(-2);
    expect(rejected!.body.length).toBeGreaterThan(0);
    expect(retried!.body).toBe(rejected!.body);
    expect(retried!.headers['content-type']).toBe(rejected!.headers['content-type']);
  });

  it('does not retry a request whose body was a stream: the original 401 comes back', async () => {
    const api = client();
    await api.get('/api/data');
    ctx.server.revokeAll();
    const error = await rejection(api.post('/api/upload', Readable.from([Buffer.from('streamed')])));
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(ctx.server.counters.rejected).toBe(1);
  });

  it('never sends the token to another origin: absolute URL, protocol-relative URL, redirect to another port', async () => {
    const api = client();
    await api.get(`${other.url}/absolute`);
    // axios cannot send protocol-relative URLs from Node; what matters is that no token was fetched for it.
    await expect(api.get(`//127.0.0.1:${other.port}/protocol-relative`)).rejects.toThrow('Invalid URL');
    expect(ctx.server.counters.logins).toBe(0);
    await api.get(`/redirect?to=${encodeURIComponent(`${other.url}/redirected`)}`);
    await api.get(`/redirect?to=${encodeURIComponent(`http://localhost:${other.port}/other-host`)}`);
    expect(otherSeen).toEqual([undefined, undefined, undefined]);
    expect(ctx.server.counters.logins).toBe(1); // the redirecting requests got one
  });

  it('adds nothing to requests without a resolvable URL or for other origins, and stops after eject', async () => {
    const instance = axios.create();
    const eject = attachAxios(instance, ctx.provider);
    await instance.get(`${other.url}/x`);
    eject();
    const res = await instance.get(`${ctx.server.url}/api/data`, { validateStatus: () => true });
    expect(res.status).toBe(401);
    expect(ctx.server.counters.logins).toBe(0);
  });

  it('keeps the token and the password out of a failed request error (config, request, JSON, inspect)', async () => {
    const api = client();
    const token = (await ctx.manager.getToken()).value;
    const error = await rejection(api.get('/nothing-here'));
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(404);
    expect((error as AxiosError).config?.headers.Authorization).toBe('[redacted]');
    expect((error as AxiosError).request).toBeDefined();
    expectNoSecrets(error, [token, PASSWORD]);
  });

  it('passes login failures through as typed errors without secrets', async () => {
    const api = client();
    ctx.server.settings.password = 'changed-on-the-server';
    const error = await rejection(api.get('/api/data'));
    expect((error as { code?: string }).code).toBe('CREDENTIALS_REJECTED');
    expectNoSecrets(error, [PASSWORD]);
  });
});
