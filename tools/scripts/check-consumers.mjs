#!/usr/bin/env node
// Installs packed tarballs into fresh projects outside the workspace — where no hoisted
// node_modules can hide a missing dependency or a broken export — and uses them the way a user
// would, against each provider's own fake server from its ./testing entry:
//   (a) an ESM consumer and (b) a CommonJS consumer start the server, get a token and call the
//       protected endpoint (single provider: through createAuthFetch; composed: through one
//       axios instance with createRegistry + attachAxios);
//   (c) `tsc --strict --noEmit` type-checks the same code as .mts and .cts (skipLibCheck on, as in
//       most projects: checking zod's and Node's own declarations too costs ~10 s of CPU per
//       project and proves nothing about ours; attw and check-packages cover our .d.ts files);
//   (d) node_modules holds no @tokenwarden package besides the ones installed on purpose.
//
// Usage: node tools/scripts/check-consumers.mjs [--keep]   (--keep: leave the temp projects)
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, mapLimit, packAll, publishablePackages, root, run, script } from './lib/workspace.mjs';

/**
 * How a consumer builds each provider: the package, the factory it exports, the fake server its
 * ./testing entry exports, and the factory's options as source text given the server variable.
 * Names follow the testkit convention (`acme` / `startFakeAcmeServer` / `server.credentials`);
 * keep these rows in step with the providers' READMEs.
 */
const providers = {
  // auth-core's reference provider stands in for a provider package: it proves the mechanics
  // (pack, install from tarballs, ESM/CJS/types, composition) on the engine alone.
  fakeLogin: {
    package: '@tokenwarden/auth-core',
    factory: 'fakeLoginProvider',
    factoryFrom: '@tokenwarden/auth-core/testing',
    server: 'startFakeLoginServer',
    options: (s) => `{ baseUrl: ${s}.url, username: ${s}.settings.username, password: ${s}.settings.password }`,
  },
  thinksurance: {
    package: '@tokenwarden/thinksurance',
    factory: 'thinksurance',
    server: 'startFakeThinksuranceServer',
    options: (s) => `{ baseUrl: ${s}.url, hash: ${s}.credentials.hash, secret: ${s}.credentials.secret }`,
  },
  mittwald: {
    package: '@tokenwarden/mittwald',
    factory: 'mittwald',
    server: 'startFakeMittwaldServer',
    options: (s) => `{ baseUrl: ${s}.url, username: ${s}.credentials.username, password: ${s}.credentials.password }`,
  },
  meldeschein: {
    package: '@tokenwarden/meldeschein',
    factory: 'meldeschein',
    server: 'startFakeMeldescheinServer',
    options: (s) => `{ baseUrl: ${s}.url, username: ${s}.credentials.username, password: ${s}.credentials.password, userAgent: 'tokenwarden-consumer-check/1.0' }`,
  },
};

const scenarios = [
  { title: 'auth-core alone (stand-in provider: fakeLoginProvider)', rows: ['fakeLogin'], compose: false },
  { title: 'thinksurance alone', rows: ['thinksurance'], compose: false },
  { title: 'mittwald + meldeschein composed on one axios instance', rows: ['mittwald', 'meldeschein'], compose: true },
];

const keep = process.argv.includes('--keep');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// What a user's project brings itself: the axios whose instance gets patched, and Node's types.
const userDependencies = { axios: rootManifest.devDependencies.axios, '@types/node': rootManifest.devDependencies['@types/node'] };

await script('check-consumers', async () => {
  const workspace = new Map(publishablePackages().map((pkg) => [pkg.name, pkg]));
  for (const scenario of scenarios) {
    const missing = [...new Set(scenario.rows.map((row) => providers[row].package))].filter((name) => !workspace.has(name));
    if (missing.length > 0) throw new Error(`${missing.join(', ')}: not a publishable package of this workspace`);
  }

  // Every package is packed, as for a release; each project then installs only its own tarballs.
  const packDir = mkdtempSync(join(tmpdir(), 'tokenwarden-packs-'));
  const projects = [];
  try {
    await ensureBuilt([...workspace.values()]);
    const packed = await packAll([...workspace.values()], packDir);
    const results = await mapLimit(scenarios, 2, async (scenario) => {
      const dir = mkdtempSync(join(tmpdir(), 'tokenwarden-consumer-'));
      projects.push(dir);
      return { scenario, dir, lines: await runScenario(scenario, dir, workspace, packed) };
    });
    let failed = false;
    for (const { scenario, dir, lines } of results) {
      console.log(`\n== ${scenario.title}${keep ? `  (${dir})` : ''}`);
      for (const line of lines) console.log(`   ${line.replace(/\n/g, '\n   ')}`);
      failed ||= lines.some((line) => line.startsWith('FAIL'));
    }
    if (failed) throw new Error('a consumer could not use the packed packages (see above).');
    console.log(`\ncheck-consumers: ${scenarios.length} scenario(s) pass.`);
  } finally {
    rmSync(packDir, { recursive: true, force: true });
    if (!keep) for (const dir of projects) rmSync(dir, { recursive: true, force: true });
  }
});

