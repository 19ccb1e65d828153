#!/usr/bin/env node
// Two checks around changesets, so a release never surprises anyone:
//
// 1. Status. `changeset status --since=<base>` prints what would be released, and this script
//    fails when a publishable package changed since <base> (beyond its tests and tool configs)
//    but no changeset added since <base> names it — changesets itself only fails when there is
//    no changeset at all. An empty changeset (`npx changeset add --empty`) acknowledges a
//    change that needs no release. <base> is, in order:
//      --since=<ref> or $CHANGESET_SINCE   (a PR job passes origin/main);
//      the base branch ("main"), when HEAD is another branch that has it;
//      on the base branch itself — the single-branch clone CI runs on — the latest release tag
//      (`@tokenwarden/<pkg>@<version>`, written by `changeset publish`): every change since the
//      last release must be on its way to the next one. `--since=main` there would compare
//      main with itself and prove nothing.
//    With no such base (nothing released yet, or a shallow clone without the tag), the status is
//    printed without failing, and the packages that have no pending changeset are named.
//
// 2. Rehearsal. `changeset version` runs in a throwaway copy of the manifests and changesets (the
//    pending ones, or a synthetic minor bump of auth-core when there are none) and the result is
//    checked: each bumped package has a CHANGELOG.md entry for its new version, and every
//    internal dependency range in the workspace accepts the new versions. Nothing in the
//    workspace is touched.
//
// Usage: node tools/scripts/check-changesets.mjs [--since=<ref>]
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { publishablePackages, root, run, satisfies, script } from './lib/workspace.mjs';

