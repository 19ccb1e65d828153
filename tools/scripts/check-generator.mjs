#!/usr/bin/env node
// @ts-check
// Proves the provider generator: copies the workspace (tracked and untracked-but-not-ignored
// files) into a temporary directory, scaffolds a throwaway provider there with
// `nx g @tokenwarden/tools:provider`, and runs `nx sync:check` plus the new package's lint,
// typecheck, test, build and check-generated targets — unchanged, as a contributor would get them.
// The workspace itself is never touched. Usage: node tools/scripts/check-generator.mjs [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const keep = process.argv.includes('--keep');
const name = 'generator-check';
const started = Date.now();
/** @param {number} since epoch ms */
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true' };

const tmp = mkdtempSync(join(tmpdir(), 'tokenwarden-generator-'));
let failed = false;

/**
 * Runs one step in the copy, streaming its output; stops the check on failure.
 * @param {string} title
 * @param {string} command
 * @param {readonly string[]} args
 */
function step(title, command, args) {
  const at = Date.now();
  console.log(`\n▶ ${title}\n  $ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: tmp, env, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${title} failed (exit ${result.status ?? result.signal}).`);
  }
  console.log(`✔ ${title} (${seconds(at)})`);
}

/**
 * `nx sync:check` after scaffolding. Out-of-sync references that involve the new package are the
 * generator's fault and fail the check; others were there before it ran (packages in progress),
 * so the copy is synced and the check goes on.
 */
function syncCheck() {
  const title = 'Project references are in sync after scaffolding';
  const at = Date.now();
  console.log(`\n▶ ${title}\n  $ npx nx sync:check`);
  const result = spawnSync('npx', ['nx', 'sync:check'], { cwd: tmp, env, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  process.stdout.write(output);
  if (result.status === 0) return void console.log(`✔ ${title} (${seconds(at)})`);
  if (output.includes(`packages/${name}`)) throw new Error(`${title} failed: the generator left references for packages/${name} that nx sync would change.`);
  console.log(`The workspace was out of sync before the generator ran (not about packages/${name}); syncing the copy.`);
  step('Sync the rest of the copy', 'npx', ['nx', 'sync']);
}

try {
  const at = Date.now();
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
    .toString('utf8')
    .split('\0')
    .filter((file) => file && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(tmp, file)), { recursive: true });
    cpSync(join(root, file), join(tmp, file), { verbatimSymlinks: true });
  }
  if (existsSync(join(tmp, 'packages', name))) throw new Error(`packages/${name} exists in the workspace; remove it first.`);

  // node_modules: link every installed package. @tokenwarden/* gets a folder of its own holding
  // the same links as the workspace's, pointed into the copy: packages resolve to the copy's
  // sources, and whatever is not linked yet (no `npm install` since it was added) stays unlinked,
  // as it is for a contributor — the generator must cope with that.
  const modules = join(root, 'node_modules');
  const scope = join(tmp, 'node_modules', '@tokenwarden');
  mkdirSync(scope, { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry !== '@tokenwarden') symlinkSync(join(modules, entry), join(tmp, 'node_modules', entry));
  }
  for (const entry of readdirSync(join(modules, '@tokenwarden'))) {
    symlinkSync(readlinkSync(join(modules, '@tokenwarden', entry)), join(scope, entry));
  }
  console.log(`Copied ${files.length} workspace files to ${tmp} and linked node_modules (${seconds(at)}).`);

  step(`Scaffold packages/${name}`, 'npx', ['nx', 'g', '@tokenwarden/tools:provider', name, '--no-interactive']);
  syncCheck();
  step(`lint, typecheck, test, build and check-generated of @tokenwarden/${name}`, 'npx', [
    'nx',
    'run-many',
    '-t',
    'lint',
    'typecheck',
    'test',
    'build',
    'check-generated',
    '-p',
    `@tokenwarden/${name}`,
    '--outputStyle=stream',
  ]);
} catch (error) {
  failed = true;
  console.error(`\n✘ ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (keep) console.log(`\nKept the copy in ${tmp}.`);
  else rmSync(tmp, { recursive: true, force: true });
}

console.log(failed ? `\nThe provider generator check FAILED after ${seconds(started)}.` : `\nThe provider generator check passed in ${seconds(started)}.`);
process.exit(failed ? 1 : 0);
