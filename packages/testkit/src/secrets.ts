import { inspect } from 'node:util';
import { ConformanceError } from './failure.js';

/** Secrets shorter than this are ignored: they would match ordinary text, and the engine does not redact them either. */
export const MIN_SECRET_LENGTH = 4;

/** One way an error reaches a log, a response or a bug report. */
export type ErrorRendering = 'message' | 'stack' | 'JSON.stringify' | 'util.inspect';

/** A secret found in an error: which one (by position, never by value) and where. */
export interface SecretLeak {
  /** Position of the secret in the list that was checked. */
  readonly index: number;
  readonly rendering: ErrorRendering;
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // A circular error object would also break the user's JSON logger; look inside it anyway.
    const seen = new WeakSet<object>();
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[circular]';
        seen.add(v);
      }
      return v;
    });
  }
}

/** The texts an error shows as: its message, its stack, `JSON.stringify(error)` and `util.inspect(error)` (all levels). */
export function renderError(error: unknown): Readonly<Record<ErrorRendering, string>> {
  const e = error as { message?: unknown; stack?: unknown } | null | undefined;
  return {
    message: typeof e?.message === 'string' ? e.message : String(error),
    stack: typeof e?.stack === 'string' ? e.stack : '',
    'JSON.stringify': stringify(error),
    'util.inspect': inspect(error, { depth: Infinity, breakLength: Infinity }),
  };
}

/** Which of `secrets` appear in any rendering of `error`. Secrets shorter than 4 characters are skipped. */
export function findSecrets(error: unknown, secrets: Iterable<string>): SecretLeak[] {
  const renderings = renderError(error);
  const leaks: SecretLeak[] = [];
  let index = 0;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) {
      for (const [rendering, text] of Object.entries(renderings) as [ErrorRendering, string][]) {
        if (text.includes(secret)) leaks.push({ index, rendering });
      }
    }
    index++;
  }
  return leaks;
}

/**
 * Throws a `ConformanceError` when any of `secrets` (passwords, API secrets, token values)
 * appears in the error's message, stack, `JSON.stringify` or `util.inspect` output. The
 * failure names the secret by its position in `secrets` and by its length, never by value.
 *
 * @param options.context what provoked the error, for the failure message (e.g. "wrong credentials").
 * @param options.kind what the values are, for the failure message (default "secret").
 */
export function expectNoSecrets(error: unknown, secrets: Iterable<string>, options: { context?: string; kind?: string } = {}): void {
  const list = [...secrets];
  const leaks = findSecrets(error, list);
  if (leaks.length === 0) return;
  const kind = options.kind ?? 'secret';
  const byIndex = new Map<number, ErrorRendering[]>();
  for (const leak of leaks) byIndex.set(leak.index, [...(byIndex.get(leak.index) ?? []), leak.rendering]);
  const where = [...byIndex]
    .map(([index, renderings]) => `${kind} #${index} (${list[index]!.length} characters) in its ${renderings.join(', ')}`)
    .join('; ');
  const name = error instanceof Error ? error.name : typeof error;
  throw new ConformanceError(`${options.context ?? 'an error'}: the ${name} leaks ${where}`);
}
