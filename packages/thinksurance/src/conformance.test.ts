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
        username: server.credentials.username,
        password: credentials === 'valid' ? server.credentials.password : 'wrong-password',
      },
      engine,
    ),
  secrets: (server) => [server.credentials.password],
});
