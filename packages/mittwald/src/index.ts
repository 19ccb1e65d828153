export { mittwald, mittwaldOptions } from './provider.js';
export type { MittwaldOptions } from './provider.js';
