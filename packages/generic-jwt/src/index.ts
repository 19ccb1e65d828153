export { genericJwt, genericJwtOptions } from './provider.js';
export type { GenericJwtOptions } from './provider.js';
