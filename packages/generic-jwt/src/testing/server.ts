import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from '@tokenwarden/auth-core';
import { readBody, sendJson, startServer, writeLoginFault, type ConformanceServer, type LoginFault } from '@tokenwarden/auth-core/testing';

/** The private-token endpoints whose next answers can be replaced with faults. */
export type FakePrivateTokenEndpoint = 'create' | 'list' | 'revoke';

export interface FakeGenericJwtServerOptions {
  /** Lifetime of short-living tokens in seconds (default 3600, as documented). */
  readonly lifetimeSec?: number;
  /** The server clock minus the local clock, in milliseconds (default 0). */
  readonly clockOffsetMs?: number;
  /** Path of the login endpoint (default `/auth/login`). */
  readonly loginPath?: string;
  /** Reads email and password from the parsed login body (default: its `email` and `password`), to test custom `loginBody` shapes. */
  readonly credentialsFrom?: (body: unknown) => { readonly email?: unknown; readonly password?: unknown } | undefined;
  /** Wraps the token into the login answer (default `{ token }`), to test `tokenPath`. */
  readonly loginAnswer?: (token: string) => unknown;
}

/** A private token as the server keeps it. Times are epoch ms on the server clock. */
export interface FakePrivateToken {
  readonly id: number;
  readonly name: string;
  readonly token: string;
  readonly expiresAt: number;
  readonly createdAt: number;
  revoked: boolean;
}

