import { startFakeGenericJwtServer, type FakeGenericJwtServer } from '@tokenwarden/generic-jwt/testing';
import { startFakeMeldescheinServer, type FakeMeldescheinServer } from '@tokenwarden/meldeschein/testing';
import { startFakeMittwaldServer, type FakeMittwaldServer } from '@tokenwarden/mittwald/testing';
import { startFakeThinksuranceServer, type FakeThinksuranceServer } from '@tokenwarden/thinksurance/testing';
import { runCli } from '../test/run-cli.js';
import { ExitCode } from './errors.js';
import { inspectJwt } from './inspect.js';

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

describe('tokenwarden token mittwald, against the fake mittwald server', () => {
  let server: FakeMittwaldServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    server = await startFakeMittwaldServer();
    env = { MITTWALD_BASE_URL: server.url, MITTWALD_USERNAME: server.credentials.username, MITTWALD_PASSWORD: server.credentials.password };
  });
  afterEach(() => server.close());

  it('prints the JWT of a username/password login from the environment, after one login', async () => {
    const run = await runCli(['token', 'mittwald'], { env });
    expect(run).toMatchObject({ code: ExitCode.ok, stderr: '' });
    expect(run.stdout.trimEnd()).toMatch(JWT);
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(server.counters.logins).toBe(1);
  });

  it('logs in with an access token given as flags and prints { value, scheme, issuedAt, expiresAt } with --json', async () => {
    const { uuid, token } = server.accessToken;
    const run = await runCli(['token', 'mittwald', '--base-url', server.url, '--uuid', uuid, '--token', token, '--json']);
    expect(run.code).toBe(ExitCode.ok);
    const printed = JSON.parse(run.stdout) as { value: string; scheme: string; issuedAt: number; expiresAt: number };
    expect(printed.scheme).toBe('Bearer');
    expect(printed.value).toMatch(JWT);
    expect(printed.expiresAt - printed.issuedAt).toBe(3_600_000);
    expect(inspectJwt(printed.value, Date.now()).lifetimeSec).toBe(3600);
  });

  it('exits 3 for a wrong password, in text and in JSON, without the password', async () => {
    const wrong = `${server.credentials.password}-typo`;
    for (const json of [[], ['--json']]) {
      const run = await runCli(['token', 'mittwald', '--password', wrong, ...json], { env });
      expect(run.code).toBe(ExitCode.credentialsRejected);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('mittwald rejected the credentials');
      expect(run.stderr).not.toContain(wrong);
      expect(run.stderr).not.toContain(server.credentials.password);
    }
    expect(JSON.parse((await runCli(['token', 'mittwald', '--password', wrong, '--json'], { env })).stderr).error.code).toBe('CREDENTIALS_REJECTED');
  });

  it('exits 2 naming the flag and variable of a missing password, without logging in', async () => {
    const run = await runCli(['token', 'mittwald', '--base-url', server.url, '--username', 'p12345']);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('--password or MITTWALD_PASSWORD: required with username');
    expect(server.counters.logins).toBe(0);
  });

  it('exits 2 when both a password and an access token are given', async () => {
    const run = await runCli(['token', 'mittwald', '--uuid', server.accessToken.uuid, '--token', server.accessToken.token], { env });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('not both');
    expect(run.stderr).not.toContain(server.accessToken.token);
    expect(run.stderr).not.toContain(server.credentials.password);
  });

  it('exits 4 when the login keeps failing with 503', async () => {
    server.failNextLogins(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 503 }) as const));
    const run = await runCli(['token', 'mittwald'], { env });
    expect(run.code).toBe(ExitCode.failed);
    expect(run.stderr).toContain('mittwald login failed');
    expect(server.counters.logins).toBe(3);
  });
});

