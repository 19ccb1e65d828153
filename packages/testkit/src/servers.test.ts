import { request } from 'node:http';
import { readBody, sendJson, startServer, type RunningServer } from '@tokenwarden/auth-core/testing';
import { REDIRECT_PATH, carriesAny, startRecordingServer, startRedirectingFront, type RecordedRequest } from './servers.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function started<T extends RunningServer>(server: Promise<T>): Promise<T> {
  const s = await server;
  servers.push(s);
  return s;
}

/** One request with node:http (no redirect following), resolved with status, headers and body. */
function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('startRecordingServer', () => {
  it('binds 127.0.0.1 and records method, path with query, header lines and body of what it receives', async () => {
    const server = await started(startRecordingServer());
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await send(`${server.url}/x?y=1`, { method: 'POST', headers: { 'X-Api-Key': 'k-123' }, body: 'hello' });
    expect(answer.status).toBe(200);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/x?y=1', body: 'hello' });
    expect(server.requests[0]!.headers).toContain('X-Api-Key: k-123');
  });
});

describe('startRedirectingFront', () => {
  it('forwards method, path, headers and body to its target and the answer back', async () => {
    const target = await started(
      startServer(async (req, res) => {
        sendJson(res, 201, { method: req.method, url: req.url, auth: req.headers.authorization, body: await readBody(req) }, { 'x-from': 'target' });
      }),
    );
    const front = await started(startRedirectingFront(target));
    const answer = await send(`${front.url}/api/thing?a=b`, { method: 'PUT', headers: { authorization: 'Bearer t' }, body: '{"n":1}' });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-from']).toBe('target');
    expect(JSON.parse(answer.body)).toEqual({ method: 'PUT', url: '/api/thing?a=b', auth: 'Bearer t', body: '{"n":1}' });
  });

  it(`answers ${REDIRECT_PATH}?to=<url> with 302 to <url> and records that first hop`, async () => {
    const target = await started(startRecordingServer());
    const front = await started(startRedirectingFront(target));
    const answer = await send(front.redirectTo('http://127.0.0.1:9/landing?q=1'), { headers: { authorization: 'Bearer t' } });
    expect(answer.status).toBe(302);
    expect(answer.headers['location']).toBe('http://127.0.0.1:9/landing?q=1');
    expect(front.redirects).toHaveLength(1);
    expect(front.redirects[0]!.headers).toContain('authorization: Bearer t');
    expect(target.requests).toHaveLength(0);
  });
});

describe('carriesAny', () => {
  const req = (over: Partial<RecordedRequest>): RecordedRequest => ({ method: 'GET', url: '/', headers: [], body: '', ...over });

  it('finds a value in a header, the body, or the query (also percent-encoded)', () => {
    expect(carriesAny(req({ headers: ['Authorization: Bearer abc.def+/='] }), ['abc.def+/='])).toBe(true);
    expect(carriesAny(req({ body: 'token=abc' }), ['abc'])).toBe(true);
    expect(carriesAny(req({ url: `/x?access_token=${encodeURIComponent('abc+/=')}` }), ['abc+/='])).toBe(true);
  });

  it('finds nothing in a request without the values, and ignores empty values', () => {
    expect(carriesAny(req({ headers: ['Accept: */*'], url: '/landing' }), ['abc', ''])).toBe(false);
  });
});
