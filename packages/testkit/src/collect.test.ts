import { fakeLoginProvider, startFakeLoginServer } from '@tokenwarden/auth-core/testing';
import { collectErrors } from './collect.js';

it('collects the error of every failed login attempt, retries included, until stopped', async () => {
  const server = await startFakeLoginServer();
  const provider = fakeLoginProvider(
    { baseUrl: server.url, username: server.settings.username, password: server.settings.password },
    { retry: { maxAttempts: 3, baseDelayMs: 1 } },
  );
  try {
    const collected = collectErrors(provider.manager);
    server.failNextLogins({ kind: 'status', status: 503 }, { kind: 'status', status: 502 });
    await provider.manager.getToken();
    expect(collected.errors.map((e) => [e.code, (e as { status?: number }).status])).toEqual([
      ['LOGIN_FAILED', 503],
      ['LOGIN_FAILED', 502],
    ]);
    collected.stop();
    server.failNextLogins({ kind: 'html' });
    await expect(provider.manager.forceRefresh()).rejects.toMatchObject({ code: 'INVALID_TOKEN_RESPONSE' });
    expect(collected.errors).toHaveLength(2);
  } finally {
    provider.manager.dispose();
    await server.close();
  }
});
