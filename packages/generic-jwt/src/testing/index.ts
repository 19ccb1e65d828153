export { startFakeGenericJwtServer } from './server.js';
export type { FakeGenericJwtServer, FakeGenericJwtServerOptions } from './server.js';
