import { z } from 'zod';

const DAY_MS = 86_400_000;

/** What a login body is built from. */
export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** A point in time: a `Date`, an ISO 8601 string or epoch milliseconds. */
export type DateInput = Date | string | number;

/** A private token the API created; `token` is its value, shown by the API this once. */
export interface CreatedPrivateToken extends PrivateTokenInfo {
  readonly token: string;
}

/** A private token as `listPrivateTokens()` shows it. Times are the server's. */
export interface PrivateTokenInfo {
  readonly id: string | number;
  readonly name: string;
  readonly expiresAt: Date;
  readonly createdAt?: Date;
}

const fn = <T>() => z.custom<T>((value) => typeof value === 'function', 'must be a function');
const dateInput = z.union([z.date(), z.string(), z.number()]);
/** `"[METHOD ]path-or-url"`: the method is optional, the path resolves against `baseUrl`. */
const endpoint = (fallback: string) =>
  z
    .string()
    .regex(/^(?:[A-Z]+ +)?\S+$/, 'must be "[METHOD ]path", e.g. "POST /auth/login"')
    .default(fallback);

export const genericJwtOptions = z
  .object({
    /** Base URL of the API; relative endpoint paths resolve against it, and only its origin ever receives a token. */
    baseUrl: z.url(),
    /** Account login (sent as `email` unless `loginBody` says otherwise). Needed for short-living tokens and for every private-token call. */
    email: z.string().min(1).optional(),
    /** Account password; never logged, never part of an error. */
    password: z.string().min(1).optional(),
    /**
     * A stored long-living token: the provider serves it until it expires instead of logging in.
     * A string, or `{ token, expiresAt?, id?, name? }` — `expiresAt` is needed unless the token is a
     * JWT with `exp`; `id` is needed to revoke it when it is rotated.
     */
    privateToken: z
      .union([
        z.string().regex(/^\S+$/),
        z.object({
          token: z.string().regex(/^\S+$/),
          expiresAt: dateInput.optional(),
          id: z.union([z.string().min(1), z.number()]).optional(),
          name: z.string().optional(),
        }),
      ])
      .optional(),
    /**
     * The login body (default `{ email, password }`): a function of the credentials, or a template
     * object whose string values have `{{email}}` and `{{password}}` replaced.
     */
    loginBody: z.union([fn<(credentials: Credentials) => unknown>(), z.record(z.string(), z.unknown())]).optional(),
    /** Dot path of the token in the login's JSON answer, e.g. `"token"` (default) or `"data.access"`. */
    tokenPath: z.string().regex(/^[^.]+(\.[^.]+)*$/, 'must be a dot path such as "data.access"').default('token'),
    /** Authorization scheme: `Authorization: <scheme> <token>` (default `"Bearer"`). */
    scheme: z.string().regex(/^\S+$/).default('Bearer'),
    /**
     * Lifetime in milliseconds of a login token that states none. A JWT without `exp` lasts 1 hour
     * by default (the documented lifetime of short-living tokens); a token that is not a JWT is
     * refused unless this is set, since nothing says when it expires.
     */
    tokenLifetimeMs: z.number().int().positive().optional(),
    /** The endpoints, as `"[METHOD ]path"`; the revoke path has an `{id}` placeholder. */
    endpoints: z
      .object({
        login: endpoint('POST /auth/login'),
        createPrivateToken: endpoint('POST /auth/private-tokens'),
        listPrivateTokens: endpoint('GET /auth/private-tokens'),
        revokePrivateToken: endpoint('DELETE /auth/private-tokens/{id}').refine((value) => value.includes('{id}'), 'must contain "{id}"'),
      })
      .prefault({}),
    /** A `warning` event is emitted once per private token when it is used less than this long before it expires (default 7 days, in ms). */
    expiryWarningMs: z.number().int().nonnegative().default(7 * DAY_MS),
    /** What automatic and manual rotations create. */
    rotation: z
      .object({
        /** Name of the created private token (default `"tokenwarden"`). */
        name: z.string().min(1).default('tokenwarden'),
        /** Lifetime of the created private token in ms (default 30 days); the API requires one. */
        lifetimeMs: z.number().int().positive().default(30 * DAY_MS),
        /**
         * Automatic rotation starts this long, in ms, before the private token in use expires.
         * Default: the engine's refresh point (`refresh.share` of the token's lifetime, 75 %).
         * Must be shorter than `lifetimeMs`, or every new token would be due at once.
         */
        rotateBeforeMs: z.number().int().positive().optional(),
        /** Called with every private token a rotation switched to — store it, or a restart falls back to the old one. */
        onRotated: fn<(token: CreatedPrivateToken) => void>().optional(),
      })
      .prefault({}),
    /**
     * Signature verification with `jose` (off by default): a JWKS URL or a key (PEM public key or
     * certificate, JWK, or an HMAC secret). With it on, unsigned (`alg: none`) and wrongly signed
     * tokens are refused with `InvalidJwtError`.
     */
    verify: z
      .object({
        jwksUrl: z.url().optional(),
        key: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
        /** Accepted `alg` values (default: HS256/384/512 for a secret, else whatever the key supports). */
        algorithms: z.array(z.string().min(1)).min(1).optional(),
        /** Required `iss` claim. */
        issuer: z.string().optional(),
        /** Required `aud` claim. */
        audience: z.string().optional(),
      })
      .refine((v) => (v.jwksUrl === undefined) !== (v.key === undefined), 'set exactly one of jwksUrl and key')
      .optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.email === undefined) !== (o.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: [o.email === undefined ? 'email' : 'password'], message: 'email and password go together' });
    } else if (o.email === undefined && o.privateToken === undefined) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'set email and password, a privateToken, or both' });
    }
    if (o.rotation.rotateBeforeMs !== undefined && o.rotation.rotateBeforeMs >= o.rotation.lifetimeMs) {
      ctx.addIssue({ code: 'custom', path: ['rotation', 'rotateBeforeMs'], message: 'must be shorter than rotation.lifetimeMs' });
    }
  });

/** What `genericJwt(options)` accepts. */
export type GenericJwtOptions = z.input<typeof genericJwtOptions>;
export type ParsedOptions = z.output<typeof genericJwtOptions>;
