import { TokenRejectedError, createAuthFetch } from '@tokenwarden/auth-core';
import { USER_AGENT, rejection, renderings, useFakeServer } from '../test/helpers.js';
import { MeldescheinApiError } from './config.js';

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
    const error = await rejection(provider.getConfig());
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(fx.server.counters).toEqual({ logins: 2, apiCalls: 2, rejected: 2 });
  });

  it('works with the token in the jwt query parameter', async () => {
    const provider = fx.provider({ tokenIn: 'query' });
    await expect(provider.getConfig()).resolves.toEqual(fx.server.config);
    expect(fx.server.requests[0]!.path).toMatch(/^\/api\/get-config\/\?jwt=ey/);
  });

  it('uses the configured path, and reports an error status as MeldescheinApiError', async () => {
    const error = await rejection(fx.provider({ getConfigPath: '/meldeschein/config/' }).getConfig());
    expect(error).toBeInstanceOf(MeldescheinApiError);
    expect(error).toMatchObject({ code: 'MELDESCHEIN_API_ERROR', status: 404, endpoint: 'GET /api/meldeschein/config/' });
    expect((error as Error).message).toBe('meldeschein GET /api/meldeschein/config/ failed: HTTP 404.');
  });

  it('refuses an answer that is not a configuration', async () => {
    (fx.server.config as Record<string, unknown>)['gemeinden'] = [{ id: 'seventeen' }];
    const error = await rejection(fx.provider().getConfig());
    expect(error).toMatchObject({ code: 'MELDESCHEIN_API_ERROR', status: 200 });
    expect((error as Error).message).toContain('the answer is not a configuration');
  });

  it('stops reading an answer larger than maxBytes', async () => {
    const error = await rejection(fx.provider().getConfig({ maxBytes: 64 }));
    expect((error as Error).message).toContain('the answer is larger than 64 bytes');
  });

  it('reports a server that went away as a network error, without the token', async () => {
    const provider = fx.provider({ tokenIn: 'query' });
    const { value } = await provider.manager.getToken();
    await fx.server.close();
    const error = await rejection(provider.getConfig());
    expect(error).toMatchObject({ code: 'MELDESCHEIN_API_ERROR', status: undefined });
    expect((error as Error).message).toContain('network error');
    expect(renderings(error)).not.toContain(value);
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
