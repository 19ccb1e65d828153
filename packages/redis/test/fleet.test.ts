import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthFetch } from '@tokenwarden/auth-core';
import { startFleet, until, type Fleet, type Member } from './support.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet();
});
afterAll(async () => {
  await fleet?.close();
});

function members(count: number): Member[] {
  fleet.newPrefix();
  return Array.from({ length: count }, () => fleet.member());
}

const loginsSince = (start: number) => fleet.login.counters.logins - start;

describe('fleet single flight', () => {
  it('makes exactly one login for 5 processes × 50 concurrent getToken() on a cold cache', async () => {
    const start = fleet.login.counters.logins;
    const fleetMembers = members(5);
    const tokens = await Promise.all(fleetMembers.flatMap((m) => Array.from({ length: 50 }, () => m.provider.manager.getToken())));
    expect(loginsSince(start)).toBe(1);
    expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
    // One process logged in; the four others adopted its token from Redis.
    const acquired = fleetMembers.flatMap((m) => m.acquired);
    expect(acquired.filter((a) => !a.fromStore)).toHaveLength(1);
    expect(acquired.filter((a) => a.fromStore)).toHaveLength(4);
    expect(fleetMembers.flatMap((m) => m.warnings)).toEqual([]);
  });

  it('makes exactly one login for 3 real child processes × 50 concurrent getToken() on a cold cache', async () => {
    // The children run the built packages (the Nx test target builds them first), so this also
    // proves the published CommonJS output works across processes.
    const built = join(__dirname, '..', 'dist', 'cjs', 'index.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npx nx run-many -t build -p @tokenwarden/redis\` (the nx test target does) before this test`);
    const start = fleet.login.counters.logins;
    const prefix = fleet.newPrefix();
    const children = Array.from({ length: 3 }, () =>
      fork(join(__dirname, 'child', 'fleet-member.cjs'), [fleet.redis.url, fleet.login.url, prefix, '50'], {
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        timeout: 15_000,
      }),
    );
    type Reply = { type: 'ready' } | { type: 'done'; values: string[]; logins: number } | { type: 'error'; message: string };
    const next = (child: (typeof children)[number]) =>
      new Promise<Reply>((resolve, reject) => {
        child.once('message', (m) => resolve(m as Reply));
        child.once('exit', (code) => reject(new Error(`child exited with ${code} before answering`)));
      });
    try {
      const ready = await Promise.all(children.map(next));
      expect(ready.map((r) => r.type)).toEqual(['ready', 'ready', 'ready']);
      const done = Promise.all(children.map(next));
      for (const child of children) child.send('go');
      const results = await done;
      const values = results.flatMap((r) => (r.type === 'done' ? r.values : [`error: ${r.type === 'error' ? r.message : r.type}`]));
      expect(values).toHaveLength(3); // each child saw one token for its 50 calls
      expect(new Set(values).size).toBe(1); // and it is the same token in every process
      expect(loginsSince(start)).toBe(1);
      expect(results.map((r) => (r.type === 'done' ? r.logins : -1)).sort()).toEqual([0, 0, 1]);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('sharing refreshes and invalidations', () => {
  it('lets every process adopt a token one process refreshed, without a login of its own', async () => {
    const fleetMembers = members(4);
    const [a, ...others] = fleetMembers as [Member, ...Member[]];
    const first = await a.provider.manager.getToken();
    await Promise.all(others.map((m) => m.provider.manager.getToken()));
    const start = fleet.login.counters.logins;

    const refreshed = await a.provider.manager.forceRefresh();
    expect(refreshed.value).not.toBe(first.value);
    // The change notification makes every other process drop the old token from memory…
    await until(() => others.every((m) => m.provider.manager.peek() === undefined), 'the others dropped the replaced token');
    // …and the next call there reads the new one from Redis.
    const tokens = await Promise.all(others.flatMap((m) => Array.from({ length: 20 }, () => m.provider.manager.getToken())));
    expect(new Set(tokens.map((t) => t.value))).toEqual(new Set([refreshed.value]));
    expect(loginsSince(start)).toBe(1);
  });

  it('delivers an invalidation to every process, and the fleet replaces the token with one login', async () => {
    const fleetMembers = members(4);
    const tokens = await Promise.all(fleetMembers.map((m) => m.provider.manager.getToken()));
    const start = fleet.login.counters.logins;
    expect(new Set(tokens.map((t) => t.value)).size).toBe(1);

    expect(fleetMembers[0]!.provider.manager.invalidate(tokens[0]!)).toBe(true);
    await until(() => fleetMembers.every((m) => m.provider.manager.peek() === undefined), 'every process dropped the invalidated token');
    expect(await fleet.admin.exists(fleet.tokenKey(fleetMembers[0]!.store.prefix))).toBe(0);

    const fresh = await Promise.all(fleetMembers.flatMap((m) => Array.from({ length: 25 }, () => m.provider.manager.getToken())));
    expect(loginsSince(start)).toBe(1);
    expect(new Set(fresh.map((t) => t.value)).size).toBe(1);
    expect(fresh[0]!.value).not.toBe(tokens[0]!.value);
  });

  it('does not drop a newer token when an old one is invalidated again (compare-and-delete)', async () => {
    const [a, b] = members(2) as [Member, Member];
    const old = await a.provider.manager.getToken();
    const current = await a.provider.manager.forceRefresh();
    await until(async () => (await b.provider.manager.getToken()).value === current.value, 'b adopted the refreshed token');

    expect(await b.store.deleteIfEqual(fleet.cacheKey, old.value)).toBe(false);
    expect(await fleet.admin.exists(fleet.tokenKey(a.store.prefix))).toBe(1);
    expect(a.provider.manager.peek()?.value).toBe(current.value);
    expect(b.provider.manager.peek()?.value).toBe(current.value);
  });

  it('recovers a fleet-wide burst of 401s with one login: 3 processes × 10 rejected requests through createAuthFetch', async () => {
    const fleetMembers = members(3);
    const [token] = await Promise.all(fleetMembers.map((m) => m.provider.manager.getToken()));
    const start = { logins: fleet.login.counters.logins, rejected: fleet.login.counters.rejected, calls: fleet.login.counters.apiCalls };
    fleet.login.revoke(token!.value);

    const responses = await Promise.all(
      fleetMembers.flatMap((m) => {
        const authFetch = createAuthFetch(m.provider);
        return Array.from({ length: 10 }, () => authFetch(`${fleet.login.url}/api/data`));
      }),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(loginsSince(start.logins)).toBe(1);
    expect(fleet.login.counters.rejected - start.rejected).toBe(30);
    expect(fleet.login.counters.apiCalls - start.calls).toBe(60);
  });
});
