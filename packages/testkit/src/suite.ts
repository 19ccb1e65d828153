import { afterEach, describe, it } from '@jest/globals';
import type { ConformanceServer } from '@tokenwarden/auth-core/testing';
import { conformanceChecks } from './checks/index.js';
import { closeAll } from './harness.js';
import type { ConformanceOptions } from './options.js';

/**
 * Declares jest `describe` blocks that check the provider against the engine's contract: one
 * login for a cold burst, refresh before expiry, recovery after rejection, wrong credentials,
 * malformed login answers, a login outage, secret redaction and origin pinning — each over
 * real HTTP against a fresh fake server, with exact counts. Call it at the top level of a test file.
 */
export function runConformanceSuite<S extends ConformanceServer>(options: ConformanceOptions<S>): void {
  describe(`${options.name} conformance`, () => {
    // A check that timed out is still running; its servers and managers must not outlive the test.
    afterEach(closeAll);
    const groups = [...new Set(conformanceChecks.map((check) => check.group))];
    for (const group of groups) {
      describe(group, () => {
        for (const check of conformanceChecks.filter((c) => c.group === group)) {
          it(check.title, () => check.run(options));
        }
      });
    }
  });
}
