import { InvalidOptionsError, TokenRejectedError, createAuthFetch, decodeJwt, type TokenEvents } from '@tokenwarden/auth-core';
import { signJwt } from '@tokenwarden/auth-core/testing';
import { rejectionOf, renderErrorText } from '@tokenwarden/testkit';
import { USER_AGENT, useFakeServer } from '../test/helpers.js';
import { MELDESCHEIN_URLS, apiRoot, meldeschein } from './provider.js';
import { parseXml } from './xml.js';

describe('options', () => {
  it('reports every invalid option at once without echoing the values', () => {
    let error: unknown;
    try {
      meldeschein({
        baseUrl: 'staging',
        username: '',
        password: 'secret-value-123',
        loginFormat: 'yaml' as 'json',
        fallbackLifetimeMs: -1,
      } as Parameters<typeof meldeschein>[0]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues.map((i) => i.path).sort()).toEqual(['baseUrl', 'fallbackLifetimeMs', 'loginFormat', 'userAgent', 'username']);
    expect(renderErrorText(error)).not.toContain('secret-value-123');
    expect(renderErrorText(error)).not.toContain('staging');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a line break (header injection)', 'acme\r\nX-Injected: 1'],
    ['non-ASCII', 'Müller-PMS'],
  ])('requires a User-Agent: refuses one that is %s', (_, userAgent) => {
    expect(() => meldeschein({ baseUrl: 'test', username: 'u', password: 'p', userAgent } as Parameters<typeof meldeschein>[0])).toThrow(
      /userAgent: is required: a User-Agent/,
    );
  });

  it('uses the documented presets and sends the token to their origin only', () => {
    const production = meldeschein({ baseUrl: 'production', username: 'u', password: 'p', userAgent: USER_AGENT });
    const test = meldeschein({ baseUrl: 'test', username: 'u', password: 'p', userAgent: USER_AGENT });
    expect([production.apiUrl, test.apiUrl]).toEqual([MELDESCHEIN_URLS.production, MELDESCHEIN_URLS.test]);
    expect(production.origins).toEqual(['https://api.meldescheine.de']);
    expect(test.origins).toEqual(['https://dev-api.meldescheine.de']);
    expect(production.url('/import/meldeschein/buchen/')).toBe('https://api.meldescheine.de/api/import/meldeschein/buchen/');
  });

  it.each([
    ['https://meldeschein.example', 'https://meldeschein.example/api/'],
    ['https://meldeschein.example/', 'https://meldeschein.example/api/'],
    ['https://meldeschein.example/api', 'https://meldeschein.example/api/'],
    ['https://meldeschein.example/api/', 'https://meldeschein.example/api/'],
    ['https://meldeschein.example/api//', 'https://meldeschein.example/api/'],
    ['https://meldeschein.example/tenant-1/', 'https://meldeschein.example/tenant-1/api/'],
    ['https://meldeschein.example/api/?x=1#y', 'https://meldeschein.example/api/'],
  ])('joins paths so {server}/api/ is never doubled: %s → %s', (baseUrl, root) => {
    expect(apiRoot(baseUrl)).toBe(root);
  });
});

describe('meldeschein provider over HTTP', () => {
  const fx = useFakeServer();

  const formats = [
    ['json', 'json'],
    ['json', 'xml'],
    ['form', 'json'],
    ['form', 'xml'],
    ['xml', 'json'],
    ['xml', 'xml'],
  ] as const;
  it.each(formats)('logs in with a %s body, reads a %s answer, and the token works', async (loginFormat, responseFormat) => {
    const provider = fx.provider({ loginFormat, responseFormat });
    const response = await createAuthFetch(provider)(fx.server.url + fx.server.paths.config);
    expect(response.status).toBe(200);

    const [login] = fx.server.logins;
    const { username, password } = fx.server.credentials;
    expect(login!.path).toBe('/api/token/');
    expect(login!.headers['accept']).toBe(`application/${responseFormat}`);
    const sent = {
      json: () => JSON.parse(login!.body) as unknown,
      form: () => Object.fromEntries(new URLSearchParams(login!.body)),
      xml: () => parseXml(login!.body, 65_536),
    }[loginFormat]();
    expect(sent).toEqual({ username, password });
    expect(login!.headers['content-type']).toBe({ json: 'application/json', form: 'application/x-www-form-urlencoded', xml: 'application/xml' }[loginFormat]);
    if (loginFormat === 'xml') expect(login!.body).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?><root><username>/);
    expect(fx.server.counters).toEqual({ logins: 1, apiCalls: 1, rejected: 0 });
  });

  it('asks for an XML answer by default when it logs in with XML', async () => {
    await fx.provider({ loginFormat: 'xml' }).manager.getToken();
    expect(fx.server.logins[0]!.headers['accept']).toBe('application/xml');
  });

  it('escapes the credentials in an XML login, so a username cannot inject a password element', async () => {
    const provider = fx.provider({ loginFormat: 'xml', username: `x</username><password>${fx.server.credentials.password}</password><username>` });
    const error = await rejectionOf(provider.manager.getToken());
    expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED' });
    expect(fx.server.logins[0]!.body).toContain('<username>x&lt;/username&gt;&lt;password&gt;');
  });

  it('refuses, before any login call, a password XML cannot carry when logging in with XML', async () => {
    const provider = fx.provider({ loginFormat: 'xml', password: 'bell\u0007-password' });
    const error = await rejectionOf(provider.manager.getToken());
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues).toEqual([{ path: 'password', message: 'contains a control character XML cannot carry' }]);
    expect(fx.server.counters.logins).toBe(0);
    expect(renderErrorText(error)).not.toContain('bell\u0007-password');
  });

  it('sends `Authorization: JWT <token>` and the User-Agent through fetch and axios, never Bearer', async () => {
    const provider = fx.provider();
    const url = fx.server.url + fx.server.paths.config;
    expect((await createAuthFetch(provider)(url)).status).toBe(200);
    expect((await fx.axios(provider).get(url)).status).toBe(200);
    const token = provider.manager.peek()!.value;
    expect(fx.server.requests.map((r) => [r.headers['authorization'], r.headers['user-agent']])).toEqual([
      [`JWT ${token}`, USER_AGENT],
      [`JWT ${token}`, USER_AGENT],
    ]);
    expect(fx.server.logins[0]!.headers['user-agent']).toBe(USER_AGENT);
    expect(provider.manager.peek()!.scheme).toBe('JWT');
  });

  it.each([
    ['Bearer <token>', (t: string) => `Bearer ${t}`],
    ['JWT<token> (no space)', (t: string) => `JWT${t}`],
    ['JWT  <token> (two spaces)', (t: string) => `JWT  ${t}`],
    ['jwt <token> (lower case)', (t: string) => `jwt ${t}`],
    ['the bare token', (t: string) => t],
  ])('the fake server refuses a valid token sent as %s', async (_, header) => {
    const token = (await fx.provider().manager.getToken()).value;
    const response = await fetch(fx.server.url + fx.server.paths.config, { headers: { Authorization: header(token) } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('JWT realm="api"');
    expect(fx.server.counters.rejected).toBe(1);
  });

  it('sends no User-Agent of its own with userAgent: false', async () => {
    const provider = fx.provider({ userAgent: false });
    await fx.axios(provider).get(fx.server.url + fx.server.paths.config);
    expect(fx.server.logins[0]!.headers['user-agent']).toBeUndefined();
    expect(fx.server.requests[0]!.headers['user-agent']).toMatch(/^axios\//);
  });

  it('sends the token as a `jwt` query parameter only when asked to, and redacts it from errors and events', async () => {
    const provider = fx.provider({ tokenIn: 'query' });
    const url = `${fx.server.url}${fx.server.paths.config}?page=1`;
    expect((await createAuthFetch(provider)(url)).status).toBe(200);
    const token = provider.manager.peek()!.value;
    expect(fx.server.requests[0]!.path).toBe(`/api/get-config/?page=1&jwt=${token}`);
    expect(fx.server.requests[0]!.headers['authorization']).toBeUndefined();
    expect(fx.server.requests[0]!.headers['user-agent']).toBe(USER_AGENT);

    // Every new token is revoked at once, so the retry is rejected too.
    provider.manager.on('acquired', () => fx.server.revokeAll());
    fx.server.revokeAll();
    const events: TokenEvents['rejected'][] = [];
    provider.manager.on('rejected', (event) => void events.push(event));
    const viaFetch = await rejectionOf(createAuthFetch(provider)(url));
    const viaAxios = await rejectionOf(fx.axios(provider).get(url));
    expect(viaFetch).toBeInstanceOf(TokenRejectedError);
    expect(viaAxios).toBeInstanceOf(TokenRejectedError);
    expect((viaFetch as TokenRejectedError).url).toBe(url);
    expect((viaFetch as TokenRejectedError).detail).toBe('Signature has expired.');
    const tokens = fx.server.requests.map((r) => new URL(r.path, fx.server.url).searchParams.get('jwt')!);
    // A succeeds; fetch: A refused, B refused; axios starts with B (still current): B refused, C refused.
    expect(tokens).toHaveLength(5);
    expect(new Set(tokens).size).toBe(3);
    for (const rendered of [renderErrorText(viaFetch), renderErrorText(viaAxios), JSON.stringify(events)]) {
      for (const t of tokens) expect(rendered).not.toContain(t);
    }
    expect(events.every((e) => !e.url.includes('jwt=ey'))).toBe(true);
  });

  it('takes the lifetime from the JWT claims, and the fallback lifetime when the token has no exp', async () => {
    fx.server.settings.lifetimeSec = 900;
    const withExp = await fx.provider().manager.getToken();
    expect(withExp.expiresAt - withExp.issuedAt).toBe(900_000);

    fx.server.settings.issueExp = false;
    const provider = fx.provider({ fallbackLifetimeMs: 120_000 });
    const withoutExp = await provider.manager.getToken();
    expect(decodeJwt(withoutExp.value).payload['exp']).toBeUndefined();
    expect(withoutExp.expiresAt - withoutExp.issuedAt).toBe(120_000);
    expect((await createAuthFetch(provider)(fx.server.url + fx.server.paths.config)).status).toBe(200);
  });

  it('logs in to {server}/api/token/ whether the server or its API root is configured', async () => {
    await fx.provider({ baseUrl: `${fx.server.url}/api/` }).manager.getToken();
    await fx.provider({ baseUrl: fx.server.url }).manager.getToken();
    expect(fx.server.logins.map((l) => l.path)).toEqual(['/api/token/', '/api/token/']);
  });

  it('recovers from one revoked token with exactly one new login (fetch and axios)', async () => {
    const provider = fx.provider();
    const url = fx.server.url + fx.server.paths.config;
    expect((await createAuthFetch(provider)(url)).status).toBe(200);
    fx.server.revoke(provider.manager.peek()!.value);
    expect((await fx.axios(provider).get(url)).status).toBe(200);
    fx.server.revokeAll();
    expect((await createAuthFetch(provider)(url)).status).toBe(200);
    expect(fx.server.counters).toEqual({ logins: 3, apiCalls: 5, rejected: 2 });
  });

  it('the fake server refuses a token with valid claims signed with another key', async () => {
    const forged = signJwt({ gen: 0, exp: Math.floor(Date.now() / 1000) + 600 }, 'another-secret');
    const response = await fetch(fx.server.url + fx.server.paths.config, { headers: { Authorization: `JWT ${forged}` } });
    expect(response.status).toBe(401);
    expect(fx.server.counters.rejected).toBe(1);
  });
});
