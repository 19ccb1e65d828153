export { NOT_EXISTING, TOKEN_INVALID, formatDateTime, startFakeThinksuranceServer } from './server.js';
export type { FakeThinksuranceServer, FakeThinksuranceServerOptions, SeenLogin } from './server.js';
