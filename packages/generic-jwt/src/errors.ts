import { redactText } from '@tokenwarden/auth-core';

/** The private-token calls, as named in errors. */
export type PrivateTokenOperation = 'createPrivateToken' | 'listPrivateTokens' | 'revokePrivateToken';

/** The steps of `rotatePrivateToken()`, in order. */
export type RotationStep = 'create' | 'switch' | 'revoke';

/**
 * A private-token call (create, list, revoke) was answered with an error status or an
 * unexpected body. Carries the API's own `code` and `detail` when its body has them.
 */
export class PrivateTokenError extends Error {
  readonly code = 'PRIVATE_TOKEN_REQUEST_FAILED' as const;
  readonly provider = 'generic-jwt';
  readonly operation: PrivateTokenOperation;
  readonly status: number | undefined;
  /** The API's error code, e.g. "token_not_valid". */
  readonly apiCode: string | undefined;
  /** The API's explanation. */
  readonly detail: string | undefined;
  /** Whether the same call may succeed later (HTTP 408, 429, 5xx). */
  readonly retryable: boolean;

  constructor(init: { operation: PrivateTokenOperation; problem: string; status?: number; apiCode?: string; detail?: string; secrets?: readonly string[] }) {
    const detail = init.detail === undefined ? undefined : redactText(init.detail, init.secrets);
    const why = [init.apiCode, detail].filter(Boolean).join(': ');
    super(`generic-jwt ${init.operation} failed: ${init.problem}${why ? ` (${why})` : ''}.`);
    this.name = 'PrivateTokenError';
    this.operation = init.operation;
    this.status = init.status;
    this.apiCode = init.apiCode;
    this.detail = detail;
    const s = init.status ?? 0;
    this.retryable = s === 408 || s === 429 || s >= 500;
  }

  toJSON(): Record<string, unknown> {
    const { name, code, provider, message, operation, status, apiCode, detail } = this;
    return { name, code, provider, message, operation, status, apiCode, detail };
  }
}

/**
 * `rotatePrivateToken()` failed at `step`. A working token is still in place — `inUse` says
 * which one — and the message says what is left to do (e.g. revoke the old token by hand).
 */
export class RotationError extends Error {
  readonly code = 'PRIVATE_TOKEN_ROTATION_FAILED' as const;
  readonly provider = 'generic-jwt';
  readonly step: RotationStep;
  /** The private token the provider serves now: the one it had (`old`) or the new one. */
  readonly inUse: 'old' | 'new';
  readonly oldTokenId: string | number | undefined;
  /** Id of the token the failed rotation created, if it got that far. */
  readonly newTokenId: string | number | undefined;

  constructor(init: { step: RotationStep; cause: unknown; aftermath: string; oldTokenId?: string | number; newTokenId?: string | number }) {
    const reason = init.cause instanceof Error ? init.cause.message : String(init.cause);
    super(`generic-jwt private token rotation failed at step "${init.step}": ${reason} ${init.aftermath}`, { cause: init.cause });
    this.name = 'RotationError';
    this.step = init.step;
    this.inUse = init.step === 'revoke' ? 'new' : 'old';
    this.oldTokenId = init.oldTokenId;
    this.newTokenId = init.newTokenId;
  }

  toJSON(): Record<string, unknown> {
    const { name, code, provider, message, step, inUse, oldTokenId, newTokenId } = this;
    return { name, code, provider, message, step, inUse, oldTokenId, newTokenId };
  }
}
