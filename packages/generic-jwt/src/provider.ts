import {
  InvalidOptionsError,
  InvalidTokenResponseError,
  LoginFailedError,
  LoginTimeoutError,
  assertLoginOk,
  cacheKeyOf,
  createHttpClient,
  decodeJwt,
  defineProvider,
  jwtExpiry,
  parseRetryAfter,
  readJson,
  serverRelativeExpiry,
  type AccessToken,
  type HttpClient,
  type HttpResponse,
  type TokenEvents,
  type TokenManager,
} from '@tokenwarden/auth-core';
import { PrivateTokenError, RotationError } from './errors.js';
import { genericJwtOptions, type CreatedPrivateToken, type Credentials, type DateInput, type ParsedOptions, type PrivateTokenInfo } from './options.js';
import { createdPrivateToken, errorBody, privateTokenList, tokenValue, type CreatePrivateTokenRequest, type LoginRequest } from './schemas.js';
import { verifier } from './verify.js';

const PROVIDER = 'generic-jwt';
/** The documented lifetime of a short-living token. */
const HOUR_MS = 3_600_000;
const METHODS = { login: 'POST', createPrivateToken: 'POST', listPrivateTokens: 'GET', revokePrivateToken: 'DELETE' } as const;
/** The private-token endpoints, and what their errors call them. */
const OPERATIONS = { createPrivateToken: 'create private token', listPrivateTokens: 'list private tokens', revokePrivateToken: 'revoke private token' } as const;
type Op = keyof typeof OPERATIONS;

type Emit = (event: 'warning', payload: TokenEvents['warning']) => void;

/** The private token the provider serves in long-living mode. Times are local epoch ms. */
interface Held {
  readonly value: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly id?: string | number | undefined;
  readonly name?: string | undefined;
}

/** A created private token waiting to replace `old`; `retire` revokes the old one, `discard` the new one. */
interface Replacement {
  readonly old: Held;
  readonly next: Held;
  readonly created: CreatedPrivateToken;
  retire(): Promise<void>;
  discard(): Promise<void>;
}

/** What `createPrivateToken` and `rotatePrivateToken` take. */
export interface NewPrivateToken {
  readonly name: string;
  /** Required by the API (it has no default), and in the future. */
  readonly expiresAt: DateInput;
}

/** The private-token methods of a `genericJwt` provider. */
export interface GenericJwtApi {
  /**
   * Creates a long-living private token, authorized by a short-living one (logs in if needed).
   * A missing or past `expiresAt` is an `InvalidOptionsError` before any request.
   */
  createPrivateToken(init: NewPrivateToken): Promise<CreatedPrivateToken>;
  /** The account's private tokens with their expiration times. */
  listPrivateTokens(): Promise<readonly PrivateTokenInfo[]>;
  /** Revokes a private token; the API refuses it from then on. */
  revokePrivateToken(id: string | number): Promise<void>;
  /**
   * Creates a new private token, switches the provider to it, then revokes the old one
   * (long-living mode; defaults from `rotation`). A failure at any step leaves a working token
   * in place and throws a `RotationError` naming the step.
   */
  rotatePrivateToken(init?: Partial<NewPrivateToken>): Promise<CreatedPrivateToken>;
}

const invalid = (path: string, message: string) => new InvalidOptionsError({ provider: PROVIDER, issues: [{ path, message }] });
const toEpoch = (value: unknown): number =>
  value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
const iso = (epochMs: number) => new Date(epochMs).toISOString();
const once = <T>(run: () => Promise<T>): (() => Promise<T>) => {
  let promise: Promise<T> | undefined;
  return () => (promise ??= run());
};

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const apiError = (body: unknown) => {
  const parsed = errorBody.safeParse(body);
  return parsed.success ? parsed.data : undefined;
};

/** A 401, or `{ "code": "token_not_valid" }` with any status: the token is not accepted. */
const refused = (status: number, body: unknown) => status === 401 || apiError(body)?.code === 'token_not_valid';

/** Follows a dot path (`data.access`) into parsed JSON. */
const pick = (body: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), body);

/** A template object with `{{email}}` and `{{password}}` in its strings, filled in. */
function fill(template: unknown, credentials: Credentials): unknown {
  if (typeof template === 'string') return template.replace(/\{\{(email|password)\}\}/g, (_, key: keyof Credentials) => credentials[key]);
  if (Array.isArray(template)) return template.map((item) => fill(item, credentials));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, fill(value, credentials)]));
  }
  return template;
}

