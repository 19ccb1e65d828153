import type { TokenWardenError } from './errors.js';
import type { AcquireReason } from './token.js';

/** Everything a manager reports. Payloads carry no secrets. */
export interface TokenEvents {
  /** A new token was obtained (from the provider, or from a shared store). */
  acquired: {
    readonly provider: string;
    readonly reason: AcquireReason;
    readonly issuedAt: number;
    readonly expiresAt: number;
    readonly fromStore: boolean;
  };
  /** A login attempt failed; `retryInMs` is set when the engine will try again by itself. */
  refreshFailed: {
    readonly provider: string;
    readonly reason: AcquireReason;
    readonly error: TokenWardenError;
    readonly attempt: number;
    readonly retryInMs?: number;
  };
  /** An API response rejected a token; `invalidated` is false when it was already replaced. */
  rejected: { readonly provider: string; readonly status: number; readonly method: string; readonly url: string; readonly invalidated: boolean };
  /** A rate-limit budget seen in a response. */
  rateLimit: { readonly provider: string; readonly endpoint: string; readonly limit: number; readonly remaining: number };
  /** Something the user should know that is not an error (a fallback was used, a store is unreachable). */
  warning: { readonly provider: string; readonly message: string };
}

export type TokenEventName = keyof TokenEvents;
export type TokenEventListener<E extends TokenEventName> = (payload: TokenEvents[E]) => void;

/** The usual level methods; any console-like or pino-like logger fits. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** A tiny typed emitter; a throwing listener is logged and never breaks the engine. */
export class TokenEventEmitter {
  private readonly listeners = new Map<TokenEventName, Set<(payload: never) => void>>();

  constructor(private readonly logger?: Logger) {}

  on<E extends TokenEventName>(event: E, listener: TokenEventListener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  emit<E extends TokenEventName>(event: E, payload: TokenEvents[E]): void {
    const set = this.listeners.get(event) as Set<TokenEventListener<E>> | undefined;
    if (!set) return;
    for (const listener of set) {
      try {
        listener(payload);
      } catch (error) {
        this.logger?.error?.(`tokenwarden: a "${event}" listener threw`, { error: String(error) });
      }
    }
  }
}
