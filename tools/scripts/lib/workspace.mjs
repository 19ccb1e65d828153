// What the release checks share: which packages get published, making sure their dist/ is
// current, packing them the way `npm publish` would, and running a command with a deadline.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Every packages/<dir>/package.json that is not private, sorted by folder, so packages that land
 * later are checked without anyone editing a list.
 */
export function publishablePackages() {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(base, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { name: manifest.name, folder: entry.name, dir, relDir: relative(root, dir), manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.folder.localeCompare(b.folder));
}

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newestMtime(dir, skip = () => false) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop();
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (skip(path)) continue;
      if (entry.isDirectory()) stack.push(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds (through Nx, so dependencies build first and the cache applies) the packages whose
 * dist/ is missing or older than their src/ or package.json. Checking a stale dist/ would prove
 * nothing about the code being shipped; always running Nx costs ~6 s even on a full cache hit.
 */
export async function ensureBuilt(packages) {
  const stale = packages.filter((pkg) => {
    const built = newestMtime(join(pkg.dir, 'dist'));
    if (built === 0) return true;
    const sources = Math.max(
      newestMtime(join(pkg.dir, 'src'), (path) => path.endsWith('.test.ts')),
      statSync(join(pkg.dir, 'package.json')).mtimeMs,
    );
    return sources > built;
  });
  if (stale.length === 0) return;
  console.log(`Building ${stale.map((pkg) => pkg.name).join(', ')} (dist/ missing or older than src/)…`);
  await run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static', '-p', ...stale.map((pkg) => pkg.name)], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false' },
    timeoutMs: 300_000,
    echo: true,
  });
}

/**
 * Packs `packages` into `destination` in one `npm pack` (lifecycle scripts included, exactly as
 * `npm publish` would run them) and returns name → absolute tarball path.
 */
export async function packAll(packages, destination) {
  const args = ['pack', '--json', '--pack-destination', destination, ...packages.flatMap((pkg) => ['-w', pkg.name])];
  const { stdout } = await run('npm', args, { cwd: root, timeoutMs: 120_000 });
  const packed = JSON.parse(stdout.slice(stdout.indexOf('[')));
  return new Map(packed.map((entry) => [entry.name, { tarball: join(destination, entry.filename), files: entry.files.map((f) => f.path) }]));
}

/**
 * The publishable packages named on the command line (all of them when none is named); exits
 * when a name matches nothing, so a typo does not pass as "nothing to check".
 */
export function selectedPackages(names = process.argv.slice(2).filter((arg) => !arg.startsWith('--'))) {
  const all = publishablePackages();
  const unknown = names.filter((name) => !all.some((pkg) => pkg.name === name));
  if (unknown.length > 0) {
    console.error(`Not a publishable package: ${unknown.join(', ')} (have: ${all.map((pkg) => pkg.name).join(', ')})`);
    process.exit(1);
  }
  return names.length === 0 ? all : all.filter((pkg) => names.includes(pkg.name));
}

/** Runs `main`; a failure prints its message (not a stack of our own plumbing) and exits 1. */
export async function script(name, main) {
  try {
    await main();
  } catch (error) {
    console.error(`\n${name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

const running = new Set();

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) killGroup(child);
    process.exit(130);
  });
}

/**
 * Runs a command; resolves with its output, rejects with the output attached when it exits
 * non-zero or outlives `timeoutMs`. `echo` streams the output as it comes.
 */
export function run(command, args, { cwd, env = process.env, timeoutMs = 60_000, echo = false, allowFailure = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so a timeout or Ctrl-C stops what it started too (npx → nx → tsc).
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (echo) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const result = { code, stdout, stderr };
      if ((code === 0 || allowFailure) && signal === null) return resolvePromise(result);
      const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${timeoutMs} ms` : ''})` : `exited with ${code}`;
      // Echoed output is already on screen; repeating it in the message would print it twice.
      const error = new Error(`${command} ${args.join(' ')} ${why}${echo ? '' : `\n${stdout}${stderr}`}`.trimEnd());
      reject(Object.assign(error, result));
    });
  });
}

/** Runs `task` over `items`, at most `limit` at a time; results keep the order of `items`. */
export async function mapLimit(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Whether `version` is in the npm `range`, for the ranges this workspace writes: exact, ^, ~,
 * comparators (>=, >, <=, <, =), space-separated sets, `||` and `*`. No prereleases; anything
 * unparsable is false. (semver is only a transitive dependency here, so it is not imported.)
 */
export function satisfies(version, range) {
  const parse = (text) => {
    const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text);
    return match ? match.slice(1).map(Number) : undefined;
  };
  const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const have = parse(version);
  if (!have) return false;
  const comparator = (text) => {
    if (text === '*' || text === '') return true;
    const [, op, rest] = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(text);
    const want = parse(rest);
    if (!want) return false;
    const order = compare(have, want);
    switch (op) {
      case '^': {
        const upper = want[0] > 0 ? [want[0] + 1, 0, 0] : want[1] > 0 ? [0, want[1] + 1, 0] : [0, 0, want[2] + 1];
        return order >= 0 && compare(have, upper) < 0;
      }
      case '~':
        return order >= 0 && compare(have, [want[0], want[1] + 1, 0]) < 0;
      case '>=':
        return order >= 0;
      case '>':
        return order > 0;
      case '<=':
        return order <= 0;
      case '<':
        return order < 0;
      default:
        return order === 0;
    }
  };
  return range.split('||').some((set) => set.trim().split(/\s+/).every((part) => comparator(part)));
}
