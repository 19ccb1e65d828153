import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  readBody,
  sendJson,
  signJwt,
  startServer,
  writeLoginFault,
  type ConformanceServer,
  type LoginFault,
  type SeenRequest,
} from '@tokenwarden/auth-core/testing';

export interface FakeMittwaldServerOptions {
  /** Lifetime of issued API tokens in seconds (default 3600). */
  readonly lifetimeSec?: number;
  /** The server clock minus the local clock, in milliseconds (default 0). */
  readonly clockOffsetMs?: number;
  /** Requests per window to `POST /v1/authenticate` (default 100). */
  readonly loginRateLimit?: number;
  /** Requests per window to `/v1/customers/:id` (default 1000). */
  readonly apiRateLimit?: number;
  /** Length of a rate-limit window in milliseconds (default 900 000, the documented 15 minutes). */
  readonly rateLimitWindowMs?: number;
}

/** Settings of a running fake server; changes take effect from the next request. */
export interface FakeMittwaldSettings {
  lifetimeSec: number;
  clockOffsetMs: number;
  loginRateLimit: number;
  apiRateLimit: number;
  rateLimitWindowMs: number;
  /** `false` issues tokens without an `exp` claim (the server still stops accepting them after `lifetimeSec`). */
  expClaim: boolean;
}

/** A running fake mittwald API v1. */
export interface FakeMittwaldServer extends ConformanceServer {
  /** Customer-center credentials the server accepts; the password is new for every server. */
  readonly credentials: { readonly username: string; readonly password: string };
  /** An access token the server accepts from the start (created ones are accepted too, until revoked). */
  readonly accessToken: { readonly uuid: string; readonly token: string };
  readonly settings: FakeMittwaldSettings;
  readonly counters: {
    logins: number;
    apiCalls: number;
    rejected: number;
    /** Calls to `/v1/authentication/tokens` and `/v1/authentication/tokens/:uuid`. */
    tokenCalls: number;
    /** Answers with status 429. */
    rateLimited: number;
    /** Answers with `X-Cache: HIT`. */
    cacheHits: number;
  };
  /** The last 100 requests, logins included (headers and bodies too: they carry credentials and tokens). */
  readonly seen: SeenRequest[];
  /** Queues answers for the next calls to `/v1/authentication/tokens*`, in order. */
  failNextTokenCalls(...faults: LoginFault[]): void;
  /** Starts new rate-limit windows: every budget is full again. */
  resetRateLimits(): void;
}

interface Issued {
  readonly principal: string;
  readonly generation: number;
  /** Local epoch ms. */
  readonly expiresAt: number;
}

const CUSTOMER = /^\/v1\/customers\/([^/]+)$/;
const TOKENS = '/v1/authentication/tokens';
const TOKEN = /^\/v1\/authentication\/tokens\/([^/]+)$/;

/**
 * Starts a fake mittwald API v1 on 127.0.0.1 with a free port:
 * - `POST /v1/authenticate` with `{ username, password }` (customer-center credentials, or an
 *   access token's uuid and token) and `Accept: application/jwt` answers the raw JWT; 401 for
 *   wrong credentials, 406 without that Accept header;
 * - `POST|GET /v1/authentication/tokens` creates and lists access tokens,
 *   `DELETE /v1/authentication/tokens/:uuid` revokes one;
 * - `/v1/customers/:id` (GET, POST, PUT, DELETE) is protected.
 * Protected endpoints take `Authorization: Bearer <token>` or `?access_token=`. Logins and
 * customers are rate limited (`X-RateLimit`, `X-RateLimit-Remaining`, 429 with `Retry-After`);
 * a repeated GET answers `X-Cache: HIT` until a POST, PUT or DELETE to the same URI or a GET
 * with `Cache-Control: no-cache`. Close it with `close()`.
 */
