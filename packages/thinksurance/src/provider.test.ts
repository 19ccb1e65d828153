import { inspect } from 'node:util';
import { jest } from '@jest/globals';
import {
  CredentialsRejectedError,
  InvalidOptionsError,
  InvalidTokenResponseError,
  LoginFailedError,
  TokenRejectedError,
  createAuthFetch,
  type AccessToken,
  type Logger,
  type TokenManagerOptions,
} from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import { rejectionOf, renderErrorText, useDateOnlyFakeClock } from '@tokenwarden/testkit';
import axios from 'axios';
import { thinksurance, type ThinksuranceOptions } from './provider.js';
import { NOT_EXISTING, TOKEN_INVALID, startFakeThinksuranceServer, type FakeThinksuranceServer } from './testing/index.js';

const MIN = 60_000;
const COOLDOWN_MS = 60_000;

let server: FakeThinksuranceServer;
const cleanup: (() => void)[] = [];
/** Every `warning` event, log line and failed-login error the providers of a test produced. */
let warnings: string[];
let logLines: string[];
let loginErrors: unknown[];

beforeEach(async () => {
  server = await startFakeThinksuranceServer();
  warnings = [];
  logLines = [];
  loginErrors = [];
});
afterEach(async () => {
  jest.useRealTimers();
  for (const dispose of cleanup.splice(0)) dispose();
  await server.close();
});

const logger: Logger = {
  debug: (message, fields) => void logLines.push(`${message} ${inspect(fields, { depth: 10 })}`),
  info: (message, fields) => void logLines.push(`${message} ${inspect(fields, { depth: 10 })}`),
  warn: (message, fields) => void logLines.push(`${message} ${inspect(fields, { depth: 10 })}`),
  error: (message, fields) => void logLines.push(`${message} ${inspect(fields, { depth: 10 })}`),
};

function provider(options: Partial<ThinksuranceOptions> = {}, engine: TokenManagerOptions = {}) {
  const p = thinksurance(
    { baseUrl: server.url, ...server.credentials, ...options },
    { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50 }, credentialsCooldownMs: COOLDOWN_MS, logger, ...engine },
  );
  p.manager.on('warning', ({ message }) => void warnings.push(message));
  p.manager.on('refreshFailed', ({ error }) => void loginErrors.push(error));
  cleanup.push(() => p.manager.dispose());
  return p;
}

const html502 = {
  kind: 'status',
  status: 502,
  headers: { 'content-type': 'text/html' },
  body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
} as const;

