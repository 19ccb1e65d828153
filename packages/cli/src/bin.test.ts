import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJwt } from '@tokenwarden/auth-core/testing';
import { ExitCode } from './errors.js';

// The built command, as npm links it. The test target depends on the build (package.json "nx").
// Each spawn loads every provider: generous deadlines keep a loaded CI machine from failing them.
jest.setTimeout(60_000);
const bin = join(__dirname, '..', 'dist', 'cjs', 'bin.js');

function spawnCli(args: readonly string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { timeout: 30_000, env: { PATH: process.env['PATH'] ?? '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

describe('the built tokenwarden bin', () => {
  it('starts with a shebang so npm can link it as a command', () => {
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(await spawnCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('inspects a token from stdin and exits 0', async () => {
    const run = await spawnCli(['inspect', '-', '--json'], signJwt({ sub: 'smoke', iat: 1, exp: 61 }));
    expect(run.code).toBe(ExitCode.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ payload: { sub: 'smoke' }, lifetimeSec: 60, expired: true });
  });

  it('exits with the documented codes for a usage error and a malformed token', async () => {
    expect((await spawnCli(['frobnicate'])).code).toBe(ExitCode.usage);
    const malformed = await spawnCli(['inspect', 'a.b']);
    expect(malformed.code).toBe(ExitCode.invalidJwt);
    expect(malformed.stderr).toBe('tokenwarden: Not a valid JWT: expected 3 dot-separated segments, got 2.\n');
  });
});
