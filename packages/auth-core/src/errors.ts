import { inspect } from 'node:util';
import { redactText } from './redact.js';

/** Stable codes to branch on; the message may change, the code does not. */
export type TokenWardenErrorCode =
  | 'CREDENTIALS_REJECTED'
  | 'LOGIN_FAILED'
  | 'LOGIN_TIMEOUT'
  | 'INVALID_TOKEN_RESPONSE'
  | 'TOKEN_REJECTED'
  | 'RATE_LIMITED'
  | 'INVALID_JWT'
  | 'INVALID_OPTIONS'
  | 'API_CALL_FAILED';

/**
 * Base class of every error tokenwarden throws. Built only from non-secret facts: no
 * password, secret, hash, token or Authorization header ever reaches `message`, `toJSON()`
 * or `util.inspect()`.
 */
export abstract class TokenWardenError extends Error {
  abstract readonly code: TokenWardenErrorCode;
  /** Whether trying the same thing again later may succeed. */
  abstract readonly retryable: boolean;

  protected constructor(
    /** Name of the provider, e.g. "mittwald". */
    readonly provider: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /**
   * Replaces every occurrence of `secrets` in the message, stack and string details — a last
   * line of defence for text that came from a server (a body preview, a reason) and may echo
   * what it was sent.
   */
  redact(secrets: readonly string[] | undefined): this {
    if (!secrets?.length) return this;
    const self = this as unknown as Record<string, unknown>;
    for (const key of ['message', 'stack', ...Object.keys(this)]) {
      const value = self[key];
      if (typeof value === 'string') Object.defineProperty(this, key, { value: redactText(value, secrets), configurable: true, writable: true });
    }
    return this;
  }

  /** Non-secret details specific to the error, included in `toJSON()` and `inspect()`. */
  protected details(): Record<string, unknown> {
    return {};
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, provider: this.provider, message: this.message, ...this.details() };
  }

  [inspect.custom](): string {
    const extra = Object.entries(this.details())
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
    const head = (this.stack ?? `${this.name}: ${this.message}`).split('\n');
    head[0] = `${this.name} [${this.code}]: ${this.message}`;
    return extra.length ? `${head.join('\n')} { ${extra.join(', ')} }` : head.join('\n');
  }
}

const seconds = (ms: number): string => `${Math.ceil(ms / 1000)} s`;

/** The provider refused the credentials. No new login is attempted until `retryAfterMs` passed. */
export class CredentialsRejectedError extends TokenWardenError {
  readonly code = 'CREDENTIALS_REJECTED' as const;
  readonly retryable = false;
  /** The server's own words, if it gave any (never a secret). */
  readonly reason: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number;

  constructor(init: { provider: string; reason?: string; status?: number; retryAfterMs: number }) {
    const why = init.reason
      ? `: "${init.reason}"${/[.!?]$/.test(init.reason) ? '' : '.'}`
      : `${init.status ? ` (HTTP ${init.status})` : ''}.`;
    super(init.provider, `${init.provider} rejected the credentials${why} No new login is attempted for ${seconds(init.retryAfterMs)}.`);
    this.reason = init.reason;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** The same rejection, re-thrown during the cool-down with the time that is left. */
  withRemaining(ms: number): CredentialsRejectedError {
    return new CredentialsRejectedError({ provider: this.provider, reason: this.reason, status: this.status, retryAfterMs: ms });
  }

  protected override details() {
    return { reason: this.reason, status: this.status, retryAfterMs: this.retryAfterMs };
  }
}

/** A login failed for a reason that may pass: network error, 5xx, 429. */
export class LoginFailedError extends TokenWardenError {
  readonly code = 'LOGIN_FAILED' as const;
  readonly retryable = true;
  readonly status: number | undefined;
  /** What the server asked for with Retry-After, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(init: { provider: string; problem: string; status?: number; retryAfterMs?: number }) {
    const after = init.retryAfterMs !== undefined ? ` The server asked to retry after ${seconds(init.retryAfterMs)}.` : '';
    super(init.provider, `${init.provider} login failed: ${init.problem}.${after}`);
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }

  protected override details() {
    return { status: this.status, retryAfterMs: this.retryAfterMs };
  }
}

/** The login did not complete within its deadline (a hanging or trickling server). */
export class LoginTimeoutError extends TokenWardenError {
  readonly code = 'LOGIN_TIMEOUT' as const;
  readonly retryable = true;
  readonly timeoutMs: number;

  constructor(init: { provider: string; timeoutMs: number }) {
    super(init.provider, `${init.provider} login did not complete within ${init.timeoutMs} ms; the request was aborted.`);
    this.timeoutMs = init.timeoutMs;
  }

