export { startFakeThinksuranceServer } from './server.js';
export type { FakeThinksuranceServer, FakeThinksuranceServerOptions } from './server.js';
