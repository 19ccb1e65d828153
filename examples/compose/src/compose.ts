import axios, { type AxiosInstance } from 'axios';
import { createAuthFetch, createRegistry, MemoryStore, type ProviderRegistry } from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import { mittwald } from '@tokenwarden/mittwald';
import { thinksurance } from '@tokenwarden/thinksurance';

export interface ComposeConfig {
  readonly mittwald: { readonly baseUrl: string; readonly uuid: string; readonly token: string };
  readonly thinksurance: { readonly baseUrl: string; readonly hash: string; readonly secret: string };
}

/**
 * One application talking to two APIs: both providers share one store, one axios instance and
 * one fetch; each request gets the token of its origin and no other.
 */
export function composeClients(config: ComposeConfig): { http: AxiosInstance; fetch: typeof fetch; registry: ProviderRegistry; close(): void } {
  const store = new MemoryStore();
  const registry = createRegistry([mittwald(config.mittwald, { store }), thinksurance(config.thinksurance, { store })]);
  const http = axios.create();
  const detach = attachAxios(http, registry);
  return {
    http,
    fetch: createAuthFetch(registry),
    registry,
    close: () => {
      detach();
      for (const provider of registry.providers) provider.manager.dispose();
    },
  };
}
