export { startFakeMeldescheinServer } from './server.js';
export type { FakeMeldescheinServer, FakeMeldescheinServerOptions, SeenRequest } from './server.js';
