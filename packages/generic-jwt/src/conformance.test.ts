import { runConformanceSuite } from '@tokenwarden/testkit';
import { genericJwt } from './provider.js';
import { startFakeGenericJwtServer } from './testing/index.js';

runConformanceSuite({
  name: 'generic-jwt',
  startServer: () => startFakeGenericJwtServer(),
  createProvider: (server, { credentials, engine }) =>
    genericJwt(
      {
        baseUrl: server.url,
        username: server.credentials.username,
        password: credentials === 'valid' ? server.credentials.password : 'wrong-password',
      },
      engine,
    ),
  secrets: (server) => [server.credentials.password],
});
