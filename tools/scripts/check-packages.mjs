#!/usr/bin/env node
// Lints what each publishable package would put on npm — the packed tarball, not the folder —
// with publint (strict: warnings fail) and are-the-types-wrong (node16 profile: CommonJS and
// ESM consumers under node16 resolution, plus bundlers), then checks the rules the two tools do
// not know: every module a shipped file imports is a declared dependency, the production entry
// never reaches the fake servers under testing/, internal dependency ranges accept the
// workspace version, no tests or build leftovers are shipped, and the manifest carries
// sideEffects/engines/license/files/publishConfig.
//
// Usage: node tools/scripts/check-packages.mjs [package-name…]   (default: every package)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { ensureBuilt, mapLimit, packAll, publishablePackages, root, run, satisfies, script, selectedPackages } from './lib/workspace.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const attw = join(root, 'node_modules', '.bin', 'attw');
const builtins = new Set(builtinModules);

await script('check-packages', async () => {
  const packages = selectedPackages();
  await ensureBuilt(packages);
  const workDir = mkdtempSync(join(tmpdir(), 'tokenwarden-check-packages-'));
  let failed = false;
  try {
    const packed = await packAll(packages, workDir);
    const versions = new Map(publishablePackages().map((pkg) => [pkg.name, pkg.manifest.version]));
    const reports = await mapLimit(packages, 4, (pkg) => checkPackage(pkg, packed.get(pkg.name), versions));
    for (const { pkg, problems, notes } of reports) {
      console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${pkg.name}`);
      for (const note of notes) console.log(`     note: ${note}`);
      for (const problem of problems) console.log(`     ${problem.replace(/\n/g, '\n     ')}`);
      failed ||= problems.length > 0;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  if (failed) throw new Error('some packages would not work as published (see above).');
  console.log(`\ncheck-packages: ${packages.length} package(s) pass publint (strict) and attw (node16).`);
});

async function checkPackage(pkg, { tarball, files }, versions) {
  const problems = [];
  const notes = [];

  const bytes = readFileSync(tarball);
  const lint = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }, strict: true });
  for (const message of lint.messages) {
    const text = `publint ${message.type} ${message.code}: ${formatMessage(message, lint.pkg, { color: false })}`;
    // Suggestions are publint's "nice to have" tier; strict mode fails on warnings and errors.
    if (message.type === 'suggestion') notes.push(text);
    else problems.push(text);
  }

  const types = await run(attw, [tarball, '--profile', 'node16', '--format', 'ascii', '--no-color', '--no-emoji'], { allowFailure: true, timeoutMs: 120_000 });
  if (types.code !== 0) problems.push(`are-the-types-wrong (node16) found problems:\n${types.stdout}${types.stderr}`.trimEnd());

  problems.push(...manifestProblems(pkg.manifest, versions));
  const stray = files.filter((file) => /\.(test|spec)\.[cm]?[jt]s$|\.tsbuildinfo$|(^|\/)(test|__tests__|out-tsc|coverage)\//.test(file));
  if (stray.length > 0) problems.push(`the tarball ships files no user needs: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', …' : ''} (tighten "files")`);
  problems.push(...importProblems(pkg, files));
  return { pkg, problems, notes };
}

function manifestProblems(manifest, versions) {
  const problems = [];
  if (manifest.sideEffects !== false) problems.push('package.json: "sideEffects" must be false so bundlers can drop unused modules');
  if (typeof manifest.engines?.node !== 'string') problems.push('package.json: "engines.node" is missing');
  if (typeof manifest.license !== 'string') problems.push('package.json: "license" is missing');
  if (manifest.publishConfig?.access !== 'public') problems.push('package.json: "publishConfig.access" must be "public" for a scoped package');
  if (!Array.isArray(manifest.files)) problems.push('package.json: "files" is missing, so everything in the folder would be published');
  const exports = manifest.exports ?? {};
  if (typeof exports !== 'object' || !exports['.']) problems.push('package.json: "exports" has no "." entry');
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (!versions.has(name)) continue;
      if (!satisfies(versions.get(name), range)) {
        problems.push(`package.json: ${field}["${name}"] is "${range}", which does not accept the workspace's ${versions.get(name)}: a consumer would get another version from npm`);
      }
    }
  }
  return problems;
}

/**
 * Hoisting makes every root dependency importable inside the workspace, so an undeclared import
 * only breaks for a consumer. Reads the shipped .js and .d.ts files with TypeScript's import
 * scanner (comments and strings are not mistaken for imports).
 */
function importProblems(pkg, files) {
  const declared = new Set([pkg.name, ...Object.keys(pkg.manifest.dependencies ?? {}), ...Object.keys(pkg.manifest.peerDependencies ?? {})]);
  const undeclared = new Map();
  const shipped = files.filter((file) => /\.(c|m)?js$|\.d\.(c|m)?ts$/.test(file) && file.startsWith('dist/'));
  for (const file of shipped) {
    for (const specifier of importsOf(join(pkg.dir, file))) {
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier.split('/')[0])) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      if (!declared.has(name)) undeclared.set(name, [...(undeclared.get(name) ?? []), file]);
    }
  }
  const problems = [...undeclared].map(
    ([name, from]) => `"${name}" is imported by ${from.slice(0, 3).join(', ')}${from.length > 3 ? ` and ${from.length - 3} more` : ''} but is not in dependencies or peerDependencies`,
  );

  // Production bundles must never pull the fake servers in: walk the "." entry's relative imports.
  const entry = pkg.manifest.exports?.['.']?.import?.default;
  if (typeof entry === 'string') {
    const seen = new Set();
    const queue = [posix.normalize(entry)];
    while (queue.length > 0) {
      const file = queue.pop();
      if (seen.has(file) || !files.includes(file)) continue;
      seen.add(file);
      if (file.split('/').includes('testing')) {
        problems.push(`the "." entry reaches ${file}: the ./testing code would end up in production bundles`);
        break;
      }
      for (const specifier of importsOf(join(pkg.dir, file))) {
        if (specifier.startsWith('.')) queue.push(posix.join(posix.dirname(file), specifier));
      }
    }
  }
  return problems;
}

function importsOf(path) {
  return ts.preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles.map((imported) => imported.fileName);
}