/** The stored private token of the options, with its expiry from the options or its `exp` claim. */
function stored(input: ParsedOptions['privateToken']): Held | undefined {
  if (input === undefined) return undefined;
  const { token, expiresAt, id, name }: Exclude<typeof input, string> = typeof input === 'string' ? { token: input } : input;
  let claims: Readonly<Record<string, unknown>> = {};
  try {
    claims = decodeJwt(token).payload;
  } catch {
    // Not a JWT: `expiresAt` must say when it expires.
  }
  const exp = expiresAt !== undefined ? toEpoch(expiresAt) : typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : NaN;
  if (Number.isNaN(exp)) {
    throw invalid('privateToken.expiresAt', expiresAt === undefined ? 'is required unless the token is a JWT with an exp claim' : 'must be a date');
  }
  const now = Date.now();
  const iat = typeof claims['iat'] === 'number' ? claims['iat'] * 1000 : now;
  return { value: token, issuedAt: Math.min(iat, now), expiresAt: exp, id, name };
}

/**
 * The generic JWT provider: any API that logs in with credentials and answers a JWT used as
 * `Authorization: Bearer <token>`. Short-living mode logs in (and again before expiry);
 * long-living mode serves a stored private token until it expires, rotating it ahead of
 * expiry when credentials are configured too.
 *
 * @example
 * const api = genericJwt({ baseUrl: 'https://api.example.com', email: 'me@example.com', password: process.env.API_PASSWORD! });
 * const fetch = createAuthFetch(api);
 */
