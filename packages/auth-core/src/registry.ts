import { InvalidOptionsError } from './errors.js';
import type { Provider } from './provider.js';

/** Anything the axios and fetch integrations can ask "which provider serves this URL?". */
export interface ProviderResolver {
  providerFor(url: URL): Provider | undefined;
}

/** Several providers behind one axios instance or one fetch: each request gets the token of its origin. */
export class ProviderRegistry implements ProviderResolver {
  private readonly byOrigin = new Map<string, Provider>();

  /** @throws InvalidOptionsError when two providers claim the same origin. */
  constructor(readonly providers: readonly Provider[]) {
    const issues: { path: string; message: string }[] = [];
    providers.forEach((provider, index) => {
      for (const origin of provider.origins) {
        const owner = this.byOrigin.get(origin);
        if (owner) {
          issues.push({ path: `providers.${index}`, message: `${provider.name} claims ${origin}, which ${owner.name} already serves` });
        } else this.byOrigin.set(origin, provider);
      }
    });
    if (issues.length > 0) throw new InvalidOptionsError({ provider: 'registry', issues });
  }

  providerFor(url: URL): Provider | undefined {
    return this.byOrigin.get(url.origin);
  }
}

/** Composes providers; see `ProviderRegistry`. Share one store by passing it to each provider's factory. */
export function createRegistry(providers: readonly Provider[]): ProviderRegistry {
  return new ProviderRegistry(providers);
}