export async function startFakeMittwaldServer(options: FakeMittwaldServerOptions = {}): Promise<FakeMittwaldServer> {
  const settings: FakeMittwaldSettings = {
    lifetimeSec: options.lifetimeSec ?? 3600,
    clockOffsetMs: options.clockOffsetMs ?? 0,
    loginRateLimit: options.loginRateLimit ?? 100,
    apiRateLimit: options.apiRateLimit ?? 1000,
    rateLimitWindowMs: options.rateLimitWindowMs ?? 900_000,
    expClaim: true,
  };
  const credentials = { username: 'r1234', password: `pw-${randomBytes(12).toString('base64url')}` };
  const newAccessToken = (description: string) => ({
    uuid: randomUUID() as string,
    token: `MW_${randomBytes(24).toString('base64url')}`,
    crdate: serverNow().toISOString(),
    description,
  });
  const seed = newAccessToken('fake server seed');
  const accessTokens = new Map([[seed.uuid, seed]]);
  const counters = { logins: 0, apiCalls: 0, rejected: 0, tokenCalls: 0, rateLimited: 0, cacheHits: 0 };
  const loginFaults: LoginFault[] = [];
  const tokenFaults: LoginFault[] = [];
  const issued = new Map<string, Issued>();
  const windows = new Map<string, { start: number; used: number }>();
  const cached = new Set<string>();
  const seen: SeenRequest[] = [];
  // Tokens carry the generation they were issued in; revokeAll() starts a new one.
  let generation = 0;

  function serverNow(): Date {
    return new Date(Date.now() + settings.clockOffsetMs);
  }

  /** Counts one request against `bucket`; the headers to send, and whether the budget allowed it. */
  function budget(bucket: string, limit: number): { ok: boolean; headers: Record<string, string> } {
    const now = Date.now();
    let window = windows.get(bucket);
    if (!window || now - window.start >= settings.rateLimitWindowMs) windows.set(bucket, (window = { start: now, used: 0 }));
    const ok = window.used < limit;
    if (ok) window.used++;
    const headers: Record<string, string> = { 'x-ratelimit': String(limit), 'x-ratelimit-remaining': String(limit - window.used) };
    if (!ok) headers['retry-after'] = String(Math.ceil((window.start + settings.rateLimitWindowMs - now) / 1000));
    return { ok, headers };
  }

  function issue(principal: string): string {
    const iat = Math.floor(serverNow().getTime() / 1000);
    const token = signJwt({
      iat,
      ...(settings.expClaim ? { exp: iat + settings.lifetimeSec } : {}),
      sub: principal,
      jti: randomUUID(),
    });
    if (issued.size >= 10_000) issued.delete(issued.keys().next().value!);
    issued.set(token, { principal, generation, expiresAt: Date.now() + settings.lifetimeSec * 1000 });
    return token;
  }

  /** The principal of the request's token, or undefined when it has no valid one. */
  function authenticated(req: IncomingMessage, url: URL): string | undefined {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('access_token') ?? '';
    const entry = issued.get(token);
    if (!entry || entry.generation !== generation || entry.expiresAt <= Date.now()) return undefined;
    const uuid = /^token:(.+)$/.exec(entry.principal)?.[1];
    return uuid === undefined || accessTokens.has(uuid) ? entry.principal : undefined;
  }

  /** Server-side cache of GET answers by URI (the query token is not part of the URI). */
  function cacheHeaders(req: IncomingMessage, url: URL): Record<string, string> {
    const query = new URLSearchParams(url.search);
    query.delete('access_token');
    const uri = `${url.pathname}?${query.toString()}`;
    if (req.method !== 'GET' || /no-cache/i.test(req.headers['cache-control'] ?? '')) {
      cached.delete(uri);
      if (req.method !== 'GET') return {};
    } else if (cached.has(uri)) {
      counters.cacheHits++;
      return { 'x-cache': 'HIT' };
    }
    cached.add(uri);
    return {};
  }

  async function login(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    counters.logins++;
    const fault = loginFaults.shift();
    if (fault) return writeLoginFault(res, fault);
    const { ok, headers } = budget('login', settings.loginRateLimit);
    if (!ok) {
      counters.rateLimited++;
      return sendJson(res, 429, { message: 'Too many requests.' }, headers);
    }
    if (!/application\/jwt/.test(req.headers.accept ?? '')) {
      return sendJson(res, 406, { message: 'This endpoint answers application/jwt.' }, headers);
    }
    let given: { username?: unknown; password?: unknown } | null;
    try {
      given = JSON.parse(body) as typeof given;
    } catch {
      return sendJson(res, 400, { message: 'The body is not JSON.' }, headers);
    }
    const access = typeof given?.username === 'string' ? accessTokens.get(given.username) : undefined;
    const principal =
      given?.username === credentials.username && given.password === credentials.password
        ? `user:${credentials.username}`
        : access !== undefined && access.token === given?.password
          ? `token:${access.uuid}`
          : undefined;
    if (!principal) return sendJson(res, 401, { message: 'Invalid username or password.' }, headers);
    res.writeHead(200, { 'content-type': 'application/jwt', ...headers });
    res.end(issue(principal));
  }

  async function protectedCall(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    const isTokens = url.pathname === TOKENS || TOKEN.test(url.pathname);
    if (isTokens) {
      counters.tokenCalls++;
      const fault = tokenFaults.shift();
      if (fault) return writeLoginFault(res, fault);
    } else counters.apiCalls++;
    const principal = authenticated(req, url);
    if (!principal) {
      counters.rejected++;
      return sendJson(res, 401, { message: 'The access token is not valid.' });
    }
    if (isTokens) return tokens(req, res, url, body);
    const { ok, headers } = budget('customers', settings.apiRateLimit);
    if (!ok) {
      counters.rateLimited++;
      return sendJson(res, 429, { message: 'Too many requests.' }, headers);
    }
    if (!['GET', 'POST', 'PUT', 'DELETE'].includes(req.method ?? '')) return sendJson(res, 405, { message: 'Method not allowed.' }, headers);
    const customerId = CUSTOMER.exec(url.pathname)![1];
    sendJson(res, 200, { customerId, method: req.method, principal }, { ...headers, ...cacheHeaders(req, url) });
  }

  function tokens(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    const revoke = TOKEN.exec(url.pathname)?.[1];
    const cache = cacheHeaders(req, url);
    if (revoke !== undefined && req.method === 'DELETE') {
      if (!accessTokens.delete(decodeURIComponent(revoke))) return sendJson(res, 404, { message: 'No such access token.' });
      res.writeHead(204);
      return void res.end();
    }
    if (revoke === undefined && req.method === 'GET') {
      return sendJson(res, 200, [...accessTokens.values()].map(({ uuid, crdate, description }) => ({ uuid, crdate, description })), cache);
    }
    if (revoke === undefined && req.method === 'POST') {
      const description = (() => {
        try {
          return (JSON.parse(body) as { description?: unknown } | null)?.description;
        } catch {
          return undefined;
        }
      })();
      if (typeof description !== 'string') return sendJson(res, 400, { message: 'A description is required.' });
      const created = newAccessToken(description);
      accessTokens.set(created.uuid, created);
      return sendJson(res, 201, created);
    }
    sendJson(res, 405, { message: 'Method not allowed.' });
  }

  const running = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    res.setHeader('date', serverNow().toUTCString());
    seen.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers, body });
    if (seen.length > 100) seen.shift();
    if (url.pathname === '/v1/authenticate' && req.method === 'POST') return login(req, res, body);
    if (CUSTOMER.test(url.pathname) || url.pathname === TOKENS || TOKEN.test(url.pathname)) return protectedCall(req, res, url, body);
    sendJson(res, 404, { message: 'Not found.' });
  });

  return {
    ...running,
    credentials,
    accessToken: { uuid: seed.uuid, token: seed.token },
    counters,
    settings,
    seen,
    protectedPath: '/v1/customers/123456',
    failNextLogins: (...next) => void loginFaults.push(...next),
    failNextTokenCalls: (...next) => void tokenFaults.push(...next),
    resetRateLimits: () => windows.clear(),
    revokeAll: () => void generation++,
  };
}
