export { mittwald, mittwaldOptions } from './provider.js';
export type { MittwaldApi, MittwaldOptions } from './provider.js';
export type { MittwaldAccessToken, MittwaldAccessTokenInfo } from './access-tokens.js';
export type { RateLimit } from './rate-limit.js';
export { isCacheHit, noCache } from './cache.js';
export type { ResponseHeaders } from './cache.js';
