import { runConformanceSuite } from '@tokenwarden/testkit';
import { mittwald } from './provider.js';
import { startFakeMittwaldServer } from './testing/index.js';

runConformanceSuite({
  name: 'mittwald',
  startServer: () => startFakeMittwaldServer(),
  createProvider: (server, { credentials, engine }) =>
    mittwald(
      {
        baseUrl: server.url,
        username: server.credentials.username,
        password: credentials === 'valid' ? server.credentials.password : 'wrong-password',
      },
      engine,
    ),
  secrets: (server) => [server.credentials.password],
});