describe('login: POST /api/token', () => {
  it('sends { hash, secret } as JSON with Accept: application/json and puts the token in "Authorization: Bearer"', async () => {
    const p = provider();
    const fetch = createAuthFetch(p);
    const responses = await Promise.all(Array.from({ length: 5 }, () => fetch(server.url + server.protectedPath)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(server.counters).toEqual({ logins: 1, apiCalls: 5, rejected: 0 });
    const [login] = server.logins;
    expect(login!.headers['content-type']).toBe('application/json');
    expect(login!.headers['accept']).toBe('application/json');
    expect(JSON.parse(login!.body)).toEqual({ hash: server.credentials.hash, secret: server.credentials.secret });
    expect(p.manager.peek()?.scheme).toBe('Bearer');
  });

  it('logs in at <baseUrl>/api/token also when baseUrl has a trailing slash', async () => {
    const p = provider({ baseUrl: `${server.url}/` });
    await p.manager.getToken();
    expect(server.counters.logins).toBe(1);
  });

  it.each<[string, Partial<ThinksuranceOptions>, () => void]>([
    ['a wrong hash', { hash: 'hash-that-support-never-issued' }, () => undefined],
    ['a wrong secret', { secret: 'secret-that-does-not-match' }, () => undefined],
    ['a deactivated user', {}, () => void (server.settings.deactivated = true)],
  ])(
    'turns HTTP 200 { error } for %s into CredentialsRejectedError with the server reason, after one login, and logs in again only after the cool-down',
    async (_label, options, arrange) => {
      arrange();
      useDateOnlyFakeClock(Date.parse('2026-01-26T13:39:46Z'));
      const p = provider(options);
      const error = await rejectionOf(p.manager.getToken());
      expect(error).toBeInstanceOf(CredentialsRejectedError);
      expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', reason: NOT_EXISTING, status: 200, retryAfterMs: COOLDOWN_MS });
      expect((error as Error).message).toBe(
        'thinksurance rejected the credentials: "API User is not existing or deactivated." No new login is attempted for 60 s.',
      );

      const during = await Promise.allSettled([
        ...Array.from({ length: 20 }, () => p.manager.getToken()),
        createAuthFetch(p)(server.url + server.protectedPath),
      ]);
      expect(during.every((o) => o.status === 'rejected' && o.reason instanceof CredentialsRejectedError)).toBe(true);
      expect(server.counters).toEqual({ logins: 1, apiCalls: 0, rejected: 0 });

      jest.setSystemTime(Date.now() + COOLDOWN_MS + 1_000);
      await expect(p.manager.getToken()).rejects.toBeInstanceOf(CredentialsRejectedError);
      expect(server.counters.logins).toBe(2);
    },
  );

  it('redacts the hash and secret from a login error that echoes them', async () => {
    const { hash, secret } = server.credentials;
    server.failNextLogins({ kind: 'status', status: 200, body: JSON.stringify({ error: `No API user for hash ${hash} and secret ${secret}.` }) });
    const error = await rejectionOf(provider().manager.getToken());
    expect((error as CredentialsRejectedError).reason).toBe('No API user for hash [redacted] and secret [redacted].');
  });

  it('fails with INVALID_TOKEN_RESPONSE after one login and caches nothing when the token is an empty string', async () => {
    server.failNextLogins({ kind: 'status', status: 200, body: JSON.stringify({ token: '', expired: '2026-01-26 14:54:46' }) });
    const p = provider();
    const error = await rejectionOf(p.manager.getToken());
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as Error).message).toContain('the "token" is empty');
    expect(server.counters.logins).toBe(1);
    expect(p.manager.peek()).toBeUndefined();
    await p.manager.getToken();
    expect(server.counters.logins).toBe(2);
  });

  it.each([
    ['a numeric token', { token: 42, expired: '2026-01-26 14:54:46' }],
    ['neither token nor error', { status: 'ok' }],
    ['a numeric error', { error: 500 }],
    ['an array', [{ token: 'abc', expired: '2026-01-26 14:54:46' }]],
  ])('fails with INVALID_TOKEN_RESPONSE after one login when the login answers %s', async (_label, body) => {
    server.failNextLogins({ kind: 'status', status: 200, body: JSON.stringify(body) });
    const error = await rejectionOf(provider().manager.getToken());
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(server.counters.logins).toBe(1);
  });

  it('retries an HTML 502 page from a gateway with backoff and then gets a token', async () => {
    server.failNextLogins(html502, html502);
    const p = provider();
    const token = await p.manager.getToken();
    expect(token.value).toMatch(/^[0-9a-f]{64}$/);
    expect(server.counters.logins).toBe(3);
    expect(loginErrors.map((e) => (e as LoginFailedError).status)).toEqual([502, 502]);
  });

  it('fails with LOGIN_FAILED (status 502) after the last attempt when every login answers an HTML 502 page', async () => {
    server.failNextLogins(html502, html502, html502);
    const error = await rejectionOf(provider().manager.getToken());
    expect(error).toBeInstanceOf(LoginFailedError);
    expect(error).toMatchObject({ status: 502, retryable: true });
    expect(server.counters.logins).toBe(3);
  });
});