/** The package and every workspace package it depends on: none of them is on npm yet. */
function closure(name, workspace, seen = new Set()) {
  if (seen.has(name)) return [...seen];
  seen.add(name);
  const manifest = workspace.get(name).manifest;
  for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    if (workspace.has(dependency)) closure(dependency, workspace, seen);
  }
  return [...seen];
}

async function runScenario(scenario, dir, workspace, packed) {
  const lines = [];
  const step = async (label, action) => {
    try {
      const detail = await action();
      lines.push(`ok   ${label}${detail ? ` — ${detail}` : ''}`);
      return true;
    } catch (error) {
      lines.push(`FAIL ${label}\n${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  };

  const tarballs = [...new Set(scenario.rows.flatMap((row) => closure(providers[row].package, workspace)))].sort();
  const dependencies = { ...userDependencies };
  for (const name of tarballs) dependencies[name] = `file:${packed.get(name).tarball}`;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tokenwarden-consumer', version: '1.0.0', private: true, dependencies }, null, 2));

  const installed = await step(`npm install ${tarballs.join(' + ')} from tarballs (${Object.keys(userDependencies).join(', ')} from the registry)`, async () => {
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, timeoutMs: 180_000 });
  });
  if (!installed) return lines;

  await step(`(d) node_modules holds no @tokenwarden package besides ${tarballs.join(', ')}`, async () => {
    const found = scopedPackages(join(dir, 'node_modules'));
    const unexpected = found.filter((entry) => !tarballs.includes(entry.name));
    const nested = found.filter((entry) => tarballs.includes(entry.name) && entry.path !== join(dir, 'node_modules', entry.name));
    if (unexpected.length > 0) throw new Error(`unexpected: ${unexpected.map((entry) => entry.path).join(', ')}`);
    if (nested.length > 0) throw new Error(`a second copy (from the registry?) at ${nested.map((entry) => entry.path).join(', ')}`);
    const missing = tarballs.filter((name) => !found.some((entry) => entry.name === name));
    if (missing.length > 0) throw new Error(`not installed: ${missing.join(', ')}`);
    return `found ${found.map((entry) => entry.name).join(', ')}`;
  });

  for (const format of ['mjs', 'cjs', 'mts', 'cts']) writeFileSync(join(dir, `consumer.${format}`), consumerSource(scenario, format));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'], types: ['node'], skipLibCheck: true },
      files: ['consumer.mts', 'consumer.cts'],
    }),
  );

  const what = scenario.compose ? 'composes the providers with createRegistry + attachAxios' : 'gets a token and calls the protected endpoint through createAuthFetch';
  await step(`(a) ESM import ${what}`, () => node(dir, 'consumer.mjs'));
  await step(`(b) CommonJS require ${what}`, () => node(dir, 'consumer.cjs'));
  await step('(c) tsc --strict --noEmit type-checks the same code as .mts (ESM) and .cts (CommonJS)', async () => {
    await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--strict', '--noEmit'], { cwd: dir, timeoutMs: 120_000 });
  });
  return lines;
}

async function node(dir, file) {
  const { stdout } = await run(process.execPath, [file], { cwd: dir, timeoutMs: 60_000 });
  if (!stdout.includes('consumer ok')) throw new Error(`did not report success:\n${stdout}`);
  return stdout.trim().split('\n').filter((line) => line !== 'consumer ok').join('; ');
}

/** Every installed `@tokenwarden/*` package, at any depth of node_modules. */
function scopedPackages(nodeModules, depth = 0, found = []) {
  if (depth > 12 || !existsSync(nodeModules)) return found;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const packages = entry.name.startsWith('@')
      ? readdirSync(join(nodeModules, entry.name), { withFileTypes: true })
          .filter((child) => child.isDirectory())
          .map((child) => ({ name: `${entry.name}/${child.name}`, path: join(nodeModules, entry.name, child.name) }))
      : [{ name: entry.name, path: join(nodeModules, entry.name) }];
    for (const pkg of packages) {
      if (pkg.name.startsWith('@tokenwarden/')) found.push(pkg);
      scopedPackages(join(pkg.path, 'node_modules'), depth + 1, found);
    }
  }
  return found;
}

/**
 * One consumer program in four dialects: .mjs / .cjs run, .mts / .cts type-check. The body is
 * shared, so what is type-checked is what runs; TypeScript annotations appear only in .mts/.cts.
 */
function consumerSource(scenario, format) {
  const typed = format === 'mts' || format === 'cts';
  const t = (annotation) => (typed ? annotation : '');
  const imports = new Map();
  const want = (from, name, alias = name) => {
    if (!imports.has(from)) imports.set(from, new Map());
    imports.get(from).set(alias, name);
  };
  want('@tokenwarden/auth-core', 'TokenWardenError');
  if (typed) want('@tokenwarden/auth-core/testing', 'ConformanceServer');
  if (scenario.compose) {
    want('@tokenwarden/auth-core', 'createRegistry');
    want('@tokenwarden/auth-core/axios', 'attachAxios');
    want('axios', 'default', 'axios');
  } else {
    want('@tokenwarden/auth-core', 'createAuthFetch');
    if (typed) want('@tokenwarden/auth-core', 'AccessToken');
  }
  for (const row of new Set(scenario.rows)) {
    const provider = providers[row];
    want(provider.factoryFrom ?? provider.package, provider.factory, `${row}Factory`);
    want(`${provider.package}/testing`, provider.server, `${row}Server`);
  }

  const importLines = [...imports].map(([from, names]) => {
    const defaultAlias = [...names].find(([, name]) => name === 'default')?.[0];
    const named = [...names].filter(([, name]) => name !== 'default').map(([alias, name]) => (alias === name ? name : `${name}${format === 'cjs' ? ':' : ' as'} ${alias}`));
    if (format === 'cjs') {
      const target = defaultAlias ? `${defaultAlias}` : `{ ${named.join(', ')} }`;
      return `const ${target} = require(${JSON.stringify(from)});`;
    }
    const typeOnly = new Set(['ConformanceServer', 'AccessToken']);
    const parts = named.map((entry) => (typeOnly.has(entry) ? `type ${entry}` : entry));
    return `import ${[defaultAlias, parts.length ? `{ ${parts.join(', ')} }` : ''].filter(Boolean).join(', ')} from ${JSON.stringify(from)};`;
  });

  const setup = scenario.rows.flatMap((row, index) => [
    `    const server${index} = await ${row}Server();`,
    `    servers.push(server${index});`,
    `    const provider${index} = ${row}Factory(${providers[row].options(`server${index}`)});`,
    `    disposers.push(() => provider${index}.manager.dispose());`,
  ]);
  const use = scenario.compose
    ? [
        `    const http = axios.create();`,
        `    attachAxios(http, createRegistry([${scenario.rows.map((_, index) => `provider${index}`).join(', ')}]));`,
        `    for (const [index, server] of servers.entries()) {`,
        `      const response = await http.get(server.url + server.protectedPath);`,
        '      check(response.status === 200, `provider ${index}: the protected endpoint answered ${response.status}`);',
        '      check(server.counters.logins === 1, `provider ${index}: expected 1 login, the server saw ${server.counters.logins}`);',
        '      check(server.counters.rejected === 0, `provider ${index}: ${server.counters.rejected} requests were rejected (a token sent to the wrong origin?)`);',
        `    }`,
        '    console.log(`${servers.length} providers, one login each, ${servers.length} protected calls answered 200`);',
      ]
    : [
        `    const token${t(': AccessToken')} = await provider0.manager.getToken();`,
        `    check(typeof token.value === 'string' && token.value.length > 0, 'getToken() returned no token');`,
        `    const response = await createAuthFetch(provider0)(server0.url + server0.protectedPath);`,
        '    check(response.status === 200, `the protected endpoint answered ${response.status}`);',
        '    check(server0.counters.logins === 1, `expected 1 login, the server saw ${server0.counters.logins}`);',
        `    console.log(\`\${provider0.name}: token "\${token.scheme}", 1 login, protected call answered 200\`);`,
      ];

  return [
    `// Generated by tools/scripts/check-consumers.mjs: ${scenario.title}.`,
    ...importLines,
    '',
    `function check(ok${t(': boolean')}, message${t(': string')})${t(': void')} {`,
    '  if (!ok) throw new Error(message);',
    '}',
    '',
    `async function main()${t(': Promise<void>')} {`,
    `  const servers${t(': ConformanceServer[]')} = [];`,
    `  const disposers${t(': (() => void)[]')} = [];`,
    '  try {',
    ...setup,
    ...use,
    '  } finally {',
    '    for (const dispose of disposers) dispose();',
    '    await Promise.all(servers.map((server) => server.close()));',
    '  }',
    '}',
    '',
    'main().then(',
    "  () => console.log('consumer ok'),",
    `  (error${t(': unknown')}) => {`,
    '    console.error(error instanceof TokenWardenError ? `${error.code}: ${error.message}` : error);',
    '    process.exitCode = 1;',
    '  },',
    ');',
    '',
  ].join('\n');
}
