import type { ServerResponse } from 'node:http';
import { ApiCallFailedError, TokenRejectedError, createAuthFetch } from '@tokenwarden/auth-core';
import { issueJwt, readBody, sendJson, startServer, type RunningServer } from '@tokenwarden/auth-core/testing';
import { rejectionOf, renderErrorText } from '@tokenwarden/testkit';
import { ENGINE, USER_AGENT, useFakeServer } from '../test/helpers.js';
import { meldeschein } from './provider.js';

/** A Meldeschein stand-in that logs in and answers get_config with `answer` (the fake server's get_config always succeeds). */
async function configServer(answer: (res: ServerResponse) => void): Promise<RunningServer & { configCalls: () => number }> {
  let calls = 0;
  const running = await startServer(async (req, res) => {
    await readBody(req);
    if (req.method === 'POST' && req.url === '/api/token/') return sendJson(res, 200, { token: issueJwt({ lifetimeSec: 600 }) });
    calls++;
    answer(res);
  });
  return { ...running, configCalls: () => calls };
}

describe('getConfig', () => {
  const fx = useFakeServer();

  it('fetches the IDs after one login, with the JWT prefix and the User-Agent, and they make a valid meta object', async () => {
    const provider = fx.provider();
    const config = await provider.getConfig();
    expect(config).toEqual(fx.server.config);
    const [request] = fx.server.requests;
    expect(request!.path).toBe('/api/get-config/');
    expect(request!.headers['authorization']).toBe(`JWT ${provider.manager.peek()!.value}`);
    expect(request!.headers['user-agent']).toBe(USER_AGENT);
    expect(request!.headers['accept']).toBe('application/json');

    const landlord = config.beherberger[0]!;
    const meta = { gemeinde: config.gemeinden[0]!.id, vermieter: landlord.id, objekt: landlord.objekte![0]!.id };
    const booked = await createAuthFetch(provider)(provider.url('import/meldeschein/buchen/'), { method: 'POST', ...provider.withMeta({ x: 1 }, { meta }) });
    expect(booked.status).toBe(201);
    expect(fx.server.counters).toEqual({ logins: 1, apiCalls: 2, rejected: 0 });
  });

  it('recovers from a revoked token with exactly one new login', async () => {
    const provider = fx.provider();
    await provider.getConfig();
    fx.server.revokeAll();
    await expect(provider.getConfig()).resolves.toEqual(fx.server.config);
    expect(fx.server.counters).toEqual({ logins: 2, apiCalls: 3, rejected: 1 });
  });

  it('fails with TokenRejectedError when the fresh token is refused too', async () => {
    const provider = fx.provider();
    provider.manager.on('acquired', () => fx.server.revokeAll());
    const error = await rejectionOf(provider.getConfig());
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(fx.server.counters).toEqual({ logins: 2, apiCalls: 2, rejected: 2 });
  });

  it('works with the token in the jwt query parameter', async () => {
    const provider = fx.provider({ tokenIn: 'query' });
    await expect(provider.getConfig()).resolves.toEqual(fx.server.config);
    expect(fx.server.requests[0]!.path).toMatch(/^\/api\/get-config\/\?jwt=ey/);
  });

  it('uses the configured path, and reports an error status as a non-retryable ApiCallFailedError', async () => {
    const error = await rejectionOf(fx.provider({ getConfigPath: '/meldeschein/config/' }).getConfig());
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', provider: 'meldeschein', operation: 'get config', status: 404, retryable: false });
    expect((error as Error).message).toBe('meldeschein get config failed: GET /api/meldeschein/config/ answered HTTP 404.');
  });

  it('refuses an answer that is not a configuration', async () => {
    (fx.server.config as Record<string, unknown>)['gemeinden'] = [{ id: 'seventeen' }];
    const error = await rejectionOf(fx.provider().getConfig());
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', operation: 'get config', status: 200, retryable: false });
    expect((error as Error).message).toContain('GET /api/get-config/ answered JSON that is not a configuration');
  });

  it('stops reading an answer larger than maxBytes', async () => {
    const error = await rejectionOf(fx.provider().getConfig({ maxBytes: 64 }));
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', status: 200, retryable: false });
    expect((error as Error).message).toContain('answered a body larger than 64 bytes');
  });

  it('reports a server that went away as a network error, without the token', async () => {
    const provider = fx.provider({ tokenIn: 'query' });
    const { value } = await provider.manager.getToken();
    await fx.server.close();
    const error = await rejectionOf(provider.getConfig());
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', operation: 'get config', status: undefined, retryable: true });
    expect((error as Error).message).toContain('network error calling GET /api/get-config/');
    expect(renderErrorText(error)).not.toContain(value);
  });

  it('rejects with the caller’s own reason, and logs in for nobody, when the call was aborted before it started', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user went away'));
    await expect(fx.provider().getConfig({ signal: controller.signal })).rejects.toThrow('user went away');
    expect(fx.server.counters.logins).toBe(0);
  });

  it('rejects with the caller’s own reason when the caller aborts while the answer is awaited', async () => {
    const provider = fx.provider();
    await provider.manager.getToken();
    const controller = new AbortController();
    const pending = provider.getConfig({ signal: controller.signal });
    controller.abort(new Error('user went away'));
    await expect(pending).rejects.toThrow('user went away');
  });
});

describe('getConfig failures of the call itself', () => {
  let server: (RunningServer & { configCalls: () => number }) | undefined;
  const providers: ReturnType<typeof meldeschein>[] = [];
  afterEach(async () => {
    for (const provider of providers.splice(0)) provider.manager.dispose();
    await server?.close();
    server = undefined;
  });
  const provider = (engine = ENGINE) => {
    const created = meldeschein({ baseUrl: server!.url, username: 'me@example.org', password: 'pw-123456', userAgent: USER_AGENT }, engine);
    providers.push(created);
    return created;
  };

  it('reports a 503 with Retry-After as a retryable ApiCallFailedError carrying retryAfterMs, without retrying it', async () => {
    server = await configServer((res) => sendJson(res, 503, { detail: 'maintenance' }, { 'retry-after': '30' }));
    const error = await rejectionOf(provider().getConfig());
    expect(error).toBeInstanceOf(ApiCallFailedError);
    expect(error).toMatchObject({ operation: 'get config', status: 503, retryAfterMs: 30_000, retryable: true });
    expect(server.configCalls()).toBe(1);
  });

  it("gives a hanging get_config the engine's loginTimeoutMs when the call sets no timeoutMs", async () => {
    server = await configServer(() => undefined);
    const error = await rejectionOf(provider({ ...ENGINE, loginTimeoutMs: 300 }).getConfig());
    expect(error).toMatchObject({ code: 'API_CALL_FAILED', operation: 'get config', status: undefined, retryable: true });
    expect((error as Error).message).toBe('meldeschein get config failed: GET /api/get-config/ did not answer within 300 ms.');
  });

  it("takes the call's timeoutMs over the engine's loginTimeoutMs", async () => {
    server = await configServer(() => undefined);
    const error = await rejectionOf(provider({ ...ENGINE, loginTimeoutMs: 5_000 }).getConfig({ timeoutMs: 150 }));
    expect((error as Error).message).toContain('did not answer within 150 ms');
  });
});
