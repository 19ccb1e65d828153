export { startFakeMeldescheinServer } from './server.js';
export type { FakeMeldescheinServer, FakeMeldescheinServerOptions } from './server.js';
/** A request a fake server received (the same shape every tokenwarden fake server records). */
export type { SeenRequest } from '@tokenwarden/auth-core/testing';
