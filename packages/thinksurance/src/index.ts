export { thinksurance, thinksuranceOptions } from './provider.js';
export type { ThinksuranceOptions } from './provider.js';
