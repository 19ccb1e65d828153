import { runCli } from '../test/run-cli.js';
import { ExitCode } from './errors.js';

describe('tokenwarden demo', () => {
  it('runs the narrated lifecycle to the end against loopback servers and exits 0', async () => {
    const run = await runCli(['demo']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout).toContain('logins: 1, API calls: 10');
    expect(run.stdout).toContain('logins: 2 (one refresh for the whole burst)');
    expect(run.stdout).toContain('login calls for 3 attempts: 1');
    expect(run.stdout).not.toContain('not-the-password');
    expect(run.stdout.trimEnd().endsWith('done.')).toBe(true);
  });
});
