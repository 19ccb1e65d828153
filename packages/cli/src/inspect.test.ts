import { signJwt } from '@tokenwarden/auth-core/testing';
import { runCli } from '../test/run-cli.js';
import { ExitCode } from './errors.js';
import { MAX_STDIN_BYTES } from './io.js';

const IAT = 1_800_000_000; // 2027-01-15T08:00:00.000Z
const token = signJwt({ sub: 'user-42', iat: IAT, exp: IAT + 900 }, 'signing-key', { kid: 'k1' });
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('tokenwarden inspect', () => {
  it('shows header, payload, ISO dates, lifetime and time left of a good token', async () => {
    const run = await runCli(['inspect', token], { now: (IAT + 60) * 1000 });
    expect(run).toMatchObject({ code: ExitCode.ok, stderr: '' });
    expect(run.stdout).toContain('"kid": "k1"');
    expect(run.stdout).toContain('"sub": "user-42"');
    expect(run.stdout).toMatch(/issued at\s+2027-01-15T08:00:00\.000Z/);
    expect(run.stdout).toMatch(/expires at\s+2027-01-15T08:15:00\.000Z/);
    expect(run.stdout).toMatch(/lifetime\s+15 min\n/);
    expect(run.stdout).toMatch(/time left\s+14 min \(by the local clock\)/);
    expect(run.stdout).toContain('not verified');
    expect(run.stdout).not.toContain(token.split('.')[2]);
  });

  it('prints the whole report as JSON with --json', async () => {
    const run = await runCli(['inspect', token, '--json'], { now: (IAT + 1000) * 1000 });
    expect(run.code).toBe(ExitCode.ok);
    expect(JSON.parse(run.stdout)).toEqual({
      header: { alg: 'HS256', typ: 'JWT', kid: 'k1' },
      payload: { sub: 'user-42', iat: IAT, exp: IAT + 900 },
      issuedAt: '2027-01-15T08:00:00.000Z',
      notBefore: null,
      expiresAt: '2027-01-15T08:15:00.000Z',
      lifetimeSec: 900,
      remainingSec: -100,
      expired: true,
      signatureVerified: false,
    });
  });

  it('says how long ago an expired token expired', async () => {
    const run = await runCli(['inspect', token], { now: (IAT + 900 + 3 * 3600 + 120) * 1000 });
    expect(run.stdout).toMatch(/time left\s+none: expired 3 h 2 min ago/);
  });

  it('reports a token without exp as stating no end, and one without iat as having no lifetime', async () => {
    const run = await runCli(['inspect', signJwt({ sub: 'x' }), '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ issuedAt: null, expiresAt: null, lifetimeSec: null, remainingSec: null, expired: null });
    const text = await runCli(['inspect', signJwt({ sub: 'x' })]);
    expect(text.stdout).toContain('no exp claim');
  });

  it('accepts a pasted Authorization header value and surrounding whitespace', async () => {
    for (const input of [`Bearer ${token}`, `Authorization: JWT ${token}\n`, `  ${token}  `]) {
      const run = await runCli(['inspect', input, '--json']);
      expect(run.code).toBe(ExitCode.ok);
      expect(JSON.parse(run.stdout).payload.sub).toBe('user-42');
    }
  });

  it('reads the token from stdin with -', async () => {
    const run = await runCli(['inspect', '-', '--json'], { stdin: `${token}\n` });
    expect(run.code).toBe(ExitCode.ok);
    expect(JSON.parse(run.stdout).lifetimeSec).toBe(900);
  });

  it('refuses to wait for a terminal on stdin', async () => {
    const run = await runCli(['inspect', '-'], { stdin: '', tty: true });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('stdin is a terminal');
  });

  it(`refuses stdin larger than ${MAX_STDIN_BYTES} bytes`, async () => {
    const run = await runCli(['inspect', '-'], { stdin: Buffer.alloc(MAX_STDIN_BYTES + 1, 'a') });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain('not a single token');
  });

  it('rejects a two-segment string with exit code 5 and without repeating it', async () => {
    const input = `${b64({ alg: 'none' })}.${b64({ sub: 'secret-subject' })}`;
    const run = await runCli(['inspect', input]);
    expect(run).toEqual({ code: ExitCode.invalidJwt, stdout: '', stderr: 'tokenwarden: Not a valid JWT: expected 3 dot-separated segments, got 2.\n' });
  });

  it('rejects a payload that is not JSON, naming the segment', async () => {
    const run = await runCli(['inspect', `${b64({ alg: 'HS256' })}.${b64('not json at all')}.sig`]);
    expect(run.code).toBe(ExitCode.invalidJwt);
    expect(run.stderr).toBe('tokenwarden: Not a valid JWT: the payload is not JSON.\n');
  });

  it('rejects a header that is not base64url and a payload that is a JSON array', async () => {
    expect((await runCli(['inspect', 'a+b/.e30.sig'])).stderr).toContain('the header is not base64url');
    expect((await runCli(['inspect', `${b64({})}.${b64([1])}.sig`])).stderr).toContain('the payload is not a JSON object');
  });

  it('reports a malformed token as one JSON error line with --json', async () => {
    const run = await runCli(['inspect', 'only-one-segment', '--json']);
    expect(run.code).toBe(ExitCode.invalidJwt);
    expect(JSON.parse(run.stderr)).toEqual({ error: { name: 'InvalidJwtError', code: 'INVALID_JWT', provider: 'jwt', message: 'Not a valid JWT: expected 3 dot-separated segments, got 1.' } });
  });

  it('rejects empty input and a missing argument as different mistakes', async () => {
    expect(await runCli(['inspect', '   '])).toMatchObject({ code: ExitCode.invalidJwt, stderr: 'tokenwarden: Not a valid JWT: the input is empty.\n' });
    const missing = await runCli(['inspect']);
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toContain('inspect needs a token');
  });
});
