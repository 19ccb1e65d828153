#!/usr/bin/env node
// What each package adds to a user's bundle: its ESM entry bundled with rollup, every
// dependency and peer (and node: builtins) left external — so a provider is measured on top
// of auth-core — minified with terser and gzipped with zlib. ./testing is never measured:
// production bundles must not include the fake servers.
//
// Budgets (min+gz, 1 kB = 1000 bytes): auth-core 8 kB; a provider (depends on auth-core and
// ships ./testing) 6 kB on top of auth-core; everything else and extra entries are report-only.
//
// Usage: node tools/scripts/size.mjs [--verbose] [package-name…]
//        (--verbose: per-module weights for every row; default: every package)
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import { minify } from 'terser';
import { ensureBuilt, script, selectedPackages } from './lib/workspace.mjs';

const KB = 1000;
const budgets = { '@tokenwarden/auth-core': 8 * KB };
const PROVIDER_BUDGET = 6 * KB;
const verbose = process.argv.includes('--verbose');
const builtins = new Set(builtinModules);
const terserOptions = { module: true, ecma: 2022, compress: { passes: 2 }, format: { comments: false } };

await script('size', async () => {
  const packages = selectedPackages();
  await ensureBuilt(packages);

  const rows = [];
  for (const pkg of packages) {
    for (const [subpath, target] of Object.entries(pkg.manifest.exports ?? {})) {
      if (subpath === './package.json' || subpath.split('/').includes('testing')) continue;
      const file = target?.import?.default;
      if (typeof file !== 'string') continue;
      const entry = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
      const budget = subpath === '.' ? budgetOf(pkg) : undefined;
      rows.push({ entry, budget, kind: subpath === '.' ? kindOf(pkg) : 'extra entry', ...(await measure(pkg, join(pkg.dir, file))) });
    }
  }

  const table = [
    ['entry', 'kind', 'min', 'min+gz', 'budget', 'ok'],
    ...rows.map((row) => [
      row.entry,
      row.kind,
      kb(row.min),
      kb(row.gz),
      row.budget === undefined ? '-' : kb(row.budget),
      row.budget === undefined ? 'report only' : row.gz <= row.budget ? 'yes' : `NO (+${kb(row.gz - row.budget)})`,
    ]),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)));
  for (const [index, line] of table.entries()) {
    console.log(line.map((cell, column) => (column >= 2 && column <= 4 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
  console.log('(min = terser, min+gz = terser then gzip; dependencies, peers and node: builtins excluded; 1 kB = 1000 bytes)');

  const over = rows.filter((row) => row.budget !== undefined && row.gz > row.budget);
  for (const row of verbose ? rows : over) {
    console.log(`\n${row.entry}: ${kb(row.gz)} min+gz${row.budget !== undefined && row.gz > row.budget ? `, ${kb(row.gz - row.budget)} over its ${kb(row.budget)} budget` : ''}. Heaviest modules (each minified and gzipped alone, so they sum to more than the bundle):`);
    for (const module of row.modules.slice(0, verbose ? row.modules.length : 8)) {
      console.log(`  ${kb(module.gz).padStart(9)}  ${module.id}`);
    }
  }
  if (over.length > 0) throw new Error(`${over.map((row) => row.entry).join(', ')} over budget.`);
});

function kindOf(pkg) {
  if (budgets[pkg.name] !== undefined) return 'engine';
  return isProvider(pkg) ? 'provider' : 'other';
}

function budgetOf(pkg) {
  return budgets[pkg.name] ?? (isProvider(pkg) ? PROVIDER_BUDGET : undefined);
}

/** A provider is built on the engine and ships a fake server — true of every plugin, ours or not. */
function isProvider(pkg) {
  const dependsOnCore = Boolean(pkg.manifest.dependencies?.['@tokenwarden/auth-core'] ?? pkg.manifest.peerDependencies?.['@tokenwarden/auth-core']);
  return dependsOnCore && pkg.manifest.exports?.['./testing'] !== undefined;
}

async function measure(pkg, input) {
  if (!existsSync(input)) throw new Error(`${pkg.name}: ${input} does not exist — is the package built?`);
  const external = new Set([...Object.keys(pkg.manifest.dependencies ?? {}), ...Object.keys(pkg.manifest.peerDependencies ?? {})]);
  const isExternal = (id) => {
    if (id.startsWith('node:') || builtins.has(id)) return true;
    const name = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0];
    return external.has(name);
  };
  const bundle = await rollup({
    input,
    external: isExternal,
    plugins: [nodeResolve({ exportConditions: ['node', 'import', 'default'] })],
    onwarn: (warning) => {
      // An import rollup cannot resolve stays external and would make the number look smaller than it is.
      if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`${pkg.name}: ${warning.message}`);
    },
  });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  const chunk = output.find((item) => item.type === 'chunk' && item.isEntry);
  const min = (await minify(chunk.code, terserOptions)).code ?? '';
  const modules = [];
  for (const [id, rendered] of Object.entries(chunk.modules)) {
    if (!rendered.code) continue;
    const code = (await minify(rendered.code, { ...terserOptions, compress: false, mangle: true })).code ?? '';
    modules.push({ id: id.startsWith(pkg.dir) ? id.slice(pkg.dir.length + 1) : id, gz: gzipSync(code).length });
  }
  modules.sort((a, b) => b.gz - a.gz);
  return { min: Buffer.byteLength(min), gz: gzipSync(min).length, modules };
}

function kb(bytes) {
  return `${(bytes / KB).toFixed(2)} kB`;
}
