#!/usr/bin/env node
// @ts-check
// Generates src/generated/<name>.ts from every openapi/<name>.yaml of the package in the current
// directory with openapi-typescript. With --check it generates into a temporary directory instead
// and fails when a checked-in file differs or is missing, so CI catches a spec edited without
// regenerating (the spec, the types and the zod schemas must not drift apart).
// One script for the `generate` and `check-generated` targets and the provider generator: the
// same openapi-typescript invocation everywhere, so its output is byte-for-byte reproducible.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const cli = join(require.resolve('openapi-typescript/package.json'), '..', 'bin', 'cli.js');
const check = process.argv.includes('--check');
const cwd = process.cwd();

const specs = existsSync(join(cwd, 'openapi')) ? readdirSync(join(cwd, 'openapi')).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
if (specs.length === 0) {
  console.error(`No openapi/*.yaml in ${cwd}.`);
  process.exit(1);
}

const outDir = check ? mkdtempSync(join(tmpdir(), 'tokenwarden-check-generated-')) : join(cwd, 'src', 'generated');
const stale = [];
const packageName = () => {
  try {
    return JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')).name ?? '<project>';
  } catch {
    return '<project>';
  }
};
try {
  for (const spec of specs) {
    const target = `${spec.replace(/\.ya?ml$/, '')}.ts`;
    execFileSync(process.execPath, [cli, join('openapi', spec), '--output', join(outDir, target)], {
      cwd,
      stdio: check ? 'pipe' : 'inherit',
    });
    if (check) {
      const committed = join(cwd, 'src', 'generated', target);
      if (!existsSync(committed) || readFileSync(committed, 'utf8') !== readFileSync(join(outDir, target), 'utf8')) {
        stale.push(`src/generated/${target}`);
      }
    }
  }
} finally {
  if (check) rmSync(outDir, { recursive: true, force: true });
}

if (stale.length > 0) {
  console.error(
    `${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} out of date with openapi/. ` +
      `Run \`npx nx run ${packageName()}:generate\` and commit src/generated.`,
  );
  process.exit(1);
}
if (check) console.log(`src/generated is current with ${specs.map((s) => `openapi/${s}`).join(', ')}.`);