  protected override details() {
    return { timeoutMs: this.timeoutMs };
  }
}

/** The login endpoint answered, but not with a token: HTML, empty body, wrong shape, too large. */
export class InvalidTokenResponseError extends TokenWardenError {
  readonly code = 'INVALID_TOKEN_RESPONSE' as const;
  readonly retryable = false;
  readonly status: number | undefined;
  /** A short, redacted start of the body. */
  readonly preview: string | undefined;

  constructor(init: { provider: string; problem: string; status?: number; preview?: string }) {
    const body = init.preview !== undefined ? ` Body starts with: ${JSON.stringify(init.preview)}` : '';
    super(init.provider, `${init.provider} login answered something that is not a token: ${init.problem}.${body}`);
    this.status = init.status;
    this.preview = init.preview;
  }

  protected override details() {
    return { status: this.status, preview: this.preview };
  }
}

/** The API rejected a request again after one retry with a fresh token. */
export class TokenRejectedError extends TokenWardenError {
  readonly code = 'TOKEN_REJECTED' as const;
  readonly retryable = false;
  readonly status: number;
  readonly method: string;
  /** The request URL with token query parameters redacted. */
  readonly url: string;
  /** The API's error code, e.g. "token_not_valid", when its body has one. */
  readonly apiCode: string | undefined;
  /** The API's explanation, when its body has one. */
  readonly detail: string | undefined;

  constructor(init: { provider: string; status: number; method: string; url: string; apiCode?: string; detail?: string }) {
    const why = init.apiCode || init.detail ? ` (${[init.apiCode, init.detail].filter(Boolean).join(': ')})` : '';
    super(
      init.provider,
      `${init.provider} rejected the token for ${init.method.toUpperCase()} ${init.url} with status ${init.status}${why}, also after one retry with a fresh token.`,
    );
    this.status = init.status;
    this.method = init.method.toUpperCase();
    this.url = init.url;
    this.apiCode = init.apiCode;
    this.detail = init.detail;
  }

  protected override details() {
    return { status: this.status, method: this.method, url: this.url, apiCode: this.apiCode, detail: this.detail };
  }
}

/** No login is attempted before `retryAt` (a 429, or a rate-limit budget that is used up). */
export class RateLimitedError extends TokenWardenError {
  readonly code = 'RATE_LIMITED' as const;
  readonly retryable = true;
  /** Epoch milliseconds from which a login may be attempted again. */
  readonly retryAt: number;

  constructor(init: { provider: string; retryAt: number; why?: string }) {
    super(
      init.provider,
      `${init.provider} login is rate limited${init.why ? ` (${init.why})` : ''} and there is no valid token; retry after ${new Date(init.retryAt).toISOString()}.`,
    );
    this.retryAt = init.retryAt;
  }

  protected override details() {
    return { retryAt: new Date(this.retryAt).toISOString() };
  }
}

/** A string that should be a JWT is not one. */
export class InvalidJwtError extends TokenWardenError {
  readonly code = 'INVALID_JWT' as const;
  readonly retryable = false;

  constructor(init: { provider?: string; problem: string }) {
    super(init.provider ?? 'jwt', `Not a valid JWT: ${init.problem}.`);
  }
}

/** One invalid option: where, and what is wrong with it (never its value). */
export interface OptionIssue {
  readonly path: string;
  readonly message: string;
}

/** The options passed to a provider or the engine are invalid; lists every invalid field at once. */
export class InvalidOptionsError extends TokenWardenError {
  readonly code = 'INVALID_OPTIONS' as const;
  readonly retryable = false;
  readonly issues: readonly OptionIssue[];

  constructor(init: { provider: string; issues: readonly OptionIssue[] }) {
    const list = init.issues.map((i) => `${i.path || '(options)'}: ${i.message}`).join('; ');
    super(init.provider, `Invalid ${init.provider} options — ${list}`);
    this.issues = init.issues;
  }

  protected override details() {
    return { issues: this.issues };
  }
}

/**
 * A provider's own API call (create, list or revoke a long-lived token, fetch a configuration)
 * failed. `retryable` is true for network errors, timeouts, 408, 429 and 5xx.
 */
export class ApiCallFailedError extends TokenWardenError {
  readonly code = 'API_CALL_FAILED' as const;
  readonly retryable: boolean;
  /** What was attempted, e.g. "create access token". */
  readonly operation: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: { provider: string; operation: string; problem: string; status?: number; retryAfterMs?: number; retryable?: boolean }) {
    super(init.provider, `${init.provider} ${init.operation} failed: ${init.problem}.`);
    this.operation = init.operation;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    const { status } = init;
    this.retryable = init.retryable ?? (status === undefined || status === 408 || status === 429 || status >= 500);
  }

  protected override details() {
    return { operation: this.operation, status: this.status, retryAfterMs: this.retryAfterMs };
  }
}
