#!/usr/bin/env node
// Builds the package in the current directory twice from the same sources: CommonJS to
// dist/cjs and ESM to dist/esm, each with its own declarations and a package.json that tells
// Node (and TypeScript) which module system the folder holds. One tsc per format keeps
// the output readable and source-mapped without a bundler.
//
// Both builds go to a staging folder first (under node_modules/.cache: git-ignored, never
// packed, same file system as dist/) and replace dist/ by rename only when complete:
// dependents building or testing meanwhile never see a missing or half-written dist/, and a
// failed build leaves the previous one in place.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const cwd = process.cwd();
const cache = join(cwd, 'node_modules', '.cache');
const staging = join(cache, `tokenwarden-build-${process.pid}`);
const retired = join(cache, `tokenwarden-dist-${process.pid}`);
const dist = join(cwd, 'dist');

try {
  const run = (...args) => execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', ...args], { cwd, stdio: 'inherit' });
  run('--outDir', join(staging, 'cjs'));
  run('--outDir', join(staging, 'esm'), '--module', 'esnext', '--moduleResolution', 'bundler');

  for (const [dir, type] of [['cjs', 'commonjs'], ['esm', 'module']]) {
    mkdirSync(join(staging, dir), { recursive: true });
    writeFileSync(join(staging, dir, 'package.json'), JSON.stringify({ type }) + '\n');
  }
  if (existsSync(dist)) renameSync(dist, retired);
  renameSync(staging, dist);
} finally {
  rmSync(staging, { recursive: true, force: true });
  rmSync(retired, { recursive: true, force: true });
}
