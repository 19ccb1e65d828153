export type { AccessToken, AcquireContext, AcquireReason, TokenSource } from './token.js';
export type { ApiResponse, HeaderReader, Presenter, RejectionDetail, TokenPlacement } from './presenter.js';
export { headerPresenter, queryPresenter } from './presenter.js';
export type { StoreChange, StoreLock, TokenStore } from './store.js';
export { MemoryStore } from './memory-store.js';
export {
  ApiCallFailedError,
  CredentialsRejectedError,
  InvalidJwtError,
  InvalidOptionsError,
  InvalidTokenResponseError,
  LoginFailedError,
  LoginTimeoutError,
  RateLimitedError,
  TokenRejectedError,
  TokenWardenError,
} from './errors.js';
export type { OptionIssue, TokenWardenErrorCode } from './errors.js';
export { decodeJwt, jwtExpiry, parseHttpDate, serverRelativeExpiry } from './jwt.js';
export type { DecodedJwt } from './jwt.js';
export { assertLoginOk, createHttpClient, readJson } from './http.js';
export type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from './http.js';
export { parseRetryAfter } from './backoff.js';
export type { RetryOptions } from './backoff.js';
export type { Logger, TokenEventListener, TokenEventName, TokenEvents } from './events.js';
export { TokenManager } from './manager.js';
export type { GetTokenOptions, RefreshOptions, TokenManagerOptions } from './manager.js';
export { createProvider, defineProvider, normalizeOrigin, parseOptions } from './provider.js';
export type { Provider, ProviderDefinition, ProviderFactory, ProviderSetup } from './provider.js';
export { ProviderRegistry, createRegistry } from './registry.js';
export type { ProviderResolver } from './registry.js';
export { createAuthFetch } from './fetch.js';
export { previewBody, redactText, redactUrl } from './redact.js';
export { cacheKeyOf } from './cache-key.js';
export { schemaOf } from './schema.js';
