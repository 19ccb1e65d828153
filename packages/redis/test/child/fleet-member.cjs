// One process of a fleet for fleet.test.ts, running the built CommonJS packages as a user's
// service would: a RedisStore and a fake-login provider of its own. Tells the parent when it
// is connected, waits for "go", runs N concurrent getToken() and reports the distinct token
// values it got and how many logins it made itself.
// argv: <redis url> <login server url> <key prefix> <concurrency>
const { RedisStore } = require('../../dist/cjs/index.js');
const { fakeLoginProvider } = require('@tokenwarden/auth-core/testing');

const [redisUrl, loginUrl, prefix, concurrency] = process.argv.slice(2);

async function main() {
  const store = new RedisStore({ redis: redisUrl, prefix, commandTimeoutMs: 2000 });
  const provider = fakeLoginProvider({ baseUrl: loginUrl, username: 'demo', password: 'fleet-password-7f3a' }, { store });
  let logins = 0;
  provider.manager.on('acquired', (event) => {
    if (!event.fromStore) logins++;
  });
  await store.get('connection-check'); // connected before the parent says "go"
  process.send({ type: 'ready' });
  await new Promise((resolve) => process.once('message', resolve));
  const tokens = await Promise.all(Array.from({ length: Number(concurrency) }, () => provider.manager.getToken()));
  process.send({ type: 'done', values: [...new Set(tokens.map((t) => t.value))], logins });
  provider.manager.dispose();
  await store.close();
  process.disconnect();
}

main().catch((error) => {
  process.send?.({ type: 'error', message: String(error && error.message) });
  process.exitCode = 1;
  process.disconnect?.();
});
