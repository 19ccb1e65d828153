import axios from 'axios';
import { CredentialsRejectedError } from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import { fakeLoginProvider, startFakeLoginServer } from '@tokenwarden/auth-core/testing';
import type { CliIo } from './io.js';

/**
 * `tokenwarden demo`: the token lifecycle against loopback fake servers, narrated on
 * `io.stdout`. Nothing leaves 127.0.0.1; every server and manager is closed before it resolves.
 */
export async function runDemo(io: CliIo): Promise<void> {
  const print = (text: string) => void io.stdout.write(`${text}\n`);
  const say = (text: string) => print(`\n▶ ${text}`);
  const server = await startFakeLoginServer({ username: 'demo', password: 'demo-password', lifetimeSec: 900 });
  const provider = fakeLoginProvider({ baseUrl: server.url, username: 'demo', password: 'demo-password' }, { retry: { baseDelayMs: 100 } });
  const wrong = fakeLoginProvider({ baseUrl: server.url, username: 'demo', password: 'not-the-password' });
  try {
    print(`fake login server on ${server.url} (POST /login → JWT valid 15 min; /api/* needs it)`);
    provider.manager.on('acquired', (e) => print(`  event acquired: reason=${e.reason}, valid until ${new Date(e.expiresAt).toISOString()}`));
    const rejected = { events: 0, invalidations: 0 };
    provider.manager.on('rejected', (e) => {
      rejected.events++;
      if (e.invalidated) rejected.invalidations++;
    });
    provider.manager.on('refreshFailed', (e) => print(`  event refreshFailed: ${e.error.code} attempt ${e.attempt}${e.retryInMs ? `, retry in ${e.retryInMs} ms` : ''}`));

    const api = axios.create({ baseURL: server.url });
    attachAxios(api, provider);

    say('10 parallel requests on a cold cache');
    await Promise.all(Array.from({ length: 10 }, (_, i) => api.get(`/api/orders/${i}`)));
    print(`  logins: ${server.counters.logins}, API calls: ${server.counters.apiCalls}`);

    say('the server revokes every token; 20 parallel requests hit 401');
    server.revokeAll();
    await Promise.all(Array.from({ length: 20 }, (_, i) => api.get(`/api/orders/${i}`)));
    print(`  401s: ${server.counters.rejected}, 'rejected' events: ${rejected.events}, of which invalidated the token: ${rejected.invalidations}`);
    print(`  logins: ${server.counters.logins} (one refresh for the whole burst); all 20 requests succeeded on their single retry`);

    say('the login endpoint has an outage (503, 503) while no token is cached');
    server.revokeAll();
    const current = provider.manager.peek();
    if (current) provider.manager.invalidate(current);
    server.failNextLogins({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const res = await api.get('/api/orders/1');
    print(`  request status ${res.status} after ${server.counters.logins} logins in total`);

    say('wrong password: a typed error, one login call, then a cool-down');
    const before = server.counters.logins;
    for (let i = 0; i < 3; i++) {
      const error: unknown = await wrong.manager.getToken().catch((e: unknown) => e);
      if (!(error instanceof CredentialsRejectedError)) throw error;
      print(`  ${error.code}: ${error.message}`);
    }
    print(`  login calls for 3 attempts: ${server.counters.logins - before}`);
    const error: unknown = await wrong.manager.getToken().catch((e: unknown) => e);
    print(`  the error as JSON (no password in it): ${JSON.stringify(error)}`);
    print('\ndone.');
  } finally {
    provider.manager.dispose();
    wrong.manager.dispose();
    await server.close();
  }
}
