#!/usr/bin/env node
// `npm run bench`: measures the hot paths against loopback servers and prints tables. Numbers
// are printed, never asserted; every loop is bounded in count and time.
import { Agent, createServer } from 'node:http';
import axios from 'axios';
import { createAuthFetch, createProvider, headerPresenter } from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import { fakeLoginProvider, startFakeLoginServer } from '@tokenwarden/auth-core/testing';

const table = (title, rows) => {
  console.log(`\n${title}`);
  console.table(rows);
};
const perSecond = (count, ns) => Math.round(count / (Number(ns) / 1e9));

/** Best and median of 5 rounds of `count` operations, in operations per second. */
async function rounds(count, body) {
  const results = [];
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    await body(count);
    results.push(perSecond(count, process.hrtime.bigint() - start));
  }
  results.sort((a, b) => a - b);
  return { best: results.at(-1), median: results[2] };
}

async function cachedGetToken(manager) {
  await manager.getToken();
  const resolved = Promise.resolve(1);
  return {
    // The call itself: a freshness check and the cached promise, no I/O, no allocation.
    call: await rounds(5_000_000, async (n) => {
      let last;
      for (let i = 0; i < n; i++) last = manager.getToken();
      await last;
    }),
    awaited: await rounds(2_000_000, async (n) => {
      for (let i = 0; i < n; i++) await manager.getToken();
    }),
    // What this machine allows at all: the two things a cached getToken() cannot avoid.
    awaitFloor: await rounds(2_000_000, async (n) => {
      for (let i = 0; i < n; i++) await resolved;
    }),
    clock: await rounds(5_000_000, async (n) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Date.now();
      return sum;
    }),
  };
}

async function startPlainServer() {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
    res.end('{"ok":true}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Requests per second for `count` requests at `concurrency`, bounded by `maxMs`. */
async function throughput(send, count, concurrency, maxMs = 20_000) {
  let next = 0;
  const deadline = Date.now() + maxMs;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && Date.now() < deadline) {
        next++;
        await send();
      }
    }),
  );
  return perSecond(next, process.hrtime.bigint() - start);
}

async function main() {
  const login = await startFakeLoginServer({ password: 'bench-password' });
  const api = await startPlainServer();
  const loginProvider = fakeLoginProvider({ baseUrl: login.url, username: 'demo', password: 'bench-password' });
  // The measured provider serves the plain server's origin; its source logs in at the fake login server.
  const provider = createProvider('bench', {
    source: { provider: 'bench', cacheKey: 'bench', acquire: () => loginProvider.manager.getToken() },
    presenter: headerPresenter(),
    origins: [api.url],
  });
  const token = await provider.manager.getToken();

  const cached = await cachedGetToken(provider.manager);
  const fmt = (n) => n.toLocaleString('en');
  table('auth-core: cached getToken() (best and median of 5 rounds)', [
    { measure: 'getToken() calls/s', best: fmt(cached.call.best), median: fmt(cached.call.median), target: '≥ 5,000,000', ok: cached.call.best >= 5_000_000 },
    { measure: 'await getToken() /s', best: fmt(cached.awaited.best), median: fmt(cached.awaited.median), target: '', ok: '' },
    { measure: 'machine: await of a resolved promise /s', best: fmt(cached.awaitFloor.best), median: fmt(cached.awaitFloor.median), target: '', ok: '' },
    { measure: 'machine: Date.now() /s', best: fmt(cached.clock.best), median: fmt(cached.clock.median), target: '', ok: '' },
  ]);

  // Same server, same agent: one instance with the integration, one with a static header.
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const integrated = axios.create({ baseURL: api.url, httpAgent: agent });
  attachAxios(integrated, provider);
  const plain = axios.create({ baseURL: api.url, httpAgent: agent, headers: { Authorization: `Bearer ${token.value}` } });
  const authFetch = createAuthFetch(provider);

  const rows = [];
  const count = 4_000;
  const concurrency = 16;
  await throughput(() => plain.get('/'), 500, concurrency); // warm-up
  await throughput(() => integrated.get('/'), 500, concurrency);
  const ratios = [];
  for (let round = 0; round < 4; round++) {
    const s = await throughput(() => plain.get('/'), count, concurrency);
    const i = await throughput(() => integrated.get('/'), count, concurrency);
    ratios.push(i / s);
    rows.push({ round: round + 1, 'static header req/s': s, 'integration req/s': i, ratio: (i / s).toFixed(3) });
  }
  const fetchStatic = await throughput(() => fetch(`${api.url}/`, { headers: { Authorization: `Bearer ${token.value}` } }).then((r) => r.arrayBuffer()), count, concurrency);
  const fetchAuth = await throughput(() => authFetch(`${api.url}/`).then((r) => r.arrayBuffer()), count, concurrency);
  table(`auth-core: axios through the integration vs a static header (${count} requests × ${concurrency} concurrent, loopback)`, rows);
  ratios.sort((a, b) => a - b);
  const median = (ratios[1] + ratios[2]) / 2;
  table('auth-core: summary', [
    { measure: 'axios ratio integration/static (median of 4)', value: median.toFixed(3), target: '≥ 0.97', ok: median >= 0.97 },
    { measure: 'fetch ratio createAuthFetch/static', value: (fetchAuth / fetchStatic).toFixed(3), target: '', ok: '' },
    { measure: 'logins during the whole run', value: login.counters.logins, target: '1', ok: login.counters.logins === 1 },
  ]);

  provider.manager.dispose();
  loginProvider.manager.dispose();
  agent.destroy();
  await api.close();
  await login.close();
}

await main();
