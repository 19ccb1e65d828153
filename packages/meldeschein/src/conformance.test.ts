import { runConformanceSuite } from '@tokenwarden/testkit';
import { meldeschein } from './provider.js';
import { startFakeMeldescheinServer } from './testing/index.js';

runConformanceSuite({
  name: 'meldeschein',
  startServer: () => startFakeMeldescheinServer(),
  createProvider: (server, { credentials, engine }) =>
    meldeschein(
      {
        baseUrl: server.url,
        username: server.credentials.username,
        password: credentials === 'valid' ? server.credentials.password : 'wrong-password',
        userAgent: 'tokenwarden-conformance/1.0',
      },
      engine,
    ),
  secrets: (server) => [server.credentials.password],
});
