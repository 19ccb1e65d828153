import axios from 'axios';
import { CredentialsRejectedError, MemoryStore, createRegistry, type Provider } from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import { mittwald } from '@tokenwarden/mittwald';
import { startFakeMittwaldServer } from '@tokenwarden/mittwald/testing';
import { thinksurance } from '@tokenwarden/thinksurance';
import { startFakeThinksuranceServer } from '@tokenwarden/thinksurance/testing';
import { formatDuration } from './format.js';
import { inspectJwt } from './inspect.js';
import type { CliIo } from './io.js';

/**
 * `tokenwarden demo`: two providers (mittwald and Thinksurance) behind one axios instance,
 * against their fake servers on 127.0.0.1, narrated on `io.stdout`. Nothing leaves the machine;
 * every server and manager is closed before it resolves.
 */
export async function runDemo(io: CliIo): Promise<void> {
  const print = (text: string) => void io.stdout.write(`${text}\n`);
  const say = (text: string) => print(`\n▶ ${text}`);
  const [mw, ts] = await Promise.all([startFakeMittwaldServer({ lifetimeSec: 3600 }), startFakeThinksuranceServer({ lifetimeSec: 900 })]);
  const managed: Provider[] = [];
  try {
    print(`fake mittwald API on ${mw.url}     (POST /v1/authenticate → raw JWT, 1 h)`);
    print(`fake Thinksurance API on ${ts.url} (POST /api/token → { token, expired }, 15 min, errors inside HTTP 200)`);

    // One store for both, as a service would share one (in memory here; @tokenwarden/redis for a fleet).
    const store = new MemoryStore();
    const engine = { store, retry: { baseDelayMs: 100 } };
    const mwProvider = mittwald({ baseUrl: mw.url, ...mw.credentials }, engine);
    const tsProvider = thinksurance({ baseUrl: ts.url, ...ts.credentials }, engine);
    managed.push(mwProvider, tsProvider);
    for (const provider of managed) {
      provider.manager.on('acquired', (e) => print(`  event acquired: ${e.provider}, reason=${e.reason}, valid until ${new Date(e.expiresAt).toISOString()}`));
      provider.manager.on('refreshFailed', (e) => print(`  event refreshFailed: ${e.provider} ${e.error.code} attempt ${e.attempt}${e.retryInMs ? `, retry in ${e.retryInMs} ms` : ''}`));
    }
    const rejected = { events: 0, invalidations: 0 };
    tsProvider.manager.on('rejected', (e) => {
      rejected.events++;
      if (e.invalidated) rejected.invalidations++;
    });

    const api = axios.create();
    attachAxios(api, createRegistry([mwProvider, tsProvider]));
    const burst = (server: { url: string; protectedPath: string }, n: number) => Array.from({ length: n }, () => api.get(server.url + server.protectedPath));
    const logins = () => `mittwald logins: ${mw.counters.logins}, Thinksurance logins: ${ts.counters.logins}`;

    say('one axios instance, two APIs: 20 parallel requests on a cold cache, 10 to each');
    await Promise.all([...burst(mw, 10), ...burst(ts, 10)]);
    print(`  ${logins()} (one login per provider); API calls: ${mw.counters.apiCalls} + ${ts.counters.apiCalls}`);
    const login = mwProvider.rateLimit(mwProvider.loginEndpoint);
    if (login) print(`  mittwald's login rate limit: ${login.remaining} of ${login.limit} left in this window`);

    say('Thinksurance revokes every token and says so inside HTTP 200; 10 parallel requests are refused');
    ts.settings.rejectWith200 = true;
    ts.revokeAll();
    await Promise.all(burst(ts, 10));
    print(`  refusals: ${ts.counters.rejected}, 'rejected' events: ${rejected.events}, of which invalidated the token: ${rejected.invalidations}`);
    print(`  ${logins()}: one refresh for the whole burst; every request succeeded on its single retry`);

    say("mittwald's login has an outage (503, 503) while no token is cached");
    mw.revokeAll();
    const current = mwProvider.manager.peek();
    if (current) mwProvider.manager.invalidate(current);
    mw.failNextLogins({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const outageStart = mw.counters.logins;
    const res = await api.get(mw.url + mw.protectedPath);
    print(`  request status ${res.status} after ${mw.counters.logins - outageStart} login calls (503, 503, then a token), retried with backoff`);

    say('a wrong Thinksurance secret: the error inside HTTP 200 becomes a typed error, one login call, then a cool-down');
    const wrong = thinksurance({ baseUrl: ts.url, hash: ts.credentials.hash, secret: `${ts.credentials.secret}-wrong` });
    managed.push(wrong);
    const before = ts.counters.logins;
    let lastError: unknown;
    for (let i = 0; i < 3; i++) {
      lastError = await wrong.manager.getToken().catch((e: unknown) => e);
      if (!(lastError instanceof CredentialsRejectedError)) throw lastError;
      print(`  ${lastError.code}: ${lastError.message}`);
    }
    print(`  login calls for 3 attempts: ${ts.counters.logins - before}`);
    print(`  the error as JSON (no hash, no secret in it): ${JSON.stringify(lastError)}`);

    say('a long-lived mittwald access token (tokenwarden create-token mittwald), then a login with it');
    const access = await mwProvider.createAccessToken({ description: 'tokenwarden demo' });
    print(`  created access token ${access.uuid} at ${access.createdAt.toISOString()} ("${access.description}")`);
    const byToken = mittwald({ baseUrl: mw.url, uuid: access.uuid, token: access.token }, { store });
    managed.push(byToken);
    const fresh = await byToken.manager.getToken();
    const report = inspectJwt(fresh.value, Date.now());
    print(`  logged in with it (tokenwarden inspect): issued ${report.issuedAt}, lifetime ${formatDuration((report.lifetimeSec ?? 0) * 1000)}, sub ${JSON.stringify(report.payload['sub'])}`);
    print('\ndone.');
  } finally {
    for (const provider of managed) provider.manager.dispose();
    await Promise.all([mw.close(), ts.close()]);
  }
}
