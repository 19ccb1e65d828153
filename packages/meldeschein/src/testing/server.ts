import { createHmac, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { decodeJwt } from '@tokenwarden/auth-core';
import {
  issueJwt,
  readBody,
  signJwt,
  startServer,
  writeLoginFault,
  type ConformanceServer,
  type LoginFault,
  type SeenRequest,
} from '@tokenwarden/auth-core/testing';
import type { MeldescheinConfig } from '../schemas.js';
import { parseXml, xmlDocument } from '../xml.js';

export interface FakeMeldescheinServerOptions {
  /** Lifetime of issued tokens in seconds (default 3600). */
  readonly lifetimeSec?: number;
  /** The server clock minus the local clock, in milliseconds (default 0). */
  readonly clockOffsetMs?: number;
}

/** A running fake Meldeschein API: everything the conformance suite drives, plus the documented endpoints. */
export interface FakeMeldescheinServer extends ConformanceServer {
  /** The only credentials the server accepts; the password is new for every server. */
  readonly credentials: { readonly username: string; readonly password: string };
  /**
   * Take effect from the next request. `refuseWith`: how wrong credentials are refused —
   * 400 `{ non_field_errors }` (default, as Django REST framework JWT does) or 401 `{ detail }`.
   * `issueExp: false` issues tokens without `iat`/`exp` (valid until revoked).
   */
  readonly settings: { lifetimeSec: number; clockOffsetMs: number; refuseWith: 400 | 401; issueExp: boolean };
  /** The paths it serves: the login, get_config (the conformance `protectedPath`) and a booking endpoint that needs `meta`. */
  readonly paths: { readonly token: string; readonly config: string; readonly booking: string };
  /** What get_config answers; its IDs make a valid `meta` object. */
  readonly config: MeldescheinConfig;
  /** The last 200 login requests, oldest first. */
  readonly logins: readonly SeenRequest[];
  /** The last 200 requests to the protected endpoints, oldest first. */
  readonly requests: readonly SeenRequest[];
  /** Refuses one token from now on. */
  revoke(token: string): void;
}

const MAX_SEEN = 200;
const JWT_HEADER = /^JWT (\S+)$/;
const POSITIVE = /^[1-9]\d*$/;
const SECRET = randomBytes(16).toString('base64url');

/** JSON, or XML when the request's `Accept` asks for it — as the API answers. */
function answer(res: ServerResponse, status: number, body: Record<string, unknown>, xml: boolean, date: string, extra: Record<string, string> = {}): void {
  const text = xml ? xmlDocument(body, '', []) : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': xml ? 'application/xml; charset=utf-8' : 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    date,
    ...extra,
  });
  res.end(text);
}

/** The request body by its Content-Type (JSON, form data or XML), or a reason it cannot be read. */
function parseBody(type: string, body: string): Record<string, unknown> | string {
  try {
    const value: unknown = /json/.test(type)
      ? JSON.parse(body)
      : /x-www-form-urlencoded/.test(type)
        ? Object.fromEntries(new URLSearchParams(body))
        : /xml/.test(type)
          ? parseXml(body, 64 * 1024)
          : undefined;
    if (value === undefined) return `Unsupported media type "${type}" in request.`;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : 'Expected an object.';
  } catch (error) {
    return `Parse error: ${(error as Error).message}`;
  }
}

/**
 * The errors a Django REST framework serializer would report for a meta object, or undefined
 * when it is valid. Written independently of the client's schema on purpose: the tests prove
 * both sides agree. XML values arrive as text, so there an integer is a string of digits.
 */
function metaErrors(meta: unknown, xml: boolean): Record<string, unknown> | undefined {
  if (meta === undefined) return { meta: ['This field is required.'] };
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return { meta: { non_field_errors: ['Invalid data. Expected a dictionary.'] } };
  const fields = meta as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  for (const name of ['gemeinde', 'vermieter', 'objekt']) {
    const value = fields[name];
    const valid = xml ? typeof value === 'string' && POSITIVE.test(value) : Number.isInteger(value) && (value as number) > 0;
    if (value === undefined) errors[name] = ['This field is required.'];
    else if (!valid) errors[name] = ['A valid positive integer is required.'];
  }
  if (fields['description'] !== undefined && typeof fields['description'] !== 'string') errors['description'] = ['Not a valid string.'];
  return Object.keys(errors).length ? { meta: errors } : undefined;
}

/**
 * Starts a fake Meldeschein API on 127.0.0.1 with a free port, under `/api/` like the real one:
 * - `POST /api/token/` takes `{ username, password }` as JSON, form data or XML and answers
 *   `{ token }` (a JWT) as JSON, or as XML when `Accept` asks for XML; wrong credentials get 400
 *   `{ non_field_errors }` (or 401, see `settings.refuseWith`);
 * - `GET /api/get-config/` answers `config`;
 * - `POST /api/import/meldeschein/buchen/` takes JSON or XML with a valid `meta` object and at
 *   least one other field, and answers 201; otherwise 400 with the errors per field.
 * The protected endpoints need exactly `Authorization: JWT <token>` (or, without that header, a
 * `jwt` query parameter) and answer 401 `{ detail }` otherwise. Close it with `close()`.
 */
