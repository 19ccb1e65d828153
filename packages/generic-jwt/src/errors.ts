import { ApiCallFailedError, TokenWardenError, redactText } from '@tokenwarden/auth-core';

const PROVIDER = 'generic-jwt';

/** The private-token calls, as `operation` names them. */
export type PrivateTokenOperation = 'create private token' | 'list private tokens' | 'revoke private token';

/** The steps of `rotatePrivateToken()`, in order. */
export type RotationStep = 'create' | 'switch' | 'revoke';

const sentence = (text: string) => text.replace(/\.$/, '');

/**
 * A private-token call (create, list, revoke) failed: an error status, an unexpected body, no
 * answer in time, or no connection. An `ApiCallFailedError` (`code: 'API_CALL_FAILED'`) that
 * also carries the API's own `code` and `detail` when its body has them.
 */
export class PrivateTokenError extends ApiCallFailedError {
  declare readonly operation: PrivateTokenOperation;
  /** The API's error code, e.g. "token_not_valid". */
  readonly apiCode: string | undefined;
  /** The API's explanation, with the provider's secrets redacted. */
  readonly detail: string | undefined;

  constructor(init: {
    operation: PrivateTokenOperation;
    problem: string;
    status?: number;
    retryAfterMs?: number;
    retryable?: boolean;
    apiCode?: string;
    detail?: string;
    secrets?: readonly string[];
  }) {
    const detail = init.detail === undefined ? undefined : redactText(init.detail, init.secrets);
    const why = [init.apiCode, detail].filter(Boolean).join(': ');
    const { operation, status, retryAfterMs, retryable } = init;
    super({ provider: PROVIDER, operation, problem: `${init.problem}${why ? ` (${why})` : ''}`, status, retryAfterMs, retryable });
    this.apiCode = init.apiCode;
    this.detail = detail;
  }

  protected override details() {
    return { ...super.details(), apiCode: this.apiCode, detail: this.detail };
  }
}

/**
 * `rotatePrivateToken()` failed at `step`. A working token is still in place — `inUse` says
 * which one — and the message says what is left to do (e.g. revoke the old token by hand).
 * An `ApiCallFailedError` with `operation: 'rotate private token'`; `status` is the failed
 * call's, and `retryable` says whether calling `rotatePrivateToken()` again may succeed
 * (never after step `revoke`: the rotation is done, only the old token is left to revoke).
 */
export class RotationError extends ApiCallFailedError {
  declare readonly operation: 'rotate private token';
  readonly step: RotationStep;
  /** The private token the provider serves now: the one it had (`old`) or the new one. */
  readonly inUse: 'old' | 'new';
  readonly oldTokenId: string | number | undefined;
  /** Id of the token the failed rotation created, if it got that far. */
  readonly newTokenId: string | number | undefined;

  constructor(init: { step: RotationStep; cause: unknown; aftermath: string; oldTokenId?: string | number; newTokenId?: string | number }) {
    const { step, cause } = init;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super({
      provider: PROVIDER,
      operation: 'rotate private token',
      problem: `at step "${step}": ${sentence(reason)}. ${sentence(init.aftermath)}`,
      status: cause instanceof ApiCallFailedError ? cause.status : undefined,
      retryable: step !== 'revoke' && cause instanceof TokenWardenError && cause.retryable,
    });
    // Like `new Error(message, { cause })`: not enumerable, so it stays out of JSON.
    Object.defineProperty(this, 'cause', { value: cause, configurable: true, writable: true });
    this.step = step;
    this.inUse = step === 'revoke' ? 'new' : 'old';
    this.oldTokenId = init.oldTokenId;
    this.newTokenId = init.newTokenId;
  }

  protected override details() {
    const { step, inUse, oldTokenId, newTokenId } = this;
    return { ...super.details(), step, inUse, oldTokenId, newTokenId };
  }
}
