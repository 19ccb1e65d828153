export { startFakeGenericJwtServer } from './server.js';
export type { FakeGenericJwtServer, FakeGenericJwtServerOptions, FakePrivateToken, FakePrivateTokenEndpoint } from './server.js';
