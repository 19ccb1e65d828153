export { meldeschein, meldescheinOptions } from './provider.js';
export type { MeldescheinOptions } from './provider.js';
