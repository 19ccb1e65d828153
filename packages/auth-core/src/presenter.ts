import type { TokenEventEmitter } from './events.js';
import type { AccessToken } from './token.js';

/** Case-insensitive header lookup, the same for axios and fetch responses. */
export interface HeaderReader {
  get(name: string): string | undefined;
}

/** What the integrations show a presenter of an API response. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: HeaderReader;
  /** Parsed JSON, text, or `undefined` when the body was not read (see `inspectsSuccessBodies`). */
  readonly body: unknown;
  readonly method: string;
  /** Request URL with token query parameters redacted. */
  readonly url: string;
}

/** Where a token goes on a request. */
export interface TokenPlacement {
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
}

/** The API's own words when it rejects a token, e.g. `{ code: "token_not_valid" }`. */
export interface RejectionDetail {
  readonly apiCode?: string;
  readonly detail?: string;
}

/** How a provider's token goes on a request, and how a response says it was not accepted. */
export interface Presenter {
  place(token: AccessToken): TokenPlacement;
  /** True when the response says this token is no longer accepted (expired, revoked, unknown). */
  isRejected(response: ApiResponse): boolean;
  /** Extracts the API's reason from a rejection, for `TokenRejectedError`. */
  describeRejection?(response: ApiResponse): RejectionDetail;
  /** Set when `isRejected` must see bodies of successful responses too (errors inside HTTP 200). */
  readonly inspectsSuccessBodies?: boolean;
  /** Query parameters that carry the token; their values are redacted from URLs in errors and logs. */
  readonly secretQueryParams?: readonly string[];
  /** Sees every response to a request that carried the token (e.g. to report rate-limit headers). */
  observe?(response: ApiResponse, emit: TokenEventEmitter['emit']): void;
}

/** `Authorization: <scheme> <token>` (or another header), rejected on 401. */
export function headerPresenter(init: { header?: string; scheme?: string; rejectStatuses?: readonly number[] } = {}): Presenter {
  const header = init.header ?? 'Authorization';
  const statuses = init.rejectStatuses ?? [401];
  return {
    place: (token) => ({ headers: { [header]: `${init.scheme ?? token.scheme} ${token.value}` } }),
    isRejected: (res) => statuses.includes(res.status),
  };
}

/** `?<name>=<token>` — the token lands in access logs and proxies; prefer a header. */
export function queryPresenter(name: string, init: { rejectStatuses?: readonly number[] } = {}): Presenter {
  const statuses = init.rejectStatuses ?? [401];
  return {
    place: (token) => ({ query: { [name]: token.value } }),
    isRejected: (res) => statuses.includes(res.status),
    secretQueryParams: [name],
  };
}
