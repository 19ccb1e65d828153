export { readBody, sendJson, startServer } from './server.js';
export type { RunningServer } from './server.js';
export { issueJwt, signJwt } from './jwt.js';
export { startFakeLoginServer, writeLoginFault } from './login-server.js';
export type { ConformanceServer, FakeLoginServer, FakeLoginServerOptions, LoginFault, SeenRequest } from './login-server.js';
export { fakeLoginProvider } from './login-provider.js';
