export { startFakeMittwaldServer } from './server.js';
export type { FakeMittwaldServer, FakeMittwaldServerOptions } from './server.js';
