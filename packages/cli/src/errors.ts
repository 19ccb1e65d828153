import { TokenWardenError, redactText } from '@tokenwarden/auth-core';

/**
 * Exit codes of the `tokenwarden` command. Stable: scripts may branch on them.
 * - 0 `ok`
 * - 1 `internal`: an unexpected error (a bug; please report it)
 * - 2 `usage`: unknown command or option, missing argument or credential, invalid option value
 * - 3 `credentialsRejected`: the provider refused the credentials
 * - 4 `failed`: the login or an API call failed otherwise (network, timeout, 5xx, 429, a body
 *   that is not a token, a token the API refused, a failed provider API call)
 * - 5 `invalidJwt`: `inspect` was given something that is not a JWT
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  credentialsRejected: 3,
  failed: 4,
  invalidJwt: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The command line itself is wrong: exit code 2 with a hint to `--help`. */
export class UsageError extends Error {
  readonly code = 'USAGE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The exit code an error ends the command with. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.usage;
  if (!(error instanceof TokenWardenError)) return ExitCode.internal;
  switch (error.code) {
    case 'INVALID_OPTIONS':
      return ExitCode.usage;
    case 'CREDENTIALS_REJECTED':
      return ExitCode.credentialsRejected;
    case 'INVALID_JWT':
      return ExitCode.invalidJwt;
    case 'LOGIN_FAILED':
    case 'LOGIN_TIMEOUT':
    case 'INVALID_TOKEN_RESPONSE':
    case 'RATE_LIMITED':
    case 'TOKEN_REJECTED':
    case 'API_CALL_FAILED':
      return ExitCode.failed;
  }
}

/**
 * What is printed for an error, as text or as JSON, with every secret the command was given
 * (and anything shaped like a JWT) replaced. tokenwarden's own errors are already redacted;
 * this is the last line of defence for errors from elsewhere (a socket error, a bug).
 */
export function describeError(error: unknown, secrets: readonly string[]): { text: string; json: Record<string, unknown> } {
  const scrub = (text: string) => redactText(text, secrets);
  if (error instanceof TokenWardenError) {
    const json = JSON.parse(scrub(JSON.stringify(error))) as Record<string, unknown>;
    return { text: scrub(error.message), json };
  }
  if (error instanceof UsageError) {
    return { text: `${scrub(error.message)}. See --help.`, json: { name: error.name, code: error.code, message: scrub(error.message) } };
  }
  const message = scrub(error instanceof Error ? error.message : String(error));
  return {
    text: `unexpected error: ${message}. This is a bug in tokenwarden; please report it.`,
    json: { name: error instanceof Error ? error.name : 'Error', code: 'INTERNAL', message },
  };
}
