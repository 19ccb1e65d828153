import type { z } from 'zod';
import { InvalidOptionsError } from './errors.js';
import { TokenManager, type TokenManagerOptions } from './manager.js';
import type { Presenter } from './presenter.js';
import type { TokenSource } from './token.js';

/** A configured provider: its manager, how its token goes on requests, and where it may go. */
export interface Provider {
  readonly name: string;
  readonly manager: TokenManager;
  readonly presenter: Presenter;
  /** Normalized origins (`https://host:port`) that receive this provider's token; no others do. */
  readonly origins: readonly string[];
  /** This provider if `url` has one of its origins. */
  providerFor(url: URL): Provider | undefined;
}

/** What a provider's `setup` returns. */
export interface ProviderSetup<Api extends object> {
  readonly source: TokenSource;
  readonly presenter: Presenter;
  /** Where the token may be sent; exact origin match, nothing else gets it. */
  readonly origins: readonly string[];
  /** Extra methods of the provider (e.g. `createAccessToken`), built once the manager exists. */
  readonly api?: (manager: TokenManager, provider: Provider) => Api;
}

/** The declarative part of a provider package. */
export interface ProviderDefinition<Schema extends z.ZodType, Api extends object> {
  /** Lower-case provider name, e.g. "mittwald". */
  readonly name: string;
  /** Options schema; every invalid field is reported at once, values are never echoed. */
  readonly options: Schema;
  /** `engine` is the factory's second argument, e.g. to reuse `loginTimeoutMs` for the provider's own calls. */
  setup(options: z.output<Schema>, engine: TokenManagerOptions): ProviderSetup<Api>;
}

/** Creates a configured provider from user options and optional engine settings. */
export type ProviderFactory<Schema extends z.ZodType, Api extends object> = ((
  options: z.input<Schema>,
  engine?: TokenManagerOptions,
) => Provider & Api) & { readonly providerName: string; readonly schema: Schema };

/** Normalizes an origin (`https://API.example.com/x` → `https://api.example.com`). */
export function normalizeOrigin(origin: string | URL, provider = 'provider'): string {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('protocol');
    return url.origin;
  } catch {
    throw new InvalidOptionsError({ provider, issues: [{ path: 'origins', message: 'must be an http(s) URL' }] });
  }
}

/** Validates options, reporting every invalid field at once by path and message (never by value). */
export function parseOptions<Schema extends z.ZodType>(provider: string, schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidOptionsError({
    provider,
    issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  });
}

/** Builds a provider from its parts (what `defineProvider` does after validating options). */
export function createProvider<Api extends object>(name: string, setup: ProviderSetup<Api>, engine?: TokenManagerOptions): Provider & Api {
  const origins = setup.origins.map((o) => normalizeOrigin(o, name));
  const manager = new TokenManager(setup.source, engine);
  const provider: Provider = {
    name,
    manager,
    presenter: setup.presenter,
    origins,
    providerFor: (url) => (origins.includes(url.origin) ? provider : undefined),
  };
  return Object.assign(provider, setup.api?.(manager, provider) ?? ({} as Api));
}

/**
 * Declares a provider plugin: a zod schema for its options and a `setup` returning its token
 * source, presenter and origins. The result is the factory users call.
 *
 * @example
 * export const acme = defineProvider({
 *   name: 'acme',
 *   options: z.object({ baseUrl: z.url(), apiKey: z.string().min(1) }),
 *   setup: (o) => ({ source: acmeSource(o), presenter: headerPresenter(), origins: [o.baseUrl] }),
 * });
 * const provider = acme({ baseUrl: 'https://api.acme.test', apiKey: process.env.ACME_KEY });
 */
export function defineProvider<Schema extends z.ZodType, Api extends object = Record<never, never>>(
  definition: ProviderDefinition<Schema, Api>,
): ProviderFactory<Schema, Api> {
  const factory = (options: z.input<Schema>, engine?: TokenManagerOptions) =>
    createProvider(definition.name, definition.setup(parseOptions(definition.name, definition.options, options), engine ?? {}), engine);
  return Object.assign(factory, { providerName: definition.name, schema: definition.options });
}
