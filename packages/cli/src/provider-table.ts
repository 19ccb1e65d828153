import type { CliProvider } from './providers.js';

/** The providers `tokenwarden token` and `create-token` know, in the order `--help` lists them. */
export const builtInProviders: readonly CliProvider[] = [];
