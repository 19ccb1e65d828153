export { startFakeMeldescheinServer } from './server.js';
export type { FakeMeldescheinServer, FakeMeldescheinServerOptions } from './server.js';
