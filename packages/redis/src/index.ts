export { RedisStore } from './store.js';
export type { RedisStoreOptions } from './options.js';
export { RedisStoreError } from './errors.js';
export type { RedisStoreFailure, RedisStoreOperation } from './errors.js';
