import { runCli } from '../test/run-cli.js';
import { ExitCode } from './errors.js';

describe('tokenwarden demo', () => {
  it('narrates two providers behind one axios instance to the end, with the counts the engine promises', async () => {
    const run = await runCli(['demo']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(ExitCode.ok);
    const out = run.stdout;
    expect(out).toContain('mittwald logins: 1, Thinksurance logins: 1 (one login per provider); API calls: 10 + 10');
    expect(out).toContain("refusals: 10, 'rejected' events: 10, of which invalidated the token: 1");
    expect(out).toContain('mittwald logins: 1, Thinksurance logins: 2: one refresh for the whole burst');
    expect(out).toContain('request status 200 after 3 login calls (503, 503, then a token)');
    expect(out).toContain('login calls for 3 attempts: 1');
    expect(out).toMatch(/logged in with it \(tokenwarden inspect\): .* lifetime 1 h/);
    expect(out.trimEnd().endsWith('done.')).toBe(true);
  });

  it('shows the wrong-credential error as JSON with only non-secret fields', async () => {
    const { stdout } = await runCli(['demo']);
    const line = /the error as JSON \(no hash, no secret in it\): (.*)/.exec(stdout)?.[1];
    const error = JSON.parse(line ?? 'null') as Record<string, unknown>;
    expect(Object.keys(error).sort()).toEqual(['code', 'message', 'name', 'provider', 'reason', 'retryAfterMs', 'status']);
    expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', provider: 'thinksurance', reason: 'API User is not existing or deactivated.', status: 200 });
  });
});