export const genericJwt = defineProvider({
  name: PROVIDER,
  options: genericJwtOptions,
  setup: (o, engine) => {
    const base = o.baseUrl.replace(/\/+$/, '');
    const credentials: Credentials | undefined = o.email !== undefined && o.password !== undefined ? { email: o.email, password: o.password } : undefined;
    const verify = o.verify && verifier(o.verify);
    let held = stored(o.privateToken);
    // Grows with every private token a rotation creates: the engine and the HTTP clients read it live.
    const secrets = [o.password, held?.value, typeof o.verify?.key === 'string' ? o.verify.key : undefined].filter((s): s is string => !!s);
    let manager: TokenManager;
    let warned: string | undefined;
    let replacing: Promise<Replacement> | undefined;

    const route = (op: keyof typeof METHODS, id?: string | number) => {
      const [method, path] = o.endpoints[op].includes(' ') ? o.endpoints[op].split(/ +/) : [METHODS[op], o.endpoints[op]];
      const resolved = path!.replace('{id}', encodeURIComponent(String(id)));
      return { method: method!, url: /^[a-z][a-z\d+.-]*:\/\//i.test(resolved) ? resolved : `${base}/${resolved.replace(/^\/+/, '')}` };
    };
    // The private-token calls get the login's deadline and size cap: they are made on its behalf.
    const client = () => createHttpClient({ provider: PROVIDER, secrets, timeoutMs: engine.loginTimeoutMs, maxResponseBytes: engine.maxResponseBytes });
    function needCredentials(): Credentials {
      if (!credentials) throw invalid('email', 'email and password are needed for this: it takes a short-living token');
      return credentials;
    }

    /** One login: the token at `tokenPath`, and the response for its times. */
    async function login(http: HttpClient): Promise<{ value: string; response: HttpResponse }> {
      const creds = needCredentials();
      const body =
        typeof o.loginBody === 'function' ? o.loginBody(creds) : o.loginBody ? fill(o.loginBody, creds) : ({ ...creds } satisfies LoginRequest);
      const { method, url } = route('login');
      const response = assertLoginOk(
        await http.request({ url, method, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) }),
        { provider: PROVIDER, reason: (res) => apiError(parse(res.text()))?.detail },
      );
      const found = tokenValue.safeParse(pick(readJson(response, PROVIDER), o.tokenPath));
      if (!found.success) {
        throw new InvalidTokenResponseError({
          provider: PROVIDER,
          status: response.status,
          problem: `the JSON has no token at "${o.tokenPath}" (a string without white space; see the tokenPath option)`,
        });
      }
      return { value: found.data, response };
    }

    /** Short-living mode: log in; the lifetime comes from the JWT, on the server's clock. */
    async function shortLiving(http: HttpClient): Promise<AccessToken> {
      const { value, response } = await login(http);
      const { receivedAt, serverDate } = response;
      let iat: unknown;
      try {
        iat = decodeJwt(value).payload['iat'];
      } catch {
        if (verify) await verify(value, receivedAt); // Refuses it: an opaque token has no signature to check.
        if (o.tokenLifetimeMs === undefined) {
          throw new InvalidTokenResponseError({
            provider: PROVIDER,
            status: response.status,
            problem: `the token at "${o.tokenPath}" is not a JWT, so nothing says when it expires: set tokenLifetimeMs if the API issues opaque tokens, or point tokenPath at the JWT`,
          });
        }
        return { value, scheme: o.scheme, issuedAt: receivedAt, expiresAt: receivedAt + o.tokenLifetimeMs };
      }
      await verify?.(value, serverDate ?? (typeof iat === 'number' ? iat * 1000 : receivedAt));
      const { issuedAt, expiresAt } = jwtExpiry(value, { receivedAt, serverDate, fallbackLifetimeMs: o.tokenLifetimeMs ?? HOUR_MS });
      return { value, scheme: o.scheme, issuedAt, expiresAt };
    }

    function warnIfExpiring(token: Held, emit: Emit): void {
      const left = token.expiresAt - Date.now();
      if (warned === token.value || left > o.expiryWarningMs) return;
      warned = token.value;
      const which = [token.name && `"${token.name}"`, token.id !== undefined && `(id ${token.id})`].filter(Boolean).join(' ');
      emit('warning', {
        provider: PROVIDER,
        message: `the private token ${which || 'in use'} expires at ${iso(token.expiresAt)}, in ${Math.max(0, Math.round(left / HOUR_MS))} h; ${
          credentials ? 'it is rotated when the engine refreshes it' : 'configure a new one, or email and password to have it rotated'
        }`,
      });
    }

    /**
     * When the engine should ask for the held token again: with credentials, `rotateBeforeMs`
     * before its expiry (else at the engine's own refresh point); without them nothing can renew
     * it, so not before the engine stops handing it out.
     */
    const refreshAt = (token: Held): number | undefined =>
      !credentials ? token.expiresAt : o.rotation.rotateBeforeMs === undefined ? undefined : token.expiresAt - o.rotation.rotateBeforeMs;

    /**
     * Where the engine stops handing a token out (its `refresh.expiryMarginMs` rule). Served again
     * past it, the held token would be asked for on every call until it expires.
     */
    const usableUntil = (token: Held): number =>
      token.expiresAt - Math.min(engine.refresh?.expiryMarginMs ?? 5_000, (token.expiresAt - token.issuedAt) / 10);

    /** Long-living mode: the held private token, as long as it is valid. */
    async function serve(token: Held, emit: Emit): Promise<AccessToken> {
      const now = Date.now();
      if (token.expiresAt <= now) throw invalid('privateToken', `expired at ${iso(token.expiresAt)}; configure a new one, or email and password to have it rotated`);
      if (!credentials && now >= usableUntil(token)) {
        throw invalid('privateToken', `expires at ${iso(token.expiresAt)}, too soon to be used; configure a new one, or email and password to have it rotated`);
      }
      await verify?.(token.value, now);
      warnIfExpiring(token, emit);
      return { value: token.value, scheme: o.scheme, issuedAt: token.issuedAt, expiresAt: token.expiresAt, refreshAt: refreshAt(token) };
    }

    /**
     * One private-token request with `token`. The HTTP client words a transport failure as a
     * login's; this is not one, so it becomes a `PrivateTokenError` naming the call.
     */
    async function send(http: HttpClient, token: string, op: Op, init: { id?: string | number; body?: unknown } = {}) {
      const { method, url } = route(op, init.id);
      const headers: Record<string, string> = { authorization: `${o.scheme} ${token}`, accept: 'application/json' };
      if (init.body) headers['content-type'] = 'application/json';
      try {
        return await http.request({ url, method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
      } catch (error) {
        const operation = OPERATIONS[op];
        if (error instanceof LoginTimeoutError) throw new PrivateTokenError({ operation, problem: `no answer within ${error.timeoutMs} ms` });
        if (error instanceof LoginFailedError || error instanceof InvalidTokenResponseError) {
          const problem = error.message.replace(/^.*?: /, '').replace(/\.$/, '');
          throw new PrivateTokenError({ operation, problem, status: error.status, retryable: error.retryable });
        }
        throw error;
      }
    }

    /** The parsed body of a 2xx answer; throws `PrivateTokenError` for any other status. */
    function checked(response: HttpResponse, op: Op): unknown {
      const body = parse(response.text());
      const { status, headers } = response;
      if (status >= 200 && status < 300) return body;
      const error = apiError(body);
      throw new PrivateTokenError({
        operation: OPERATIONS[op],
        problem: `HTTP ${status}`,
        status,
        retryAfterMs: parseRetryAfter(headers['retry-after']),
        apiCode: error?.code,
        detail: error?.detail,
        secrets,
      });
    }

    /**
     * A private-token call authorized by a short-living token: the manager's in short-living mode
     * (renewed once if refused), a fresh login's in long-living mode.
     */
    async function call(op: Op, init?: { id?: string | number; body?: unknown }): Promise<{ body: unknown; response: HttpResponse }> {
      needCredentials();
      const http = client();
      let response: HttpResponse;
      if (held) response = await send(http, (await login(http)).value, op, init);
      else {
        const token = await manager.getToken();
        response = await send(http, token.value, op, init);
        if (refused(response.status, parse(response.text()))) response = await send(http, (await manager.recoverFrom(token)).value, op, init);
      }
      return { body: checked(response, op), response };
    }

    function request(init: Partial<NewPrivateToken> | undefined, rotation: boolean): CreatePrivateTokenRequest {
      const name = init?.name ?? (rotation ? o.rotation.name : undefined);
      const at = init?.expiresAt === undefined && rotation ? Date.now() + o.rotation.lifetimeMs : toEpoch(init?.expiresAt);
      const issues = [];
      if (typeof name !== 'string' || name === '') issues.push({ path: 'name', message: 'is required' });
      if (Number.isNaN(at)) {
        issues.push({ path: 'expiresAt', message: init?.expiresAt === undefined ? 'is required: the API has no default expiration' : 'must be a Date, an ISO 8601 string or epoch ms' });
      } else if (at <= Date.now()) issues.push({ path: 'expiresAt', message: `must be in the future (got ${iso(at)})` });
      if (issues.length > 0) throw new InvalidOptionsError({ provider: PROVIDER, issues });
      return { name: name!, expires_at: iso(at) };
    }

    function created(body: unknown, response: HttpResponse): { info: CreatedPrivateToken; next: Held } {
      const parsed = createdPrivateToken.safeParse(body);
      if (!parsed.success) {
        throw new PrivateTokenError({ operation: OPERATIONS.createPrivateToken, problem: 'the answer is not a created private token (id, name, token, expires_at)', status: response.status });
      }
      const { id, name, token, expires_at, created_at } = parsed.data;
      secrets.push(token);
      const { receivedAt, serverDate } = response;
      return {
        info: { id, name, token, expiresAt: new Date(expires_at), ...(created_at ? { createdAt: new Date(created_at) } : {}) },
        next: { value: token, id, name, issuedAt: receivedAt, expiresAt: serverRelativeExpiry({ receivedAt, serverExpiresAt: Date.parse(expires_at), serverNow: serverDate }) },
      };
    }

    /** Logs in and creates the next private token; one at a time, however many ask. */
    function replace(http: HttpClient, init?: Partial<NewPrivateToken>): Promise<Replacement> {
      const body = request(init, true);
      replacing ??= (async () => {
        const old = held!;
        const { value: session } = await login(http);
        const response = await send(http, session, 'createPrivateToken', { body });
        const { info, next } = created(checked(response, 'createPrivateToken'), response);
        const revoke = (id: string | number) => send(client(), session, 'revokePrivateToken', { id }).then((res) => void checked(res, 'revokePrivateToken'));
        return {
          old,
          next,
          created: info,
          retire: once(async () => {
            if (old.id === undefined) {
              throw new PrivateTokenError({
                operation: OPERATIONS.revokePrivateToken,
                problem: 'the old token has no id (set privateToken.id), so it cannot be revoked',
                retryable: false,
              });
            }
            await revoke(old.id);
          }),
          discard: once(() => revoke(info.id)),
        };
      })().finally(() => (replacing = undefined));
      return replacing;
    }

    function rotated(token: CreatedPrivateToken, emit: Emit): void {
      try {
        o.rotation.onRotated?.(token);
      } catch (error) {
        emit('warning', { provider: PROVIDER, message: `rotation.onRotated threw (${error instanceof Error ? error.name : 'error'}); the new private token is in use anyway` });
      }
    }

    return {
      origins: [o.baseUrl],
      presenter: {
        place: (token) => ({ headers: { Authorization: `${o.scheme} ${token.value}` } }),
        isRejected: (res) => refused(res.status, res.body),
        describeRejection: (res) => {
          const error = apiError(res.body);
          return error ? { apiCode: error.code, detail: error.detail } : {};
        },
        observe: (_res, emit) => held && warnIfExpiring(held, emit),
      },
      source: {
        provider: PROVIDER,
        cacheKey: cacheKeyOf(PROVIDER, base, o.email ?? '', held ? `private:${held.id ?? ''}` : 'login'),
        secrets,
        async acquire({ http, reason, emit }) {
          const token = held;
          if (!token) return shortLiving(http);
          const due = reason === 'expiring' || reason === 'rejected' || token.expiresAt <= Date.now();
          if (!credentials || !due) return serve(token, emit);
          // Automatic rotation: create, switch (this acquire's result), then revoke the old token.
          const r = await replace(http);
          held = r.next;
          let fresh: AccessToken;
          try {
            fresh = await serve(r.next, emit);
          } catch (error) {
            held = r.old;
            r.discard().catch(() => undefined);
            throw error;
          }
          rotated(r.created, emit);
          // Starts now, lands after the engine switched: the request is in flight for at least a round trip.
          r.retire().catch((error: unknown) =>
            manager.emit('warning', {
              provider: PROVIDER,
              message: `the old private token could not be revoked after a rotation (${error instanceof Error ? error.message : 'error'}); it stays valid until ${iso(r.old.expiresAt)}`,
            }),
          );
          return fresh;
        },
      },
      api: (m: TokenManager): GenericJwtApi => {
        manager = m;
        return {
          async createPrivateToken(init) {
            const body = request(init, false);
            const { body: answer, response } = await call('createPrivateToken', { body });
            return created(answer, response).info;
          },
          async listPrivateTokens() {
            const { body, response } = await call('listPrivateTokens');
            const parsed = privateTokenList.safeParse(body);
            if (!parsed.success) {
              throw new PrivateTokenError({ operation: OPERATIONS.listPrivateTokens, problem: 'the answer is not a list of private tokens', status: response.status });
            }
            return parsed.data.map(({ id, name, expires_at, created_at }) => ({
              id,
              name,
              expiresAt: new Date(expires_at),
              ...(created_at ? { createdAt: new Date(created_at) } : {}),
            }));
          },
          async revokePrivateToken(id) {
            if ((typeof id !== 'string' && typeof id !== 'number') || id === '') throw invalid('id', 'must be the id of a private token');
            await call('revokePrivateToken', { id });
          },
          async rotatePrivateToken(init) {
            if (!held) throw invalid('privateToken', 'rotatePrivateToken() needs a private token in use (long-living mode)');
            needCredentials();
            const old = held;
            let r: Replacement;
            try {
              r = await replace(client(), init);
            } catch (cause) {
              if (cause instanceof InvalidOptionsError) throw cause;
              throw new RotationError({ step: 'create', cause, oldTokenId: old.id, aftermath: 'Nothing changed: the private token in use stays in use.' });
            }
            held = r.next;
            try {
              // A refresh already running may still serve the old token: the second one serves the new.
              if ((await manager.forceRefresh()).value !== r.next.value && (await manager.forceRefresh()).value !== r.next.value) {
                throw new Error('the provider kept serving another token');
              }
            } catch (cause) {
              held = r.old;
              const discarded = await r.discard().then(
                () => true,
                () => false,
              );
              throw new RotationError({
                step: 'switch',
                cause,
                oldTokenId: r.old.id,
                newTokenId: r.created.id,
                aftermath: `The private token in use stays in use; the new one (id ${r.created.id}) ${discarded ? 'was revoked' : 'could not be revoked: revoke it with revokePrivateToken()'}.`,
              });
            }
            rotated(r.created, manager.emit);
            try {
              await r.retire();
            } catch (cause) {
              throw new RotationError({
                step: 'revoke',
                cause,
                oldTokenId: r.old.id,
                newTokenId: r.created.id,
                aftermath: `The new private token (id ${r.created.id}) is in use; the old one stays valid until ${iso(r.old.expiresAt)}: revoke it with revokePrivateToken().`,
              });
            }
            return r.created;
          },
        };
      },
    };
  },
});