describe('tokenwarden create-token mittwald', () => {
  let server: FakeMittwaldServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    server = await startFakeMittwaldServer();
    env = { MITTWALD_BASE_URL: server.url, MITTWALD_USERNAME: server.credentials.username, MITTWALD_PASSWORD: server.credentials.password };
  });
  afterEach(() => server.close());

  it('creates an access token that the token command can then log in with', async () => {
    const created = await runCli(['create-token', 'mittwald', '--description', 'ci deploys', '--json'], { env });
    expect(created).toMatchObject({ code: ExitCode.ok, stderr: '' });
    const token = JSON.parse(created.stdout) as Record<string, string>;
    expect(Object.keys(token)).toEqual(['uuid', 'token', 'createdAt', 'description']);
    expect(token['description']).toBe('ci deploys');
    expect(new Date(token['createdAt']!).toISOString()).toBe(token['createdAt']);

    const login = await runCli(['token', 'mittwald'], { env: { MITTWALD_BASE_URL: server.url, MITTWALD_ACCESS_TOKEN_UUID: token['uuid']!, MITTWALD_ACCESS_TOKEN: token['token']! } });
    expect(login.code).toBe(ExitCode.ok);
    expect(login.stdout.trimEnd()).toMatch(JWT);
  });

  it('prints the new token as lines and says on stderr how to use it', async () => {
    const run = await runCli(['create-token', 'mittwald', '--description', 'laptop'], { env });
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout).toMatch(/^uuid\s+[\w-]+\ntoken\s+\S+\ncreatedAt\s+\d{4}-\d\d-\d\dT[\d:.]+Z\ndescription\s+laptop\n$/);
    expect(run.stderr).toContain('MITTWALD_ACCESS_TOKEN_UUID');
  });

  it('exits 2 without a description, before logging in', async () => {
    const run = await runCli(['create-token', 'mittwald'], { env });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('--description: must be a non-empty string');
    expect(server.counters.logins).toBe(0);
  });

  it('exits 3 for a wrong password without creating anything', async () => {
    const run = await runCli(['create-token', 'mittwald', '--description', 'x', '--password', 'not-the-password'], { env });
    expect(run.code).toBe(ExitCode.credentialsRejected);
    expect(server.counters.tokenCalls).toBe(0);
  });

  it('exits 4 when the token endpoint answers 503', async () => {
    server.failNextTokenCalls({ kind: 'status', status: 503 });
    const run = await runCli(['create-token', 'mittwald', '--description', 'x'], { env });
    expect(run.code).toBe(ExitCode.failed);
    expect(run.stderr).toContain('HTTP 503');
  });
});

describe('tokenwarden token thinksurance, against the fake Thinksurance server', () => {
  let server: FakeThinksuranceServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    server = await startFakeThinksuranceServer();
    env = { THINKSURANCE_BASE_URL: server.url, THINKSURANCE_HASH: server.credentials.hash, THINKSURANCE_SECRET: server.credentials.secret };
  });
  afterEach(() => server.close());

  it('prints the token and, with --json, an expiry 15 minutes after issue', async () => {
    const text = await runCli(['token', 'thinksurance'], { env });
    expect(text).toMatchObject({ code: ExitCode.ok, stderr: '' });
    expect(text.stdout.trim().length).toBeGreaterThan(0);
    const json = JSON.parse((await runCli(['token', 'thinksurance', '--json'], { env })).stdout) as { scheme: string; issuedAt: number; expiresAt: number };
    expect(json.scheme).toBe('Bearer');
    expect(Math.round((json.expiresAt - json.issuedAt) / 60_000)).toBe(15);
    expect(server.counters.logins).toBe(2);
  });

  it("exits 3 with the server's reason for a wrong secret (an error inside HTTP 200), never printing hash or secret", async () => {
    const wrong = `${server.credentials.secret}-old`;
    for (const json of [[], ['--json']]) {
      const run = await runCli(['token', 'thinksurance', '--secret', wrong, ...json], { env });
      expect(run.code).toBe(ExitCode.credentialsRejected);
      expect(run.stderr).toContain('API User is not existing or deactivated.');
      for (const secret of [wrong, server.credentials.secret, server.credentials.hash]) expect(run.stderr).not.toContain(secret);
    }
    expect(server.counters.logins).toBe(2);
  });

  it('exits 2 without a base URL, naming THINKSURANCE_BASE_URL', async () => {
    const run = await runCli(['token', 'thinksurance'], { env: { ...env, THINKSURANCE_BASE_URL: '' } });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('--base-url or THINKSURANCE_BASE_URL');
  });

  it('rejects create-token, which Thinksurance has no endpoint for', async () => {
    const run = await runCli(['create-token', 'thinksurance'], { env });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('create-token supports: mittwald');
  });
});

