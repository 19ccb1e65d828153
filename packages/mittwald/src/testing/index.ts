export { startFakeMittwaldServer } from './server.js';
export type { FakeMittwaldServer, FakeMittwaldServerOptions, FakeMittwaldSettings } from './server.js';
