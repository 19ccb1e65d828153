import { startFakeLoginServer, type FakeLoginServer } from '@tokenwarden/auth-core/testing';
import { fakeLoginCli, runCli } from '../test/run-cli.js';
import { ExitCode } from './errors.js';

const providers = [fakeLoginCli];

describe('tokenwarden usage', () => {
  it('prints the overview with exit code 0 when called without arguments or with --help', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const run = await runCli(argv, { providers });
      expect(run).toMatchObject({ code: ExitCode.ok, stderr: '' });
      expect(run.stdout).toContain('tokenwarden token <provider>');
      expect(run.stdout).toContain('Providers: fake-login.');
      expect(run.stdout).toContain('3 credentials rejected');
    }
  });

  it('prints its version', async () => {
    expect(await runCli(['--version'], { version: '1.2.3' })).toEqual({ code: ExitCode.ok, stdout: '1.2.3\n', stderr: '' });
  });

  it('rejects an unknown command and an unknown top-level option with exit code 2', async () => {
    expect(await runCli(['fetch'])).toEqual({ code: ExitCode.usage, stdout: '', stderr: 'tokenwarden: unknown command "fetch". See --help.\n' });
    expect((await runCli(['--pasword=hunter22'])).stderr).toBe('tokenwarden: unknown option --pasword. See --help.\n');
  });

  it('rejects an unknown option of a command, naming the option but not the value after "="', async () => {
    const run = await runCli(['inspect', 'x.y.z', '--pasword=hunter22']);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain("Unknown option '--pasword'");
    expect(run.stderr).not.toContain('hunter22');
  });

  it('names the position of a stray argument, not its value, which may be a password without its flag', async () => {
    const run = await runCli(['inspect', 'a.b.c', 'hunter22']);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toBe('tokenwarden: unexpected argument #2 (this command takes at most 1). See --help.\n');
  });

  it('reports a flag that is missing its value', async () => {
    const run = await runCli(['token', 'fake-login', '--username'], { providers });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain("Option '--username <value>' argument missing");
  });

  it('asks for a provider, and rejects an unknown one listing those it has', async () => {
    const none = await runCli(['token'], { providers });
    expect(none.code).toBe(ExitCode.usage);
    expect(none.stderr).toContain('token needs a provider first: tokenwarden token <fake-login>');
    const unknown = await runCli(['token', 'acme', '--password', 'hunter22'], { providers });
    expect(unknown).toEqual({ code: ExitCode.usage, stdout: '', stderr: 'tokenwarden: unknown provider "acme" (have: fake-login). See --help.\n' });
  });

  it('lists every login flag with its environment variable in a provider help', async () => {
    const run = await runCli(['token', 'fake-login', '--help'], { providers });
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout).toMatch(/--password <value>\s+password \[env FAKE_PASSWORD\] \(secret\)/);
    expect(run.stdout).toMatch(/--base-url <value>\s+server URL \[env FAKE_BASE_URL\]/);
  });

  it('rejects create-token for a provider without long-lived tokens', async () => {
    const run = await runCli(['create-token', 'fake-login'], { providers });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('fake-login has no long-lived tokens to create');
  });

  it('exits 1 for an unexpected error, scrubbing every secret it was given from the message', async () => {
    const broken = {
      ...fakeLoginCli,
      create: () => {
        throw new Error('socket closed while sending password=correct-horse-battery');
      },
    };
    for (const json of [[], ['--json']]) {
      const run = await runCli(['token', 'fake-login', ...json], { providers: [broken], env: { FAKE_PASSWORD: 'correct-horse-battery' } });
      expect(run.code).toBe(ExitCode.internal);
      expect(run.stderr).toContain('password=[redacted]');
      expect(run.stderr).not.toContain('correct-horse-battery');
    }
  });

  it('rejects arguments to demo', async () => {
    expect((await runCli(['demo', 'now'])).code).toBe(ExitCode.usage);
  });
});