describe('expiry: the "expired" field', () => {
  it('keeps a token for the 15 minutes "expired" says and logs in again before they are over', async () => {
    useDateOnlyFakeClock(Date.parse('2026-01-26T13:39:46Z'));
    const p = provider({}, { refresh: { share: 0.75, minRemainingMs: 0, jitter: 0, expiryMarginMs: 5_000 } });
    const first = await p.manager.getToken();
    expect(first.expiresAt - first.issuedAt).toBe(15 * MIN);
    jest.setSystemTime(first.issuedAt + 10 * MIN);
    expect((await p.manager.getToken()).value).toBe(first.value);
    expect(server.counters.logins).toBe(1);
    jest.setSystemTime(first.expiresAt - 2_000);
    const second = await p.manager.getToken();
    expect(second.value).not.toBe(first.value);
    expect(server.counters.logins).toBe(2);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['minutes before the March change', '2026-03-29T00:40:00Z'],
    ['across the March change (issued 01:50 CET, "expired" 03:05 CEST)', '2026-03-29T00:50:00Z'],
    ['after the March change', '2026-03-29T01:55:00Z'],
    ['in the first October 02:xx hour ("expired" 02:45, the first one)', '2026-10-25T00:30:00Z'],
    ['across the October change (issued 02:50 CEST, "expired" 02:05 CET)', '2026-10-25T00:50:00Z'],
    ['in the repeated October 02:xx hour (issued 02:10 CET, "expired" 02:25 CET)', '2026-10-25T01:10:00Z'],
  ])('reads a token issued %s as valid for 15 minutes, without a warning, and uses it', async (_label, issued) => {
    useDateOnlyFakeClock(Date.parse(issued));
    const p = provider();
    const token = await p.manager.getToken();
    expect(token.issuedAt - Date.parse(issued)).toBeLessThan(1_000);
    expect(token.expiresAt - token.issuedAt).toBe(15 * MIN);
    expect(warnings).toEqual([]);
    const response = await createAuthFetch(p)(server.url + server.protectedPath);
    expect(response.status).toBe(200);
    expect(server.counters).toEqual({ logins: 1, apiCalls: 1, rejected: 0 });
  });

  it('takes 15 minutes from receipt and warns once when "expired" is malformed', async () => {
    server.failNextLogins(
      { kind: 'status', status: 200, body: JSON.stringify({ token: 'a'.repeat(40), expired: '26.01.2026 14:54' }) },
      { kind: 'status', status: 200, body: JSON.stringify({ token: 'b'.repeat(40), expired: 'soon' }) },
    );
    const p = provider();
    const first = await p.manager.getToken();
    expect(first.expiresAt - first.issuedAt).toBe(15 * MIN);
    await p.manager.forceRefresh();
    expect(server.counters.logins).toBe(2);
    expect(warnings).toEqual([
      'thinksurance: the login answer\'s "expired" "26.01.2026 14:54" is not a "YYYY-MM-DD hh:mm:ss" date; the token is taken to be valid for 15 min from its receipt.',
    ]);
  });

  it.each([
    ['missing', { token: 'c'.repeat(40) }],
    ['null', { token: 'c'.repeat(40), expired: null }],
    ['a number', { token: 'c'.repeat(40), expired: 1769435686 }],
  ])('takes 15 minutes from receipt and warns when "expired" is %s', async (_label, body) => {
    server.failNextLogins({ kind: 'status', status: 200, body: JSON.stringify(body) });
    const token = await provider().manager.getToken();
    expect(token.value).toBe('c'.repeat(40));
    expect(token.expiresAt - token.issuedAt).toBe(15 * MIN);
    expect(warnings).toEqual(['thinksurance: the login answer has no "expired" string; the token is taken to be valid for 15 min from its receipt.']);
  });

  it('takes 15 minutes from receipt and warns once when "expired" is in the past (the server writes UTC, the provider reads Berlin time)', async () => {
    server.settings.timeZone = 'UTC';
    const p = provider();
    const first = await p.manager.getToken();
    await p.manager.forceRefresh();
    expect(first.expiresAt - first.issuedAt).toBe(15 * MIN);
    expect(server.counters.logins).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^thinksurance: the login answer's "expired" \S+ \S+ read in Europe\/Berlin is \d+ min before the server's Date header/);
  });

  it('believes a server that writes UTC when timeZone is "UTC"', async () => {
    server.settings.timeZone = 'UTC';
    server.settings.lifetimeSec = 600;
    const token = await provider({ timeZone: 'UTC' }).manager.getToken();
    expect(token.expiresAt - token.issuedAt).toBe(10 * MIN);
    expect(warnings).toEqual([]);
  });

  it('takes 15 minutes from receipt and warns when "expired" lies more than 15 minutes plus the tolerance ahead', async () => {
    server.settings.lifetimeSec = 17 * 60;
    const token = await provider().manager.getToken();
    expect(token.expiresAt - token.issuedAt).toBe(15 * MIN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('is 17 min after the server\'s Date header, not within the documented 15 min');
  });

  it('reads "expired" against the Date header, so a server clock 3 hours ahead changes nothing', async () => {
    server.settings.clockOffsetMs = 3 * 60 * MIN;
    const token = await provider().manager.getToken();
    expect(token.expiresAt - token.issuedAt).toBe(15 * MIN);
    expect(warnings).toEqual([]);
  });

  it('falls back and warns when the server clock is 3 hours ahead and it sends no Date header', async () => {
    server.settings.clockOffsetMs = 3 * 60 * MIN;
    server.settings.sendDate = false;
    const token = await provider().manager.getToken();
    expect(token.expiresAt - token.issuedAt).toBe(15 * MIN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('after the local clock (the answer has no Date header)');
  });
});

describe('rejection: a new token on the first response saying the token is invalid', () => {
  it('retries once with a new token when an API call answers HTTP 200 { error: "Token is invalid or expired." } (fetch, then axios)', async () => {
    server.settings.rejectWith200 = true;
    const p = provider();
    const fetch = createAuthFetch(p);
    const http = axios.create();
    cleanup.push(attachAxios(http, p));
    expect((await fetch(server.url + server.protectedPath)).status).toBe(200);

    server.revokeAll();
    const viaFetch = await fetch(server.url + server.protectedPath);
    expect(await viaFetch.json()).toMatchObject({ ok: true });
    expect(server.counters).toEqual({ logins: 2, apiCalls: 3, rejected: 1 });

    server.revokeAll();
    const viaAxios = await http.post(server.url + server.protectedPath, { contract: 7 });
    expect(viaAxios.data).toEqual({ ok: true, method: 'POST', body: '{"contract":7}' });
    expect(server.counters).toEqual({ logins: 3, apiCalls: 5, rejected: 2 });
  });

  it.each([
    ['HTTP 401 { error }', false],
    ['HTTP 200 { error }', true],
  ])('throws TokenRejectedError with the API reason when %s comes back also with the new token, after exactly 2 logins', async (_label, in200) => {
    server.settings.rejectWith200 = in200;
    // The server looks for the token in a header the provider does not send: every token is refused.
    server.settings.header = 'x-thinksurance-token';
    const p = provider();
    const error = await rejectionOf(createAuthFetch(p)(server.url + server.protectedPath));
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error).toMatchObject({ status: in200 ? 200 : 401, detail: TOKEN_INVALID, method: 'GET' });
    expect(server.counters).toEqual({ logins: 2, apiCalls: 2, rejected: 2 });

    const viaAxios = await rejectionOf(attachedAxios(p).get(server.url + server.protectedPath));
    expect(viaAxios).toBeInstanceOf(TokenRejectedError);
    expect(server.counters).toEqual({ logins: 3, apiCalls: 4, rejected: 4 });
  });

  function attachedAxios(p: ReturnType<typeof provider>) {
    const http = axios.create();
    cleanup.push(attachAxios(http, p));
    return http;
  }
});

