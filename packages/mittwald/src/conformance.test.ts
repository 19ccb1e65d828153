import { runConformanceSuite } from '@tokenwarden/testkit';
import { mittwald } from './provider.js';
import { startFakeMittwaldServer } from './testing/index.js';

runConformanceSuite({
  name: 'mittwald (username and password)',
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

runConformanceSuite({
  name: 'mittwald (access token)',
  startServer: () => startFakeMittwaldServer(),
  createProvider: (server, { credentials, engine }) =>
    mittwald(
      {
        baseUrl: server.url,
        uuid: server.accessToken.uuid,
        token: credentials === 'valid' ? server.accessToken.token : 'MW_wrong-access-token',
      },
      engine,
    ),
  secrets: (server) => [server.accessToken.token],
});
