// Writes each project's test counts to .jest-results/, so `npm test` can end with one
// "N passed, N failed" line for the whole workspace (tools/scripts/test-summary.mjs).
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const project = process.env.NX_TASK_TARGET_PROJECT ?? path.basename(this.rootDir);
    const file = path.join(__dirname, '..', '..', '.jest-results', `${project}.json`);
    mkdirSync(path.dirname(file), { recursive: true });
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTotalTests: total } = results;
    writeFileSync(file, JSON.stringify({ project, passed, failed, skipped, total }) + '\n');
  }
}

module.exports = SummaryReporter;
