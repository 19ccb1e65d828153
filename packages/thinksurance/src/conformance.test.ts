import { runConformanceSuite } from '@tokenwarden/testkit';
import { thinksurance } from './provider.js';
import { startFakeThinksuranceServer } from './testing/index.js';

runConformanceSuite({
  name: 'thinksurance',
  startServer: () => startFakeThinksuranceServer(),
  createProvider: (server, { credentials, engine }) =>
    thinksurance(
      {
        baseUrl: server.url,
        hash: server.credentials.hash,
        // Derived from the real one, so a leak of the wrong secret also shows the configured one.
        secret: credentials === 'valid' ? server.credentials.secret : `${server.credentials.secret}-wrong`,
      },
      engine,
    ),
  secrets: (server) => [server.credentials.hash, server.credentials.secret],
});