export async function startFakeMeldescheinServer(options: FakeMeldescheinServerOptions = {}): Promise<FakeMeldescheinServer> {
  const settings = { lifetimeSec: options.lifetimeSec ?? 3600, clockOffsetMs: options.clockOffsetMs ?? 0, refuseWith: 400 as 400 | 401, issueExp: true };
  const credentials = { username: 'demo@example.invalid', password: `pw-${randomBytes(12).toString('base64url')}` };
  const counters = { logins: 0, apiCalls: 0, rejected: 0 };
  const paths = { token: '/api/token/', config: '/api/get-config/', booking: '/api/import/meldeschein/buchen/' } as const;
  const config: MeldescheinConfig = {
    user: { username: credentials.username },
    gemeinden: [{ id: 17, name: 'Musterstadt', meldeschein_fields: [] }],
    beherberger: [{ id: 42, name: 'Pension Sonnenblick', objekte: [{ id: 7, name: 'Ferienwohnung Seeblick' }] }],
  };
  const faults: LoginFault[] = [];
  const revoked = new Set<string>();
  const logins: SeenRequest[] = [];
  const requests: SeenRequest[] = [];
  // Tokens carry the generation they were issued in; revokeAll() starts a new one, so a token
  // issued right after a revocation is accepted (a timestamp cut-off would refuse it for up to 1 s).
  let generation = 0;

  const remember = (list: SeenRequest[], seen: SeenRequest) => {
    list.push(seen);
    if (list.length > MAX_SEEN) list.shift();
  };
  const accepts = (token: string): boolean => {
    const [head, payload, signature] = token.split('.');
    if (revoked.has(token) || signature !== createHmac('sha256', SECRET).update(`${head}.${payload}`).digest('base64url')) return false;
    try {
      const { payload } = decodeJwt(token);
      const exp = payload['exp'];
      return payload['gen'] === generation && (exp === undefined || Number(exp) * 1000 > Date.now() + settings.clockOffsetMs);
    } catch {
      return false;
    }
  };

  const running = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const date = new Date(Date.now() + settings.clockOffsetMs).toUTCString();
    const xml = /xml/.test(req.headers.accept ?? '');
    const seen: SeenRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
    const send = (status: number, payload: Record<string, unknown>, extra?: Record<string, string>) => answer(res, status, payload, xml, date, extra);

    if (url.pathname === paths.token && req.method === 'POST') {
      counters.logins++;
      remember(logins, seen);
      const fault = faults.shift();
      if (fault) return writeLoginFault(res, fault);
      const login = parseBody(req.headers['content-type'] ?? '', body);
      if (typeof login === 'string') return send(400, { detail: login });
      if (login['username'] !== credentials.username || login['password'] !== credentials.password) {
        return settings.refuseWith === 401
          ? send(401, { detail: 'Invalid username or password.' })
          : send(400, { non_field_errors: ['Unable to log in with provided credentials.'] });
      }
      const claims = { sub: credentials.username, gen: generation };
      const token = settings.issueExp
        ? issueJwt({ lifetimeSec: settings.lifetimeSec, clockOffsetMs: settings.clockOffsetMs, claims, secret: SECRET })
        : signJwt({ ...claims, jti: randomBytes(6).toString('base64url') }, SECRET);
      return send(200, { token });
    }

    const isConfig = url.pathname === paths.config && req.method === 'GET';
    const isBooking = url.pathname === paths.booking && req.method === 'POST';
    if (!isConfig && !isBooking) return send(404, { detail: 'Not found.' });
    counters.apiCalls++;
    remember(requests, seen);
    const authorization = req.headers.authorization;
    const token = authorization === undefined ? url.searchParams.get('jwt') : JWT_HEADER.exec(authorization)?.[1];
    if (!token || !accepts(token)) {
      counters.rejected++;
      const detail = token ? 'Signature has expired.' : 'Authentication credentials were not provided.';
      return send(401, { detail }, { 'www-authenticate': 'JWT realm="api"' });
    }
    if (isConfig) return send(200, config as Record<string, unknown>);

    const type = req.headers['content-type'] ?? '';
    const data = /json|xml/.test(type) ? parseBody(type, body) : `Unsupported media type "${type}" in request.`;
    if (typeof data === 'string') return send(400, { detail: data });
    const { meta, ...rest } = data;
    const errors = metaErrors(meta, /xml/.test(type)) ?? (Object.keys(rest).length ? undefined : { non_field_errors: ['The meta object cannot be sent alone.'] });
    if (errors) return send(400, errors);
    return send(201, { ok: true, meta: meta as Record<string, unknown>, fields: Object.keys(rest) });
  });

  return {
    ...running,
    credentials,
    counters,
    settings,
    paths,
    config,
    logins,
    requests,
    protectedPath: paths.config,
    failNextLogins: (...next) => void faults.push(...next),
    revoke: (token) => void revoked.add(token),
    revokeAll: () => void generation++,
  };
}

