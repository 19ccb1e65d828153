// Pieces shared by the axios and fetch integrations, so both behave the same.
import { TokenRejectedError } from './errors.js';
import type { ApiResponse } from './presenter.js';
import type { Provider } from './provider.js';
import { redactUrl } from './redact.js';

/** Emits `rejected` and builds the error thrown when a request is rejected again after its retry. */
export function rejectedAfterRetry(provider: Provider, response: ApiResponse): TokenRejectedError {
  const detail = provider.presenter.describeRejection?.(response) ?? {};
  return new TokenRejectedError({ provider: provider.name, status: response.status, method: response.method, url: response.url, ...detail });
}

export function reportRejection(provider: Provider, response: ApiResponse, invalidated: boolean): void {
  provider.manager.emit('rejected', {
    provider: provider.name,
    status: response.status,
    method: response.method.toUpperCase(),
    url: response.url,
    invalidated,
  });
}

/** The URL as it may appear in errors, events and logs. */
export function safeUrl(provider: Provider, url: string): string {
  return redactUrl(url, provider.presenter.secretQueryParams ?? []);
}

/** Parses a body as JSON if it is JSON, else returns the text (for `isRejected`). */
export function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A lookup in a plain header record, case-insensitive. */
export function headerReader(headers: Readonly<Record<string, unknown>>): ApiResponse['headers'] {
  return {
    get(name) {
      const wanted = name.toLowerCase();
      for (const [key, value] of Object.entries(headers)) {
        if (key.toLowerCase() === wanted && value !== undefined && value !== null) return String(value);
      }
      return undefined;
    },
  };
}
