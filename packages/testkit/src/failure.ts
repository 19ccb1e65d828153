/**
 * Thrown when a provider breaks the engine's contract. The message says what the suite did,
 * what it expected and what happened — never a secret value.
 */
export class ConformanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceError';
  }
}

/** Throws a `ConformanceError` with `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceError(message);
}

/** Throws unless `actual === expected`; `what` names the quantity, e.g. "login calls for 100 concurrent getToken()". */
export function ensureEqual<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) throw new ConformanceError(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** Replaces each of `secrets` in `text`, so failure messages can quote what a provider said. */
export function mask(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[secret]');
  return out;
}

/** A short description of a thrown value for failure messages: name, code and masked message. */
export function describeThrown(thrown: unknown, secrets: Iterable<string> = []): string {
  if (!(thrown instanceof Error)) return `a thrown ${typeof thrown}`;
  const code = (thrown as { code?: unknown }).code;
  const message = thrown.message.length > 200 ? `${thrown.message.slice(0, 200)}…` : thrown.message;
  return `${thrown.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${mask(message, secrets)}`;
}
