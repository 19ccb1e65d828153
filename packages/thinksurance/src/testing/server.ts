import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { readBody, sendJson, startServer, writeLoginFault, type ConformanceServer, type LoginFault } from '@tokenwarden/auth-core/testing';
import { wallClockAt } from '../zoned-time.js';

export interface FakeThinksuranceServerOptions {
  /** Lifetime of issued tokens in seconds (default 900, the documented 15 minutes). */
  readonly lifetimeSec?: number;
  /** The server clock minus the local clock, in milliseconds (default 0). */
  readonly clockOffsetMs?: number;
  /** Zone the `expired` field is written in (default "Europe/Berlin"). */
  readonly timeZone?: string;
}

/** A login request as the server received it. */
export interface SeenLogin {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** A running fake Thinksurance API. */
export interface FakeThinksuranceServer extends ConformanceServer {
  /** The only `hash` and `secret` the server accepts; new random values for every server. */
  readonly credentials: { readonly hash: string; readonly secret: string };
  /** Settings that take effect from the next request. */
  readonly settings: {
    lifetimeSec: number;
    clockOffsetMs: number;
    timeZone: string;
    /** The API user is deactivated: every login answers HTTP 200 `{ error }` (default false). */
    deactivated: boolean;
    /** The protected endpoint refuses tokens with HTTP 200 `{ error }` instead of 401 (default false). */
    rejectWith200: boolean;
    /** Send a `Date` header on the server's clock (default true); false sends none. */
    sendDate: boolean;
    /** Header the protected endpoint reads the token from (default "authorization"). */
    header: string;
    /** Scheme it expects before the token (default "Bearer"); "" expects the bare token. */
    scheme: string;
  };
  /** The last 50 login requests, oldest first. */
  readonly logins: readonly SeenLogin[];
  /** Refuses one token from now on. */
  revoke(token: string): void;
}

/** The documented failure message, for an unknown hash or secret and for a deactivated user alike. */
export const NOT_EXISTING = 'API User is not existing or deactivated.';
/** What the protected endpoint answers for an unknown, expired or revoked token. */
export const TOKEN_INVALID = 'Token is invalid or expired.';

/** Formats `epochMs` as a MySQL DATETIME in `timeZone`, as Thinksurance writes `expired`. */
export function formatDateTime(epochMs: number, timeZone: string): string {
  return new Date(wallClockAt(epochMs, timeZone)).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Starts a fake Thinksurance API on 127.0.0.1 with a free port. `POST /api/token` with
 * `{ hash, secret }` answers `{ token, expired }` (`expired` local time in `settings.timeZone`,
 * `lifetimeSec` ahead on the server clock) or — as the docs show — HTTP 200 `{ error }` for
 * wrong credentials or a deactivated user. `/api/protected` (any method) needs
 * `Authorization: Bearer <token>` and answers 401 `{ error }` (or 200 `{ error }` with
 * `settings.rejectWith200`) for an unknown, expired or revoked token. Close it with `close()`.
 */
export async function startFakeThinksuranceServer(options: FakeThinksuranceServerOptions = {}): Promise<FakeThinksuranceServer> {
  const settings: FakeThinksuranceServer['settings'] = {
    lifetimeSec: options.lifetimeSec ?? 900,
    clockOffsetMs: options.clockOffsetMs ?? 0,
    timeZone: options.timeZone ?? 'Europe/Berlin',
    deactivated: false,
    rejectWith200: false,
    sendDate: true,
    header: 'authorization',
    scheme: 'Bearer',
  };
  const credentials = { hash: `hash-${randomBytes(24).toString('hex')}`, secret: `secret-${randomBytes(12).toString('base64url')}` };
  const counters = { logins: 0, apiCalls: 0, rejected: 0 };
  const faults: LoginFault[] = [];
  const logins: SeenLogin[] = [];
  /** Issued tokens and when they expire on the server clock. */
  const tokens = new Map<string, number>();
  const send = (res: ServerResponse, now: number, status: number, body: unknown) => {
    // Node's own Date header reads the real clock; this one follows the server's (possibly faked) clock.
    res.sendDate = false;
    sendJson(res, status, body, settings.sendDate ? { date: new Date(now).toUTCString() } : {});
  };

  const issue = (now: number): { token: string; expired: string } => {
    for (const [token, expiresAt] of tokens) if (expiresAt <= now) tokens.delete(token);
    const token = randomBytes(32).toString('hex');
    const expiresAt = now + settings.lifetimeSec * 1000;
    tokens.set(token, expiresAt);
    return { token, expired: formatDateTime(expiresAt, settings.timeZone) };
  };

  const presented = (value: string | string[] | undefined): string | undefined => {
    if (typeof value !== 'string') return undefined;
    if (!settings.scheme) return value;
    const prefix = `${settings.scheme} `;
    return value.startsWith(prefix) ? value.slice(prefix.length) : undefined;
  };

  const running = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    // One reading per request, so `expired` and the Date header cannot fall into different seconds.
    const now = Date.now() + settings.clockOffsetMs;
    if (url.pathname === '/api/token' && req.method === 'POST') {
      counters.logins++;
      logins.push({ headers: req.headers, body });
      if (logins.length > 50) logins.shift();
      const fault = faults.shift();
      if (fault) return writeLoginFault(res, fault);
      let login: { hash?: unknown; secret?: unknown } | null;
      try {
        login = JSON.parse(body) as typeof login;
      } catch {
        return send(res, now, 200, { error: 'The request body is not valid JSON.' });
      }
      if (typeof login?.hash !== 'string' || typeof login.secret !== 'string') {
        return send(res, now, 200, { error: 'The attributes hash and secret are required.' });
      }
      if (settings.deactivated || login.hash !== credentials.hash || login.secret !== credentials.secret) {
        return send(res, now, 200, { error: NOT_EXISTING });
      }
      return send(res, now, 200, issue(now));
    }
    if (url.pathname === '/api/protected') {
      counters.apiCalls++;
      const token = presented(req.headers[settings.header.toLowerCase()]);
      const expiresAt = token === undefined ? undefined : tokens.get(token);
      if (expiresAt === undefined || expiresAt <= now) {
        counters.rejected++;
        return send(res, now, settings.rejectWith200 ? 200 : 401, { error: TOKEN_INVALID });
      }
      return send(res, now, 200, { ok: true, method: req.method, body });
    }
    send(res, now, 404, { error: 'Not found.' });
  });

  return {
    ...running,
    credentials,
    counters,
    settings,
    logins,
    protectedPath: '/api/protected',
    failNextLogins: (...next) => void faults.push(...next),
    revoke: (token) => void tokens.delete(token),
    revokeAll: () => tokens.clear(),
  };
}
