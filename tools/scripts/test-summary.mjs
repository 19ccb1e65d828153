#!/usr/bin/env node
// Prints the workspace's test counts from .jest-results/ (written by tools/jest/summary-reporter.cjs)
// as a table and one closing "N passed, N failed" line.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../../.jest-results/', import.meta.url).pathname;
const files = [];
const walk = (d) => {
  for (const entry of readdirSync(d, { withFileTypes: true })) {
    if (entry.isDirectory()) walk(join(d, entry.name));
    else if (entry.name.endsWith('.json')) files.push(join(d, entry.name));
  }
};
try {
  walk(dir);
} catch {
  console.error('test-summary: no .jest-results/ — did any test run?');
  process.exit(1);
}
const rows = files.map((f) => JSON.parse(readFileSync(f, 'utf8'))).sort((a, b) => a.project.localeCompare(b.project));
console.table(rows);
const sum = (k) => rows.reduce((n, r) => n + r[k], 0);
console.log(`jest: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
if (sum('total') === 0 || sum('failed') > 0) process.exit(1);
