import { setup, type Setup } from '../test/support.js';
import { isCacheHit, noCache } from './index.js';

let t: Setup | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('server cache', () => {
  it('tells a cached fetch response (X-Cache: HIT) from a fresh one; no-cache and a PUT to the same URI clear it', async () => {
    t = await setup();
    const url = t.server.url + t.server.protectedPath;
    const hits: boolean[] = [];
    for (const init of [undefined, undefined, noCache(), undefined, { method: 'PUT', body: '{}' }, undefined, undefined]) {
      const response = await t.fetch(url, init);
      expect(response.status).toBe(200);
      hits.push(isCacheHit(response));
    }
    expect(hits).toEqual([false, true, false, true, false, false, true]);
    expect(t.server.counters.cacheHits).toBe(3);
  });

  it('tells a cached axios response from a fresh one; noCache() keeps the config and its headers; POST and DELETE clear it', async () => {
    const s = (t = await setup());
    const path = s.server.protectedPath;
    const get = async (config?: Parameters<typeof s.axios.get>[1]) => isCacheHit(await s.axios.get(path, config));
    expect(await get()).toBe(false);
    expect(await get()).toBe(true);
    expect(await get(noCache({ params: { lang: 'de' }, headers: { 'X-Trace': 'a' } }))).toBe(false);
    const sent = s.server.seen.at(-1)!;
    expect(sent.headers['cache-control']).toBe('no-cache');
    expect(sent.headers['x-trace']).toBe('a');
    expect(sent.path).toBe(`${path}?lang=de`);
    expect(await get()).toBe(true);
    await s.axios.post(path, {});
    expect(await get()).toBe(false);
    await s.axios.delete(path);
    expect(await get()).toBe(false);
  });

  it('reads X-Cache from any header shape, case-insensitively', () => {
    expect(isCacheHit({ headers: { 'X-Cache': 'HIT' } })).toBe(true);
    expect(isCacheHit({ headers: { 'x-cache': ' hit ' } })).toBe(true);
    expect(isCacheHit({ headers: new Headers({ 'x-cache': 'MISS' }) })).toBe(false);
    expect(isCacheHit({ headers: {} })).toBe(false);
  });

  it('replaces a Cache-Control header given in any case or shape', () => {
    expect(noCache({ headers: { 'Cache-Control': 'max-age=60', Accept: 'application/json' } }).headers).toEqual({
      'cache-control': 'no-cache',
      accept: 'application/json',
    });
    expect(noCache({ headers: [['CACHE-CONTROL', 'max-age=5']] }).headers).toEqual({ 'cache-control': 'no-cache' });
    expect(noCache({ method: 'GET' })).toEqual({ method: 'GET', headers: { 'cache-control': 'no-cache' } });
  });
});