describe('presentation', () => {
  it.each([
    ['X-Auth-Token with no scheme', { header: 'X-Auth-Token', scheme: '' }],
    ['Authorization with the scheme "Token"', { header: 'Authorization', scheme: 'Token' }],
  ])('sends the token as %s when configured', async (_label, options) => {
    server.settings.header = options.header;
    server.settings.scheme = options.scheme;
    const p = provider(options);
    expect((await createAuthFetch(p)(server.url + server.protectedPath)).status).toBe(200);
    expect((await attachedAxiosGet(p)).status).toBe(200);
    expect(server.counters).toEqual({ logins: 1, apiCalls: 2, rejected: 0 });
    expect(p.manager.peek()?.scheme).toBe(options.scheme);
  });

  async function attachedAxiosGet(p: ReturnType<typeof provider>) {
    const http = axios.create();
    cleanup.push(attachAxios(http, p));
    return http.get(server.url + server.protectedPath);
  }
});

describe('options', () => {
  it('reports every invalid option at once without echoing a value', () => {
    const error = (() => {
      try {
        thinksurance({
          baseUrl: 'ftp://app.dev.thinksurance.de',
          hash: '',
          secret: 'secret-value-123',
          timeZone: 'Europe/Atlantis',
          lifetimeMs: -1,
          header: 'Bad Header',
          scheme: 'Bear er',
        });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues.map((i) => i.path).sort()).toEqual(['baseUrl', 'hash', 'header', 'lifetimeMs', 'scheme', 'timeZone']);
    expect(renderErrorText(error)).not.toMatch(/secret-value-123|Atlantis|ftp:|Bad Header|Bear er/);
  });

  it('requires baseUrl, hash and secret', () => {
    expect(() => thinksurance({} as ThinksuranceOptions)).toThrow(InvalidOptionsError);
    try {
      thinksurance({} as ThinksuranceOptions);
    } catch (error) {
      expect((error as InvalidOptionsError).issues.map((i) => i.path).sort()).toEqual(['baseUrl', 'hash', 'secret']);
    }
  });
});

describe('secrets: the hash and secret appear nowhere', () => {
  it('in no error, log line, event or serialized provider across failed logins, a rejected login and successful use', async () => {
    const { hash, secret } = server.credentials;
    const echo = JSON.stringify({ error: `Invalid request ${JSON.stringify({ hash, secret })}` });
    const seen: unknown[] = [];
    const providers: ReturnType<typeof provider>[] = [];
    const watched = (engine: TokenManagerOptions = {}) => {
      const p = provider({}, engine);
      for (const event of ['acquired', 'refreshFailed', 'rejected', 'warning'] as const) p.manager.on(event, (payload) => void seen.push(payload));
      providers.push(p);
      return p;
    };
    const faults = [
      { kind: 'status', status: 200, body: echo },
      { kind: 'status', status: 401, body: echo },
      { kind: 'status', status: 400, body: echo },
      { kind: 'status', status: 500, body: echo },
      { kind: 'status', status: 200, headers: { 'content-type': 'text/plain' }, body: `hash=${hash}&secret=${secret}` },
      { kind: 'status', status: 200, body: JSON.stringify({ token: '', expired: hash }) },
      html502,
    ] as const;
    const errors: unknown[] = [];
    for (const fault of faults) {
      server.failNextLogins(fault);
      // A provider per fault: rejected credentials start a cool-down that would skip the next login.
      errors.push(await rejectionOf(watched({ retry: { maxAttempts: 1 } }).manager.getToken()));
    }
    const q = watched();
    server.settings.rejectWith200 = true;
    const token: AccessToken = await q.manager.getToken();
    server.revoke(token.value);
    expect((await createAuthFetch(q)(server.url + server.protectedPath)).status).toBe(200);
    expect(server.counters.logins).toBe(faults.length + 2);

    expect(errors).toHaveLength(faults.length);
    expect(logLines.length).toBeGreaterThan(faults.length);
    const everything = [...errors, ...loginErrors, ...seen, ...providers, q.manager.peek()].map(renderErrorText).join('\n') + logLines.join('\n');
    expect(everything).not.toContain(hash);
    expect(everything).not.toContain(secret);
    expect(everything).toContain('[redacted]');
  });
});
