import { fakeLoginProvider, startFakeLoginServer } from '@tokenwarden/auth-core/testing';
import { runConformanceSuite } from './index.js';

// The reference provider of auth-core, held to the same suite every provider package runs.
runConformanceSuite({
  name: 'fake-login',
  startServer: () => startFakeLoginServer(),
  createProvider: (server, { credentials, engine }) =>
    fakeLoginProvider(
      {
        baseUrl: server.url,
        username: server.settings.username,
        // Derived from the real one, so a leak of the wrong password also shows the configured secret.
        password: credentials === 'valid' ? server.settings.password : `${server.settings.password}-wrong`,
      },
      engine,
    ),
  secrets: (server) => [server.settings.password],
});