describe('tokenwarden token meldeschein, against the fake Meldeschein server', () => {
  let server: FakeMeldescheinServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    server = await startFakeMeldescheinServer();
    env = { MELDESCHEIN_BASE_URL: server.url, MELDESCHEIN_USERNAME: server.credentials.username, MELDESCHEIN_PASSWORD: server.credentials.password };
  });
  afterEach(() => server.close());

  it('prints a token with the JWT scheme, logging in as tokenwarden-cli unless told otherwise', async () => {
    const run = await runCli(['token', 'meldeschein', '--json'], { env });
    expect(run).toMatchObject({ code: ExitCode.ok, stderr: '' });
    const printed = JSON.parse(run.stdout) as { value: string; scheme: string };
    expect(printed.scheme).toBe('JWT');
    expect(printed.value).toMatch(JWT);
    expect(server.logins.map((l) => l.headers['user-agent'])).toEqual(['tokenwarden-cli']);
    await runCli(['token', 'meldeschein', '--user-agent', 'acme-pms/2.1'], { env });
    expect(server.logins.map((l) => l.headers['user-agent'])).toEqual(['tokenwarden-cli', 'acme-pms/2.1']);
  });

  it('logs in with an XML body when MELDESCHEIN_LOGIN_FORMAT is xml', async () => {
    const run = await runCli(['token', 'meldeschein'], { env: { ...env, MELDESCHEIN_LOGIN_FORMAT: 'xml' } });
    expect(run.code).toBe(ExitCode.ok);
    expect(server.logins[0]?.body).toMatch(/^<\?xml|^<root>/);
  });

  it("exits 3 for a wrong password refused with 400 non_field_errors, with the server's words and without the password", async () => {
    const run = await runCli(['token', 'meldeschein', '--password', 'not-the-password'], { env });
    expect(run.code).toBe(ExitCode.credentialsRejected);
    expect(run.stderr).toContain('meldeschein rejected the credentials');
    expect(run.stderr).not.toContain('not-the-password');
    expect(server.counters.logins).toBe(1);
  });

  it('exits 2 for a base URL that is neither a preset nor a URL, and for an unknown login format', async () => {
    const run = await runCli(['token', 'meldeschein', '--base-url', 'staging', '--login-format', 'yaml'], { env });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('--base-url or MELDESCHEIN_BASE_URL:');
    expect(run.stderr).toContain('--login-format or MELDESCHEIN_LOGIN_FORMAT');
    expect(server.counters.logins).toBe(0);
  });
});

