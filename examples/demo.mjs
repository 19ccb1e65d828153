#!/usr/bin/env node
// `npm run demo`: auth-core against a loopback login server, narrated. Nothing leaves 127.0.0.1.
import axios from 'axios';
import { CredentialsRejectedError } from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import { fakeLoginProvider, startFakeLoginServer } from '@tokenwarden/auth-core/testing';

const say = (text) => console.log(`\n▶ ${text}`);
const server = await startFakeLoginServer({ username: 'demo', password: 'demo-password', lifetimeSec: 900 });
console.log(`fake login server on ${server.url} (POST /login → JWT valid 15 min; /api/* needs it)`);

const provider = fakeLoginProvider({ baseUrl: server.url, username: 'demo', password: 'demo-password' }, { retry: { baseDelayMs: 100 } });
provider.manager.on('acquired', (e) => console.log(`  event acquired: reason=${e.reason}, valid until ${new Date(e.expiresAt).toISOString()}`));
const rejected = { events: 0, invalidations: 0 };
provider.manager.on('rejected', (e) => {
  rejected.events++;
  if (e.invalidated) rejected.invalidations++;
});
provider.manager.on('refreshFailed', (e) => console.log(`  event refreshFailed: ${e.error.code} attempt ${e.attempt}${e.retryInMs ? `, retry in ${e.retryInMs} ms` : ''}`));

const api = axios.create({ baseURL: server.url });
attachAxios(api, provider);

say('10 parallel requests on a cold cache');
await Promise.all(Array.from({ length: 10 }, (_, i) => api.get(`/api/orders/${i}`)));
console.log(`  logins: ${server.counters.logins}, API calls: ${server.counters.apiCalls}`);

say('the server revokes every token; 20 parallel requests hit 401');
server.revokeAll();
await Promise.all(Array.from({ length: 20 }, (_, i) => api.get(`/api/orders/${i}`)));
console.log(`  401s: ${server.counters.rejected}, 'rejected' events: ${rejected.events}, of which invalidated the token: ${rejected.invalidations}`);
console.log(`  logins: ${server.counters.logins} (one refresh for the whole burst); all 20 requests succeeded on their single retry`);

say('the login endpoint has an outage (503, 503) while no token is cached');
server.revokeAll();
provider.manager.invalidate(provider.manager.peek());
server.failNextLogins({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
const res = await api.get('/api/orders/1');
console.log(`  request status ${res.status} after ${server.counters.logins} logins in total`);

say('wrong password: a typed error, one login call, then a cool-down');
const wrong = fakeLoginProvider({ baseUrl: server.url, username: 'demo', password: 'not-the-password' });
const before = server.counters.logins;
for (let i = 0; i < 3; i++) {
  try {
    await wrong.manager.getToken();
  } catch (error) {
    if (!(error instanceof CredentialsRejectedError)) throw error;
    console.log(`  ${error.code}: ${error.message}`);
  }
}
console.log(`  login calls for 3 attempts: ${server.counters.logins - before}`);
const error = await wrong.manager.getToken().catch((e) => e);
console.log(`  the error as JSON (no password in it): ${JSON.stringify(error)}`);

provider.manager.dispose();
wrong.manager.dispose();
await server.close();
console.log('\ndone.');
