#!/usr/bin/env node
// Builds the package in the current directory twice from the same sources: CommonJS to
// dist/cjs and ESM to dist/esm, each with its own declarations and a package.json that tells
// Node (and TypeScript) which module system the folder holds. One tsc per format keeps
// the output readable and source-mapped without a bundler.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const cwd = process.cwd();

rmSync(join(cwd, 'dist'), { recursive: true, force: true });
const run = (...args) => execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', ...args], { cwd, stdio: 'inherit' });
run('--outDir', 'dist/cjs');
run('--outDir', 'dist/esm', '--module', 'esnext', '--moduleResolution', 'bundler');

for (const [dir, type] of [['cjs', 'commonjs'], ['esm', 'module']]) {
  mkdirSync(join(cwd, 'dist', dir), { recursive: true });
  writeFileSync(join(cwd, 'dist', dir, 'package.json'), JSON.stringify({ type }) + '\n');
}
