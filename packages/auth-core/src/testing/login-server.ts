import type { ServerResponse } from 'node:http';
import { decodeJwt } from '../jwt.js';
import { issueJwt } from './jwt.js';
import { readBody, sendJson, startServer, type RunningServer } from './server.js';

/** What the next login answers instead of a token. */
export type LoginFault =
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | { readonly kind: 'html' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'null' }
  | { readonly kind: 'huge'; readonly bytes: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'trickle' };

/** Answers a login with `fault` instead of a token; every fake server uses this for its login endpoint. */
export function writeLoginFault(res: ServerResponse, f: LoginFault): void {
  switch (f.kind) {
    case 'status':
      res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
      return void res.end(f.body ?? JSON.stringify({ error: `status ${f.status}` }));
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>');
    case 'empty':
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end();
    case 'null':
      return sendJson(res, 200, null);
    case 'huge':
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(`{"token":"${'x'.repeat(f.bytes)}"}`);
    case 'hang':
      return; // Accepts the request and never answers.
    case 'trickle': {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
  }
}


export interface FakeLoginServerOptions {
  readonly username?: string;
  readonly password?: string;
  /** Token lifetime in seconds (default 3600). */
  readonly lifetimeSec?: number;
  /** The server clock minus the local clock, in ms. */
  readonly clockOffsetMs?: number;
}

/** A request the server saw, for assertions. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * What every provider's fake server offers, so the testkit's conformance suite can drive any
 * of them the same way.
 */
export interface ConformanceServer extends RunningServer {
  readonly counters: { logins: number; apiCalls: number; rejected: number };
  /** Settings that take effect from the next request. */
  readonly settings: { lifetimeSec: number; clockOffsetMs: number };
  /** A protected GET path on this server that answers 2xx with a valid token. */
  readonly protectedPath: string;
  /** Queues answers for the next logins, in order. */
  failNextLogins(...faults: LoginFault[]): void;
  /** Refuses every token issued so far. */
  revokeAll(): void;
}

export interface FakeLoginServer extends ConformanceServer {
  /** The last 200 requests to protected endpoints. */
  readonly seen: SeenRequest[];
  /** `acceptTokens: false` makes the protected endpoints refuse every token, even fresh ones. */
  readonly settings: { lifetimeSec: number; clockOffsetMs: number; username: string; password: string; acceptTokens: boolean };
  /** Makes the server refuse one token from now on. */
  revoke(token: string): void;
}

/**
 * A generic JWT login server on loopback: `POST /login` with `{ username, password }` answers
 * `{ token }`; `/api/*` requires `Authorization: Bearer <token>` and echoes the request;
 * `/redirect?to=<url>` answers 302. Faults, lifetime, clock offset and counters are controllable.
 */
export async function startFakeLoginServer(options: FakeLoginServerOptions = {}): Promise<FakeLoginServer> {
  const settings = {
    lifetimeSec: options.lifetimeSec ?? 3600,
    clockOffsetMs: options.clockOffsetMs ?? 0,
    username: options.username ?? 'demo',
    password: options.password ?? 'demo-password',
    acceptTokens: true,
  };
  const counters = { logins: 0, apiCalls: 0, rejected: 0 };
  const faults: LoginFault[] = [];
  const revoked = new Set<string>();
  // Tokens carry the generation they were issued in; revokeAll() starts a new one.
  let generation = 0;
  const seen: SeenRequest[] = [];

  const running = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (url.pathname === '/login' && req.method === 'POST') {
      counters.logins++;
      const next = faults.shift();
      if (next) return writeLoginFault(res, next);
      let creds: { username?: unknown; password?: unknown } = {};
      try {
        creds = JSON.parse(body) as typeof creds;
      } catch {
        return sendJson(res, 400, { error: 'body is not JSON' });
      }
      if (creds.username !== settings.username || creds.password !== settings.password) {
        return sendJson(res, 401, { error: 'invalid username or password' });
      }
      const token = issueJwt({ lifetimeSec: settings.lifetimeSec, clockOffsetMs: settings.clockOffsetMs, claims: { sub: settings.username, gen: generation } });
      return sendJson(res, 200, { token }, { date: new Date(Date.now() + settings.clockOffsetMs).toUTCString() });
    }
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      return void res.end();
    }
    if (url.pathname.startsWith('/api/')) {
      counters.apiCalls++;
      seen.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers, body });
      if (seen.length > 200) seen.shift();
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !valid(token)) {
        counters.rejected++;
        return sendJson(res, 401, { code: 'token_not_valid', detail: 'Given token not valid for any token type' });
      }
      return sendJson(res, 200, { ok: true, method: req.method, path: url.pathname, body });
    }
    sendJson(res, 404, { error: 'not found' });
  });

  function valid(token: string): boolean {
    if (revoked.has(token)) return false;
    try {
      const { payload } = decodeJwt(token);
      return settings.acceptTokens && payload['gen'] === generation && Number(payload['exp']) * 1000 > Date.now() + settings.clockOffsetMs;
    } catch {
      return false;
    }
  }

  return {
    ...running,
    counters,
    seen,
    settings,
    protectedPath: '/api/data',
    failNextLogins: (...next) => void faults.push(...next),
    revoke: (token) => void revoked.add(token),
    revokeAll: () => {
      generation++;
    },
  };
}