/** A running fake generic-jwt API: everything the conformance suite drives, plus private tokens, JWKS and faults. */
export interface FakeGenericJwtServer extends ConformanceServer {
  /** The only credentials the server accepts; the password is new for every server. */
  readonly credentials: { readonly email: string; readonly password: string };
  readonly counters: { logins: number; apiCalls: number; rejected: number; created: number; listed: number; revoked: number };
  /**
   * Settings that take effect from the next request: `scheme` the server expects before the token,
   * `acceptTokens: false` refuses every token (even fresh ones), `rejectionFormat: 'text'` answers
   * refusals with an HTML body instead of `{ code, detail }`.
   */
  readonly settings: { lifetimeSec: number; clockOffsetMs: number; scheme: string; acceptTokens: boolean; rejectionFormat: 'json' | 'text' };
  /** URL of the server's JSON Web Key Set (its ES256 public key). */
  readonly jwksUrl: string;
  /** The same public key as PEM (SPKI). */
  readonly publicKeyPem: string;
  /** Every private token created, revoked ones included, by id. */
  readonly privateTokens: ReadonlyMap<number, FakePrivateToken>;
  /** The parsed bodies of the logins received, oldest first. */
  readonly loginBodies: unknown[];
  /** Queues answers for the next calls to a private-token endpoint, in order. */
  failNext(endpoint: FakePrivateTokenEndpoint, ...faults: LoginFault[]): void;
  /**
   * Makes the next rotation fail at `step`: `create` answers 503, `switch` creates a token signed
   * with a foreign key (a client that verifies signatures refuses to switch to it), `revoke` answers 503.
   */
  failNextRotationStep(step: 'create' | 'switch' | 'revoke'): void;
  /** Creates a private token directly, e.g. one issued `issuedSecAgo` seconds ago that expires in `expiresInSec`. */
  issuePrivateToken(init: { readonly expiresInSec: number; readonly issuedSecAgo?: number; readonly name?: string }): FakePrivateToken;
  /** Whether the API accepts `token` now, and if not, why (`token_not_valid` detail). */
  check(token: string): { readonly ok: true; readonly typ: string } | { readonly ok: false; readonly detail: string };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function signEs256(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const input = `${b64({ alg: 'ES256', typ: 'JWT', kid })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/**
 * Starts a fake generic-jwt API on 127.0.0.1 with a free port, speaking the package's default
 * endpoints: `POST /auth/login` (`{ email, password }` → `{ token }`, an ES256 JWT for
 * `lifetimeSec`), `POST|GET /auth/private-tokens` and `DELETE /auth/private-tokens/{id}` (with a
 * short-living token; `expires_at` required and in the future), `GET /api/me` (the protected
 * endpoint: any valid token) and `GET /.well-known/jwks.json`. Refused tokens — expired, revoked,
 * malformed or wrongly signed — get 401 `{ code: "token_not_valid", detail }`. Close it with `close()`.
 */
export async function startFakeGenericJwtServer(options: FakeGenericJwtServerOptions = {}): Promise<FakeGenericJwtServer> {
  const settings = {
    lifetimeSec: options.lifetimeSec ?? 3600,
    clockOffsetMs: options.clockOffsetMs ?? 0,
    scheme: 'Bearer',
    acceptTokens: true,
    rejectionFormat: 'json' as 'json' | 'text',
  };
  const credentials = { email: 'demo@example.com', password: `pw-${randomBytes(12).toString('base64url')}` };
  const counters = { logins: 0, apiCalls: 0, rejected: 0, created: 0, listed: 0, revoked: 0 };
  const loginPath = options.loginPath ?? '/auth/login';
  const credentialsFrom = options.credentialsFrom ?? ((body) => body as { email?: unknown; password?: unknown } | undefined);
  const loginAnswer = options.loginAnswer ?? ((token) => ({ token }));
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const foreignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const kid = randomBytes(6).toString('hex');
  const loginFaults: LoginFault[] = [];
  const faults: Record<FakePrivateTokenEndpoint, LoginFault[]> = { create: [], list: [], revoke: [] };
  const privateTokens = new Map<number, FakePrivateToken>();
  const loginBodies: unknown[] = [];
  let foreignNext = false;
  let nextId = 1;
  // Tokens carry the generation they were issued in; revokeAll() starts a new one, so a token
  // issued right after a revocation is accepted (a timestamp cut-off would refuse it for up to 1 s).
  let generation = 0;

  const serverNow = () => Date.now() + settings.clockOffsetMs;
  const httpDate = () => ({ date: new Date(serverNow()).toUTCString() });
  const seconds = (ms: number) => Math.floor(ms / 1000);

  function issuePrivateToken(init: { expiresInSec: number; issuedSecAgo?: number; name?: string }, key = privateKey): FakePrivateToken {
    const now = serverNow();
    const id = nextId++;
    const expiresAt = now + init.expiresInSec * 1000;
    const createdAt = now - (init.issuedSecAgo ?? 0) * 1000;
    const claims = { sub: credentials.email, typ: 'private', tid: id, gen: generation, iat: seconds(createdAt), exp: seconds(expiresAt) };
    const record = { id, name: init.name ?? `token-${id}`, token: signEs256(claims, key, kid), expiresAt, createdAt, revoked: false };
    privateTokens.set(id, record);
    return record;
  }

  function check(token: string): { ok: true; typ: string } | { ok: false; detail: string } {
    const parts = token.split('.');
    let claims: Readonly<Record<string, unknown>>;
    try {
      const { header, payload } = decodeJwt(token);
      const signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2]!, 'base64url'));
      if (header['alg'] !== 'ES256' || !signed) throw new Error('signature');
      claims = payload;
    } catch {
      return { ok: false, detail: 'Given token not valid for any token type' };
    }
    const record = claims['typ'] === 'private' ? privateTokens.get(Number(claims['tid'])) : undefined;
    if (!settings.acceptTokens || claims['gen'] !== generation || record?.revoked) return { ok: false, detail: 'Token is revoked' };
    if (!(Number(claims['exp']) * 1000 > serverNow())) return { ok: false, detail: 'Token is expired' };
    return { ok: true, typ: String(claims['typ']) };
  }

  /** The token of the request if the API accepts it; otherwise answers 401 and returns undefined. */
  function authorize(req: IncomingMessage, res: ServerResponse): { typ: string } | undefined {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    const result = scheme === settings.scheme && token ? check(token) : ({ ok: false, detail: 'Authentication credentials were not provided.' } as const);
    if (result.ok) return result;
    if (settings.rejectionFormat === 'text') {
      res.writeHead(401, { 'content-type': 'text/html' });
      res.end('<html><body><h1>401 Unauthorized</h1></body></html>');
    } else sendJson(res, 401, { code: 'token_not_valid', detail: result.detail });
    return undefined;
  }

  const running = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return sendJson(res, 400, { code: 'parse_error', detail: 'The body is not JSON.' });
    }
    const route = `${req.method} ${url.pathname.replace(/\/\d+$/, '/{id}')}`;

    if (route === `POST ${loginPath}`) {
      counters.logins++;
      loginBodies.push(body);
      const fault = loginFaults.shift();
      if (fault) return writeLoginFault(res, fault);
      const given = credentialsFrom(body);
      if (given?.email !== credentials.email || given?.password !== credentials.password) {
        return sendJson(res, 401, { detail: 'No active account found with the given credentials' });
      }
      const now = seconds(serverNow());
      const claims = { sub: credentials.email, typ: 'access', gen: generation, jti: randomBytes(8).toString('hex'), iat: now, exp: now + settings.lifetimeSec };
      return sendJson(res, 200, loginAnswer(signEs256(claims, privateKey, kid)), httpDate());
    }
    if (url.pathname === '/.well-known/jwks.json') {
      return sendJson(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] });
    }
    if (route === 'GET /api/me') {
      counters.apiCalls++;
      const who = authorize(req, res);
      if (!who) return void counters.rejected++;
      return sendJson(res, 200, { email: credentials.email, tokenType: who.typ });
    }

    const endpoint = ({ 'POST /auth/private-tokens': 'create', 'GET /auth/private-tokens': 'list', 'DELETE /auth/private-tokens/{id}': 'revoke' } as const)[
      route as 'GET /auth/private-tokens'
    ] as FakePrivateTokenEndpoint | undefined;
    if (!endpoint) return sendJson(res, 404, { code: 'not_found', detail: 'Not found.' });
    const who = authorize(req, res);
    if (!who) return;
    if (who.typ !== 'access') return sendJson(res, 403, { code: 'permission_denied', detail: 'Private tokens are managed with a short-living token.' });
    const fault = faults[endpoint].shift();
    if (fault) return writeLoginFault(res, fault);

    if (endpoint === 'list') {
      counters.listed++;
      const visible = [...privateTokens.values()].filter((t) => !t.revoked);
      return sendJson(res, 200, visible.map(({ id, name, expiresAt, createdAt }) => ({ id, name, expires_at: new Date(expiresAt).toISOString(), created_at: new Date(createdAt).toISOString() })));
    }
    if (endpoint === 'revoke') {
      const record = privateTokens.get(Number(url.pathname.split('/').pop()));
      if (!record || record.revoked) return sendJson(res, 404, { code: 'not_found', detail: 'No private token with this id.' });
      record.revoked = true;
      counters.revoked++;
      res.writeHead(204);
      return void res.end();
    }
    const { name, expires_at } = (body ?? {}) as { name?: unknown; expires_at?: unknown };
    if (typeof name !== 'string' || name === '') return sendJson(res, 400, { code: 'invalid', detail: 'name is required.' });
    if (expires_at === undefined || expires_at === null) return sendJson(res, 400, { code: 'invalid', detail: 'expires_at is required: there is no default expiration.' });
    const expiresAt = typeof expires_at === 'string' ? Date.parse(expires_at) : NaN;
    if (Number.isNaN(expiresAt)) return sendJson(res, 400, { code: 'invalid', detail: 'expires_at must be an ISO 8601 date-time.' });
    if (expiresAt <= serverNow()) return sendJson(res, 400, { code: 'invalid', detail: 'expires_at must be in the future.' });
    counters.created++;
    const record = issuePrivateToken({ name, expiresInSec: (expiresAt - serverNow()) / 1000 }, foreignNext ? foreignKey : privateKey);
    foreignNext = false;
    return sendJson(
      res,
      201,
      { id: record.id, name, token: record.token, expires_at: new Date(record.expiresAt).toISOString(), created_at: new Date(record.createdAt).toISOString() },
      httpDate(),
    );
  });

  return {
    ...running,
    credentials,
    counters,
    settings,
    jwksUrl: `${running.url}/.well-known/jwks.json`,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateTokens,
    loginBodies,
    protectedPath: '/api/me',
    failNextLogins: (...next) => void loginFaults.push(...next),
    failNext: (endpoint, ...next) => void faults[endpoint].push(...next),
    failNextRotationStep: (step) => {
      if (step === 'switch') foreignNext = true;
      else faults[step].push({ kind: 'status', status: 503, body: JSON.stringify({ detail: 'Service temporarily unavailable.' }) });
    },
    issuePrivateToken: (init) => issuePrivateToken(init),
    check,
    revokeAll: () => void generation++,
  };
}