describe('tokenwarden token, against the fake login server', () => {
  let server: FakeLoginServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    server = await startFakeLoginServer({ username: 'alice', password: 'correct-horse-battery' });
    env = { FAKE_BASE_URL: server.url, FAKE_USERNAME: 'alice', FAKE_PASSWORD: 'correct-horse-battery' };
  });
  afterEach(() => server.close());

  it('prints the token alone on stdout, credentials from the environment, after one login', async () => {
    const run = await runCli(['token', 'fake-login'], { providers, env });
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(server.counters.logins).toBe(1);
  });

  it('prints { value, scheme, issuedAt, expiresAt } with --json', async () => {
    const before = Date.now();
    const run = await runCli(['token', 'fake-login', '--json'], { providers, env });
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(printed)).toEqual(['value', 'scheme', 'issuedAt', 'expiresAt']);
    expect(printed['scheme']).toBe('Bearer');
    expect(printed['issuedAt']).toBeGreaterThanOrEqual(before);
    expect(printed['expiresAt']).toBe((printed['issuedAt'] as number) + 3_600_000);
  });

  it('lets a flag win over its environment variable', async () => {
    const run = await runCli(['token', 'fake-login', '--username', 'mallory'], { providers, env });
    expect(run.code).toBe(ExitCode.credentialsRejected);
  });

  it('exits 3 for a wrong password after one login call, and never prints the password', async () => {
    const run = await runCli(['token', 'fake-login', '--password', 'wrong-horse-battery'], { providers, env });
    expect(run.code).toBe(ExitCode.credentialsRejected);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('fake-login rejected the credentials');
    expect(run.stderr).not.toContain('wrong-horse-battery');
    expect(server.counters.logins).toBe(1);
  });

  it('exits 3 with the error as one JSON line under --json, without the password', async () => {
    const run = await runCli(['token', 'fake-login', '--json', '--password', 'wrong-horse-battery'], { providers, env });
    expect(run.code).toBe(ExitCode.credentialsRejected);
    const { error } = JSON.parse(run.stderr) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ name: 'CredentialsRejectedError', code: 'CREDENTIALS_REJECTED', provider: 'fake-login', status: 401 });
    expect(run.stderr).not.toContain('wrong-horse-battery');
  });

  it('exits 2 naming each missing credential by flag and environment variable', async () => {
    const run = await runCli(['token', 'fake-login', '--base-url', server.url], { providers });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('--username or FAKE_USERNAME:');
    expect(run.stderr).toContain('--password or FAKE_PASSWORD:');
    expect(server.counters.logins).toBe(0);
  });

  it('exits 2 for an invalid base URL without logging in', async () => {
    const run = await runCli(['token', 'fake-login', '--base-url', 'not a url'], { providers, env });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('--base-url or FAKE_BASE_URL:');
    expect(server.counters.logins).toBe(0);
  });

  it('exits 4 when the login keeps answering 503, after the engine retried', async () => {
    server.failNextLogins(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 503 }) as const));
    const run = await runCli(['token', 'fake-login'], { providers, env });
    expect(run.code).toBe(ExitCode.failed);
    expect(run.stderr).toContain('fake-login login failed');
    expect(server.counters.logins).toBe(3);
  });

  it('exits 4 for an HTML page instead of a token', async () => {
    server.failNextLogins({ kind: 'html' });
    const run = await runCli(['token', 'fake-login'], { providers, env });
    expect(run.code).toBe(ExitCode.failed);
    expect(run.stderr).toContain('not a token');
  });

  it('exits 4 when the login hangs past --timeout', async () => {
    server.failNextLogins({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const run = await runCli(['token', 'fake-login', '--timeout', '0.2'], { providers, env });
    expect(run.code).toBe(ExitCode.failed);
    expect(run.stderr).toContain('did not complete within 200 ms');
  });

  it('exits 2 for a --timeout that is not a positive number', async () => {
    for (const timeout of ['--timeout=0', '--timeout=-1', '--timeout=soon']) {
      const run = await runCli(['token', 'fake-login', timeout], { providers, env });
      expect(run.code).toBe(ExitCode.usage);
      expect(run.stderr).toContain('--timeout must be a positive number of seconds');
    }
    expect(server.counters.logins).toBe(0);
  });

  it('exits 4 when nothing listens at the base URL', async () => {
    const closed = await startFakeLoginServer();
    await closed.close();
    const run = await runCli(['token', 'fake-login', '--base-url', closed.url], { providers, env });
    expect(run.code).toBe(ExitCode.failed);
    expect(run.stderr).not.toContain('correct-horse-battery');
  });
});
