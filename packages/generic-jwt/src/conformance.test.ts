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
        email: server.credentials.email,
        // Derived from the real one, so a leak of the wrong password also shows the configured secret.
        password: credentials === 'valid' ? server.credentials.password : `${server.credentials.password}-wrong`,
      },
      engine,
    ),
  secrets: (server) => [server.credentials.password],
});
