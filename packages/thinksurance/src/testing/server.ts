import { randomBytes } from 'node:crypto';
import { decodeJwt } from '@tokenwarden/auth-core';
import {
  issueJwt,
  readBody,
  sendJson,
  startServer,
  writeLoginFault,
  type ConformanceServer,
  type LoginFault,
} from '@tokenwarden/auth-core/testing';

export interface FakeThinksuranceServerOptions {
  /** Lifetime of issued tokens in seconds (default 3600). */
  readonly lifetimeSec?: number;
  /** The server clock minus the local clock, in milliseconds (default 0). */
  readonly clockOffsetMs?: number;
}

/** A running fake thinksurance API: everything the conformance suite drives, plus the accepted credentials. */
export interface FakeThinksuranceServer extends ConformanceServer {
  /** The only credentials the server accepts; the password is new for every server. */
  readonly credentials: { readonly username: string; readonly password: string };
}

/**
 * Starts a fake thinksurance API on 127.0.0.1 with a free port: `POST /login` with
 * `{ username, password }` answers `{ token }` (a JWT) or 401 `{ error }`; `GET /api/me` needs
 * `Authorization: Bearer <token>` and answers 401 `{ error }` without a valid one.
 * Close it with `close()`.
 */
export async function startFakeThinksuranceServer(options: FakeThinksuranceServerOptions = {}): Promise<FakeThinksuranceServer> {
  const settings = { lifetimeSec: options.lifetimeSec ?? 3600, clockOffsetMs: options.clockOffsetMs ?? 0 };
  const credentials = { username: 'demo', password: `pw-${randomBytes(12).toString('base64url')}` };
  const counters = { logins: 0, apiCalls: 0, rejected: 0 };
  const faults: LoginFault[] = [];
  // Tokens carry the generation they were issued in; revokeAll() starts a new one, so a token
  // issued right after a revocation is accepted (a timestamp cut-off would refuse it for up to 1 s).
  let generation = 0;

  const accepts = (token: string): boolean => {
    try {
      const { payload } = decodeJwt(token);
      return payload['gen'] === generation && Number(payload['exp']) * 1000 > Date.now() + settings.clockOffsetMs;
    } catch {
      return false;
    }
  };

  const running = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (url.pathname === '/login' && req.method === 'POST') {
      counters.logins++;
      const fault = faults.shift();
      if (fault) return writeLoginFault(res, fault);
      let login: { username?: unknown; password?: unknown };
      try {
        login = JSON.parse(body) as typeof login;
      } catch {
        return sendJson(res, 400, { error: 'The body is not JSON.' });
      }
      if (login?.username !== credentials.username || login?.password !== credentials.password) {
        return sendJson(res, 401, { error: 'Invalid username or password.' });
      }
      const token = issueJwt({ lifetimeSec: settings.lifetimeSec, clockOffsetMs: settings.clockOffsetMs, claims: { sub: credentials.username, gen: generation } });
      return sendJson(res, 200, { token }, { date: new Date(Date.now() + settings.clockOffsetMs).toUTCString() });
    }
    if (url.pathname === '/api/me' && req.method === 'GET') {
      counters.apiCalls++;
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !accepts(token)) {
        counters.rejected++;
        return sendJson(res, 401, { error: 'The token is not valid.' });
      }
      return sendJson(res, 200, { username: credentials.username });
    }
    sendJson(res, 404, { error: 'Not found.' });
  });

  return {
    ...running,
    credentials,
    counters,
    settings,
    protectedPath: '/api/me',
    failNextLogins: (...next) => void faults.push(...next),
    revokeAll: () => void generation++,
  };
}
