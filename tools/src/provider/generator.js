// @ts-check
// CommonJS with JSDoc types on purpose: Nx loads local generators with plain `require`, and on
// Node 20 a TypeScript generator would need ts-node or swc-node, which this workspace avoids.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { generateFiles, names, readJson, updateJson } = require('@nx/devkit');

/** @typedef {import('@nx/devkit').Tree} Tree */
/** @typedef {{ name: string }} ProviderGeneratorSchema */

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** Packages of the workspace that are not providers, existing or planned (see DESIGN.md). */
const RESERVED = new Set(['auth-core', 'testkit', 'cli', 'redis', 'tools']);
const OPENAPI_TYPES = path.join(__dirname, '..', '..', 'scripts', 'openapi-types.mjs');

/**
 * Checks `name` and returns it, or throws an error that says what to type instead.
 * @param {Tree} tree
 * @param {unknown} name
 * @returns {string}
 */
function validateName(tree, name) {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new Error(
      `Invalid provider name ${JSON.stringify(name)}: use lower-case kebab case — letters, digits and single dashes, starting with a letter (e.g. "acme" or "generic-jwt").`,
    );
  }
  if (RESERVED.has(name)) {
    throw new Error(`Invalid provider name "${name}": @tokenwarden/${name} is a workspace package that is not a provider; pick another name.`);
  }
  if (tree.exists(`packages/${name}`)) {
    throw new Error(`Provider "${name}" already exists: packages/${name} is there. Pick another name or edit that package.`);
  }
  return name;
}

/**
 * The version of a workspace package, or `fallback` when the package is not in the tree yet.
 * @param {Tree} tree
 * @param {string} dir
 * @param {string} fallback
 */
function workspaceVersion(tree, dir, fallback) {
  const file = `packages/${dir}/package.json`;
  return tree.exists(file) ? String(readJson(tree, file).version) : fallback;
}

/**
 * The references `nx sync` (@nx/js:typescript-sync) gives a package's tsconfig.lib.json: one
 * per workspace dependency that has a composite tsconfig.lib.json, in reverse declaration order
 * (the sync generator unshifts). Writing them now keeps `nx sync:check` green right after scaffolding.
 * @param {Tree} tree
 * @param {readonly string[]} deps package directories under packages/
 */
function libReferences(tree, deps) {
  const refs = deps.filter((dep) => tree.exists(`packages/${dep}/tsconfig.lib.json`)).map((dep) => ({ path: `../${dep}/tsconfig.lib.json` }));
  return `[${refs.reverse().map((ref) => `{ "path": ${JSON.stringify(ref.path)} }`).join(', ')}]`;
}

/**
 * Runs openapi-typescript on `yaml` exactly as the package's `generate` target does (the same
 * script) and returns the TypeScript it writes.
 * @param {string} yaml
 */
function generateTypes(yaml) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenwarden-openapi-'));
  try {
    fs.mkdirSync(path.join(dir, 'openapi'));
    fs.writeFileSync(path.join(dir, 'openapi', 'auth.yaml'), yaml);
    execFileSync(process.execPath, [OPENAPI_TYPES], { cwd: dir, stdio: 'pipe' });
    return fs.readFileSync(path.join(dir, 'src', 'generated', 'auth.ts'), 'utf8');
  } catch (error) {
    const stderr = /** @type {{ stderr?: Buffer }} */ (error).stderr?.toString().trim();
    throw new Error(`openapi-typescript failed on the generated openapi/auth.yaml${stderr ? `:\n${stderr}` : ''}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Links `node_modules/@tokenwarden/<dir>` to `packages/<dir>` for the new package and its
 * workspace dependencies when missing — what `npm install` would do — so the package is
 * importable by name (examples, other packages) before anyone runs an install.
 * @param {string} root workspace root on disk
 * @param {readonly string[]} dirs
 */
function linkWorkspacePackages(root, dirs) {
  const scope = path.join(root, 'node_modules', '@tokenwarden');
  if (!fs.existsSync(path.join(root, 'node_modules'))) return;
  fs.mkdirSync(scope, { recursive: true });
  for (const dir of dirs) {
    const link = path.join(scope, dir);
    let present = true;
    try {
      fs.lstatSync(link);
    } catch {
      present = false;
    }
    if (!present && fs.existsSync(path.join(root, 'packages', dir, 'package.json'))) {
      fs.symlinkSync(path.join('..', '..', 'packages', dir), link, 'dir');
    }
  }
}

/**
 * `nx g @tokenwarden/tools:provider <name>`: scaffolds packages/<name> — a provider package that
 * lints, type-checks, builds and passes its tests (including the testkit conformance suite)
 * unchanged — registers it in the root tsconfig.json and adds its changeset.
 * @param {Tree} tree
 * @param {ProviderGeneratorSchema} schema
 * @returns {Promise<() => void>} links the new package into node_modules once the files are written
 */
async function providerGenerator(tree, schema) {
  const name = validateName(tree, schema.name);
  const root = `packages/${name}`;
  const { className, propertyName, constantName } = names(name);
  const rootPackage = readJson(tree, 'package.json');
  const zodRange = rootPackage.dependencies?.zod ?? rootPackage.devDependencies?.zod;
  if (!zodRange) throw new Error('The root package.json lists no zod version to depend on.');

  generateFiles(tree, path.join(__dirname, 'files'), root, {
    name,
    className,
    propertyName,
    constantName,
    zodRange,
    authCoreVersion: workspaceVersion(tree, 'auth-core', '0.0.0'),
    testkitVersion: workspaceVersion(tree, 'testkit', '0.0.0'),
    libReferences: libReferences(tree, ['auth-core', 'testkit']),
  });
  const spec = tree.read(`${root}/openapi/auth.yaml`, 'utf8');
  if (spec === null) throw new Error(`${root}/openapi/auth.yaml was not generated.`);
  tree.write(`${root}/src/generated/auth.ts`, generateTypes(spec));

  tree.write(
    `.changeset/${name}-initial.md`,
    `---\n"@tokenwarden/${name}": minor\n---\n\nNew provider package @tokenwarden/${name}: logs in to the ${name} API, caches and refreshes its token and attaches it to requests; \`@tokenwarden/${name}/testing\` starts a fake ${name} server.\n`,
  );

  updateJson(tree, 'tsconfig.json', (json) => {
    const references = /** @type {{ path: string }[]} */ (json.references ?? []);
    if (!references.some((ref) => path.posix.normalize(ref.path) === root)) references.push({ path: `./${root}` });
    return { ...json, references };
  });

  return () => linkWorkspacePackages(tree.root, [name, 'auth-core', 'testkit']);
}

module.exports = { providerGenerator, linkWorkspacePackages };
