import type { ConformanceServer } from '@tokenwarden/auth-core/testing';
import { ensure, ensureEqual, mask } from '../failure.js';
import type { Harness } from '../harness.js';
import { carriesAny, startRecordingServer, startRedirectingFront, type RecordingServer } from '../servers.js';
import { defineCheck, isOk, type ConformanceCheck } from './check.js';

function ensureNoTokenReached(h: Harness<ConformanceServer>, other: RecordingServer): void {
  ensure(h.tokens.size > 0, 'the provider obtained no token, so the check cannot tell whether one leaks');
  for (const req of other.requests) {
    ensure(!carriesAny(req, h.tokens), `the token reached another origin with ${req.method} ${mask(req.url, h.tokens)}`);
  }
}

export const originChecks: readonly ConformanceCheck[] = [
  defineCheck(
    'origin-other',
    'origin pinning',
    'sends no token to another origin: absolute URL (fetch, axios), protocol-relative URL and a URL with userinfo (axios with baseURL)',
    async (h) => {
      const server = await h.server();
      const other = h.adopt(await startRecordingServer());
      const provider = h.provider(server);
      const instance = h.axios(provider, { baseURL: server.url });

      const own = await h.fetchStatus(provider, server.url + server.protectedPath, 'GET protectedPath through createAuthFetch');
      ensure(isOk(own), `protectedPath answered ${own} through createAuthFetch; expected 2xx`);
      const relative = await h.axiosStatus(instance, server.protectedPath, 'a relative axios request with baseURL');
      ensure(isOk(relative), `protectedPath answered ${relative} to a relative axios request with baseURL; expected 2xx`);

      await h.fetchStatus(provider, `${other.url}/absolute-fetch`, 'a fetch to another origin');
      await h.axiosStatus(instance, `${other.url}/absolute-axios`, 'an absolute axios URL to another origin');
      const lookalike = `${server.url}@127.0.0.1:${other.port}/userinfo-axios`;
      await h.axiosStatus(instance, lookalike, 'an axios URL that starts with the provider base URL as userinfo');
      // Node cannot send a protocol-relative URL without a base; whether it fails or arrives, it must not carry the token.
      await instance.get(`//127.0.0.1:${other.port}/protocol-relative-axios`).catch((error: unknown) => h.record(error, 'a protocol-relative axios URL'));

      ensure(other.requests.length >= 3, `the other origin received ${other.requests.length} of the 3 absolute requests; the check cannot prove anything`);
      ensureNoTokenReached(h, other);
    },
  ),

  defineCheck('origin-redirect', 'origin pinning', "drops the token when the provider's origin redirects to another origin (fetch, axios)", async (h) => {
    const server = await h.server();
    const other = h.adopt(await startRecordingServer());
    const front = h.adopt(await startRedirectingFront(server));
    // The provider is configured with the front's URL: the front is the provider's origin, and it can redirect.
    const fronted = Object.create(server, {
      url: { value: front.url, enumerable: true },
      port: { value: front.port, enumerable: true },
    }) as ConformanceServer;
    const provider = h.provider(fronted);

    const own = await h.fetchStatus(provider, front.url + server.protectedPath, 'GET protectedPath through a forwarding front');
    ensure(isOk(own), `protectedPath answered ${own} through a forwarding front; expected 2xx (does createProvider build every URL from server.url?)`);

    await h.fetchStatus(provider, front.redirectTo(`${other.url}/redirected-fetch`), 'a fetch the provider origin redirects to another origin');
    await h.axiosStatus(h.axios(provider), front.redirectTo(`${other.url}/redirected-axios`), 'an axios request the provider origin redirects to another origin');

    ensureEqual(front.redirects.length, 2, 'redirecting requests that reached the provider origin');
    ensure(
      front.redirects.every((req) => carriesAny(req, h.tokens)),
      "a request to the provider's own origin carried no token, so the redirect cannot show whether it is dropped",
    );
    ensureEqual(other.requests.length, 2, 'requests that followed the redirect to the other origin');
    ensureNoTokenReached(h, other);
  }),
];
