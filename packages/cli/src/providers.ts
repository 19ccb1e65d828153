import { InvalidOptionsError, type Provider, type TokenManagerOptions } from '@tokenwarden/auth-core';

/** One provider option as the command line sees it: a `--flag` and, optionally, an environment variable. */
export interface CliOption {
  /** The value's name, camelCase (`baseUrl`); the flag is its kebab-case form (`--base-url`). */
  readonly key: string;
  /** Where the provider's options hold it, when not at `key` (e.g. `endpoints.login`): maps its validation issues back to the flag. */
  readonly path?: string;
  /** Environment variable read when the flag is absent, e.g. `MITTWALD_PASSWORD`. */
  readonly env?: string;
  /** Passwords, secrets, hashes, tokens: never printed, and scrubbed from every error. */
  readonly secret?: boolean;
  readonly description: string;
}

/** Option values collected from flags and the environment; absent ones are left out. */
export type CliValues = Readonly<Record<string, string>>;

/** A long-lived-token command of a provider (`tokenwarden create-token <provider>`). */
export interface CreateTokenCommand {
  readonly summary: string;
  /** Options of the new token (the login options come from the provider). */
  readonly options: readonly CliOption[];
  /** What to do with the new token, printed to stderr after it (not with `--json`). */
  readonly hint?: string;
  /**
   * Creates the token with `provider` (the one this entry's `create` made); the result is
   * printed as JSON with `--json`, else as `key  value` lines.
   */
  run(provider: Provider, values: CliValues): Promise<Readonly<Record<string, unknown>>>;
}

/** A provider the `token` and `create-token` commands can log in with. */
export interface CliProvider {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly CliOption[];
  /** Builds the provider; invalid or missing values surface as `InvalidOptionsError` (exit code 2). */
  create(values: CliValues, engine: TokenManagerOptions): Provider;
  readonly createToken?: CreateTokenCommand;
}

/** `baseUrl` → `base-url` */
export const flagOf = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Reads `options` from parsed flags, falling back to the environment. Every secret value found is
 * pushed onto `secrets` before anything can fail, so no error printed later can contain it.
 */
export function collectValues(
  options: readonly CliOption[],
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  secrets: string[],
): CliValues {
  const values: Record<string, string> = {};
  for (const option of options) {
    const flag = flags[flagOf(option.key)];
    const value = typeof flag === 'string' ? flag : option.env ? env[option.env] : undefined;
    if (value === undefined || value === '') continue;
    if (option.secret) secrets.push(value);
    values[option.key] = value;
  }
  return values;
}

/**
 * Re-words a provider's `InvalidOptionsError` for the command line: each issue names the flag
 * and environment variable that set it (never its value).
 */
export function explainOptionIssues(error: InvalidOptionsError, options: readonly CliOption[]): InvalidOptionsError {
  return new InvalidOptionsError({
    provider: error.provider,
    issues: error.issues.map((issue) => {
      const option = options.find((o) => {
        const path = o.path ?? o.key;
        return issue.path === path || issue.path.startsWith(`${path}.`);
      });
      if (!option) return issue;
      const where = [`--${flagOf(option.key)}`, option.env].filter(Boolean).join(' or ');
      return { path: where, message: issue.message };
    }),
  });
}
