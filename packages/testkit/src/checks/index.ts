import type { ConformanceCheck } from './check.js';
import { failureChecks } from './failures.js';
import { lifecycleChecks } from './lifecycle.js';
import { originChecks } from './origins.js';
import { rejectionChecks } from './rejection.js';
import { secretChecks } from './secrets.js';

export type { ConformanceCheck, ConformanceCheckId } from './check.js';

/** Every check of the suite, in the order `runConformanceSuite` declares them. */
export const conformanceChecks: readonly ConformanceCheck[] = [
  ...lifecycleChecks,
  ...rejectionChecks,
  ...failureChecks,
  ...secretChecks,
  ...originChecks,
];