const changeset = join(root, 'node_modules', '.bin', 'changeset');
const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8'));
const baseBranch = config.baseBranch ?? 'main';
// Files that never reach a user: a change to them alone needs no changeset (nx.json's "production" inputs).
const unshipped = [/\.test\.ts$/, /(^|\/)test\//, /(^|\/)tsconfig\.spec\.json$/, /(^|\/)jest\.config\.[cm]?js$/, /(^|\/)eslint\.config\.[cm]?js$/];

await script('check-changesets', async () => {
  const packages = publishablePackages();
  const statusOk = await checkStatus(packages);
  await rehearseVersion();
  if (!statusOk) throw new Error('packages changed without a changeset (see above). Run `npx changeset` and describe what a user gets.');
});

async function git(...args) {
  return (await run('git', args, { cwd: root, timeoutMs: 30_000 })).stdout.trim();
}

async function gitOk(...args) {
  return (await run('git', args, { cwd: root, timeoutMs: 30_000, allowFailure: true })).code === 0;
}

/** The ref to compare with, and why; `undefined` when there is none worth comparing with. */
async function findBase() {
  const given = process.argv.find((arg) => arg.startsWith('--since='))?.slice('--since='.length) ?? process.env.CHANGESET_SINCE;
  if (given) return { ref: given, why: 'given' };
  const branch = await git('rev-parse', '--abbrev-ref', 'HEAD');
  if (branch !== baseBranch) {
    for (const ref of [`origin/${baseBranch}`, baseBranch]) {
      if (await gitOk('rev-parse', '--verify', '--quiet', `${ref}^{commit}`)) return { ref, why: `HEAD is ${branch}, compared with ${ref}` };
    }
  }
  const described = await run('git', ['describe', '--tags', '--abbrev=0', '--match', '@tokenwarden/*@*', 'HEAD'], { cwd: root, allowFailure: true });
  if (described.code === 0) return { ref: described.stdout.trim(), why: `on ${baseBranch}: compared with the latest release tag` };
  const shallow = (await git('rev-parse', '--is-shallow-repository')) === 'true';
  return {
    ref: undefined,
    why: shallow
      ? `HEAD is on ${baseBranch} in a shallow clone without release tags, so there is nothing to compare with; fetch tags (git fetch --tags --unshallow) for a real check`
      : `HEAD is on ${baseBranch} and nothing has been released yet (no @tokenwarden/*@* tag), so there is nothing to compare with`,
  };
}

async function checkStatus(packages) {
  const base = await findBase();
  const since = base.ref ? [`--since=${base.ref}`] : [];
  console.log(`changeset status ${since.join(' ')}  (${base.why})`);
  const planFile = join(mkdtempSync(join(tmpdir(), 'tokenwarden-changesets-')), 'plan.json');
  try {
    // changesets exits 1 itself when packages changed and there is no changeset at all; the
    // per-package check below says which ones, so its verdict is printed but not decisive.
    const printed = await run(changeset, ['status', '--verbose', ...since], { cwd: root, allowFailure: true, timeoutMs: 60_000 });
    console.log(`${printed.stdout}${printed.stderr}`.replace(/^npm warn.*\n/gm, '').trimEnd());
    await run(changeset, ['status', ...since, `--output=${planFile}`], { cwd: root, allowFailure: true, timeoutMs: 60_000 });
    const plan = existsSync(planFile) ? JSON.parse(readFileSync(planFile, 'utf8')) : { changesets: [], releases: [] };
    const named = new Set(plan.changesets.flatMap((entry) => entry.releases.map((release) => release.name)));
    const acknowledged = plan.changesets.some((entry) => entry.releases.length === 0);

    if (!base.ref) {
      const pending = packages.filter((pkg) => !named.has(pkg.name)).map((pkg) => pkg.name);
      if (pending.length > 0) console.log(`\nnote: no pending changeset names ${pending.join(', ')}; the next release would publish them at their current version unchanged.`);
      console.log(`\nnot failing: ${base.why}.`);
      return true;
    }

    const mergeBase = await git('merge-base', base.ref, 'HEAD');
    const changed = (await git('diff', '--name-only', '--no-relative', mergeBase)).split('\n').filter(Boolean);
    const missing = [];
    for (const pkg of packages) {
      const files = changed.filter((file) => file.startsWith(`${pkg.relDir}/`)).map((file) => file.slice(pkg.relDir.length + 1));
      const shipped = [];
      for (const file of files) {
        if (!unshipped.some((pattern) => pattern.test(file)) && !(await isReleaseBookkeeping(pkg, file, mergeBase, packages))) shipped.push(file);
      }
      if (shipped.length > 0 && !named.has(pkg.name)) missing.push(`${pkg.name} (${shipped.slice(0, 3).join(', ')}${shipped.length > 3 ? ', …' : ''})`);
    }
    if (missing.length === 0) {
      console.log(`\nok: every package changed since ${base.ref} has a changeset.`);
      return true;
    }
    if (acknowledged) {
      console.log(`\nok: changed without a changeset naming them, acknowledged by an empty changeset: ${missing.join('; ')}`);
      return true;
    }
    console.log(`\nFAIL: changed since ${base.ref} but no changeset names them: ${missing.join('; ')}`);
    return false;
  } finally {
    rmSync(join(planFile, '..'), { recursive: true, force: true });
  }
}

/**
 * What `npm run release` itself writes: CHANGELOG.md, and package.json changes limited to the
 * version and internal dependency ranges. `changeset publish` tags the commit it runs on, before
 * the release commit holding these, so they always show up as changed since the latest tag.
 */
async function isReleaseBookkeeping(pkg, file, mergeBase, packages) {
  if (file === 'CHANGELOG.md') return true;
  if (file !== 'package.json') return false;
  const before = await run('git', ['show', `${mergeBase}:${pkg.relDir}/package.json`], { cwd: root, allowFailure: true });
  if (before.code !== 0) return false;
  const internal = new Set(packages.map((other) => other.name));
  const strip = (manifest) => {
    const copy = structuredClone(manifest);
    delete copy.version;
    for (const field of ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies']) {
      for (const name of Object.keys(copy[field] ?? {})) if (internal.has(name)) copy[field][name] = 'internal';
    }
    return JSON.stringify(copy);
  };
  return strip(JSON.parse(before.stdout)) === strip(JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')));
}

async function rehearseVersion() {
  const copy = mkdtempSync(join(tmpdir(), 'tokenwarden-release-rehearsal-'));
  try {
    const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const manifests = workspaceManifests(rootManifest.workspaces);
    writeFileSync(join(copy, 'package.json'), JSON.stringify(rootManifest, null, 2));
    for (const dir of manifests.keys()) {
      mkdirSync(join(copy, dir), { recursive: true });
      for (const file of ['package.json', 'CHANGELOG.md']) {
        if (existsSync(join(root, dir, file))) cpSync(join(root, dir, file), join(copy, dir, file));
      }
    }
    cpSync(join(root, '.changeset'), join(copy, '.changeset'), { recursive: true });
    // The changelog generator is resolved from the copy; the real node_modules serves it.
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');

    const pending = readdirSync(join(copy, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md');
    if (pending.length === 0) {
      writeFileSync(join(copy, '.changeset', 'rehearsal.md'), '---\n"@tokenwarden/auth-core": minor\n---\n\nRehearsal only.\n');
      console.log('\nrelease rehearsal: no pending changesets, so a synthetic minor bump of @tokenwarden/auth-core stands in.');
    } else {
      console.log(`\nrelease rehearsal: changeset version with the ${pending.length} pending changeset(s), in a copy.`);
    }
    // changesets reads commit ids for the changelog from git, as it would in the real repo.
    const quiet = { cwd: copy, timeoutMs: 30_000 };
    await run('git', ['init', '-q'], quiet);
    await run('git', ['add', '-A'], quiet);
    await run('git', ['-c', 'user.name=rehearsal', '-c', 'user.email=rehearsal@invalid', 'commit', '-q', '-m', 'rehearsal'], quiet);
    await run(changeset, ['version'], { cwd: copy, timeoutMs: 60_000 });

    const before = new Map([...manifests.values()].map((manifest) => [manifest.name, manifest]));
    const after = new Map([...manifests.keys()].map((dir) => [JSON.parse(readFileSync(join(copy, dir, 'package.json'), 'utf8')).name, { dir, manifest: JSON.parse(readFileSync(join(copy, dir, 'package.json'), 'utf8')) }]));
    const versions = new Map([...after].map(([name, { manifest }]) => [name, manifest.version]));
    const problems = [];
    const bumped = [];
    for (const [name, { dir, manifest }] of after) {
      const old = before.get(name);
      const lines = [];
      for (const field of ['dependencies', 'peerDependencies', 'devDependencies']) {
        for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
          if (!versions.has(dependency)) continue;
          const oldRange = old[field]?.[dependency];
          if (oldRange !== range) lines.push(`    ${field}["${dependency}"]: ${oldRange} → ${range}`);
          if (field !== 'devDependencies' && !satisfies(versions.get(dependency), range)) {
            problems.push(`${name} ${field}["${dependency}"] is "${range}", which does not accept the new ${versions.get(dependency)}`);
          }
        }
      }
      if (old.version !== manifest.version) {
        const changelog = join(copy, dir, 'CHANGELOG.md');
        const has = existsSync(changelog) && readFileSync(changelog, 'utf8').includes(`## ${manifest.version}\n`);
        if (!has) problems.push(`${name} went to ${manifest.version} but its CHANGELOG.md has no "## ${manifest.version}" entry`);
        bumped.push(`${name} ${old.version} → ${manifest.version}${has ? ' (CHANGELOG.md entry written)' : ''}`, ...lines);
      } else if (lines.length > 0) {
        bumped.push(`${name} stays ${manifest.version}${manifest.private ? ' (private)' : ''}`, ...lines);
      }
    }
    for (const line of bumped) console.log(`  ${line}`);
    if (bumped.length === 0) problems.push('changeset version bumped nothing');
    // changesets gives a package a major bump whenever a workspace peer it lists gets a minor or
    // major one (unless onlyUpdatePeerDependentsWhenOutOfRange) — worth seeing before the testkit
    // or a 0.x plugin jumps to 1.0.0 by surprise.
    const major = (version) => Number(version.split('.')[0]);
    for (const [name, { manifest }] of after) {
      const old = before.get(name);
      const movedPeers = Object.keys(old.peerDependencies ?? {}).filter((peer) => versions.has(peer) && before.get(peer).version !== versions.get(peer));
      if (major(manifest.version) > major(old.version) && movedPeers.length > 0) {
        console.log(`  note: ${name} goes to ${manifest.version} only because its peer ${movedPeers.join(', ')} got a minor or major bump: changesets then bumps peer dependents a major.`);
      }
    }
    if (problems.length > 0) throw new Error(`release rehearsal failed:\n  ${problems.join('\n  ')}`);
    console.log('release rehearsal: ok — changelogs written and internal ranges follow the new versions (nothing in the workspace changed).');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Workspace folder (relative to the root) → its package.json, for the root's `workspaces` globs. */
function workspaceManifests(patterns) {
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(join(parent, entry.name));
      }
    } else dirs.push(pattern);
  }
  return new Map(
    dirs
      .filter((dir) => existsSync(join(root, dir, 'package.json')))
      .map((dir) => [relative(root, join(root, dir)), JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'))]),
  );
}
