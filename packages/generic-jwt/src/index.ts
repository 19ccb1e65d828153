export { genericJwt } from './provider.js';
export type { GenericJwtApi, NewPrivateToken } from './provider.js';
export { genericJwtOptions } from './options.js';
export type { CreatedPrivateToken, Credentials, DateInput, GenericJwtOptions, PrivateTokenInfo } from './options.js';
export { PrivateTokenError, RotationError } from './errors.js';
export type { PrivateTokenOperation, RotationStep } from './errors.js';