describe('tokenwarden token and create-token generic-jwt, against the fake generic JWT server', () => {
  let server: FakeGenericJwtServer;
  let env: Record<string, string>;
  const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString();
  beforeEach(async () => {
    server = await startFakeGenericJwtServer();
    env = { GENERIC_JWT_BASE_URL: server.url, GENERIC_JWT_EMAIL: server.credentials.email, GENERIC_JWT_PASSWORD: server.credentials.password };
  });
  afterEach(() => server.close());

  it('prints the short-living JWT the API accepts', async () => {
    const run = await runCli(['token', 'generic-jwt'], { env });
    expect(run).toMatchObject({ code: ExitCode.ok, stderr: '' });
    const token = run.stdout.trimEnd();
    expect(server.check(token).ok).toBe(true);
    expect(inspectJwt(token, Date.now()).header['alg']).toBe('ES256');
  });

  it('logs in at another endpoint with another body shape from --login-endpoint and --login-body', async () => {
    await server.close();
    server = await startFakeGenericJwtServer({ loginPath: '/api/token/', credentialsFrom: (body) => ({ email: (body as { user?: unknown }).user, password: (body as { pass?: unknown }).pass }) });
    const template = JSON.stringify({ user: '{{email}}', pass: '{{password}}', client: 'cli' });
    const run = await runCli(['token', 'generic-jwt', '--base-url', server.url, '--login-endpoint', 'POST /api/token/', '--login-body', template], {
      env: { GENERIC_JWT_EMAIL: server.credentials.email, GENERIC_JWT_PASSWORD: server.credentials.password },
    });
    expect(run.code).toBe(ExitCode.ok);
    expect(server.loginBodies).toEqual([{ user: server.credentials.email, pass: server.credentials.password, client: 'cli' }]);
  });

  it('exits 2 for a --login-body that is not a JSON object, without repeating it', async () => {
    const run = await runCli(['token', 'generic-jwt', '--login-body', '{"password":"hunter22"'], { env });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('--login-body (GENERIC_JWT_LOGIN_BODY) must be a JSON object');
    expect(run.stderr).not.toContain('hunter22');
  });

  it('exits 2 naming --login-endpoint for an endpoint without a path', async () => {
    const run = await runCli(['token', 'generic-jwt', '--login-endpoint', 'POST  '], { env });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('--login-endpoint or GENERIC_JWT_LOGIN_ENDPOINT');
  });

  it('exits 3 for a wrong password without printing it', async () => {
    const run = await runCli(['token', 'generic-jwt', '--password', 'not-the-password', '--json'], { env });
    expect(run.code).toBe(ExitCode.credentialsRejected);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: 'CREDENTIALS_REJECTED', provider: 'generic-jwt' });
    expect(run.stderr).not.toContain('not-the-password');
  });

  it('creates a private token with a name and an expiry that the API then accepts', async () => {
    const expiresAt = inAMonth();
    const run = await runCli(['create-token', 'generic-jwt', '--name', 'ci', '--expires-at', expiresAt, '--json'], { env });
    expect(run).toMatchObject({ code: ExitCode.ok, stderr: '' });
    const created = JSON.parse(run.stdout) as { id: number; name: string; token: string; expiresAt: string; createdAt: string };
    expect(Object.keys(created)).toEqual(['id', 'name', 'token', 'expiresAt', 'createdAt']);
    expect(created).toMatchObject({ name: 'ci', expiresAt });
    expect(server.counters.created).toBe(1);
    expect(server.check(created.token).ok).toBe(true);
  });

  it('exits 2 naming --name and --expires-at when they are missing or the expiry is past, before creating anything', async () => {
    const missing = await runCli(['create-token', 'generic-jwt'], { env });
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toContain('--name: is required');
    expect(missing.stderr).toContain('--expires-at: is required');
    const past = await runCli(['create-token', 'generic-jwt', '--name', 'ci', '--expires-at', '2020-01-01T00:00:00Z'], { env });
    expect(past.code).toBe(ExitCode.usage);
    expect(past.stderr).toContain('--expires-at: must be in the future');
    expect(server.counters.created).toBe(0);
  });

  it("exits 4 with the API's own code and detail when the create endpoint refuses", async () => {
    server.failNext('create', { kind: 'status', status: 400, body: JSON.stringify({ code: 'quota', detail: 'Too many private tokens.' }) });
    const run = await runCli(['create-token', 'generic-jwt', '--name', 'ci', '--expires-at', inAMonth(), '--json'], { env });
    expect(run.code).toBe(ExitCode.failed);
    expect(JSON.parse(run.stderr).error).toMatchObject({ code: 'API_CALL_FAILED', provider: 'generic-jwt', status: 400, apiCode: 'quota', detail: 'Too many private tokens.' });
    expect(run.stderr).not.toContain(server.credentials.password);
  });
});
