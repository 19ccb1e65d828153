export { MELDESCHEIN_URLS, apiRoot, meldeschein, meldescheinOptions } from './provider.js';
export type { MeldescheinApi, MeldescheinOptions } from './provider.js';
export { InvalidRequestError, bodyWithMeta, mergeMeta } from './meta.js';
export type { BodyFormat, MetaOptions, MetaRequest } from './meta.js';
export type { GetConfigOptions } from './config.js';
export { configSchema, metaSchema } from './schemas.js';
export type { Meta, MeldescheinConfig } from './schemas.js';
