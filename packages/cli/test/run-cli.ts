import { Readable } from 'node:stream';
import { fakeLoginProvider } from '@tokenwarden/auth-core/testing';
import { main, type MainOptions } from '../src/main.js';
import type { CliProvider } from '../src/providers.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `main` in-process with captured output, the given environment and optional stdin. */
export async function runCli(
  argv: readonly string[],
  init: { env?: Record<string, string>; stdin?: string | Buffer; tty?: boolean; now?: number } & MainOptions = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stdin = init.stdin === undefined ? undefined : Object.assign(Readable.from([init.stdin]), { isTTY: init.tty ?? false });
  const code = await main(
    argv,
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin,
      env: init.env ?? {},
      now: init.now === undefined ? undefined : () => init.now!,
    },
    { providers: init.providers, version: init.version, engine: init.engine ?? { retry: { baseDelayMs: 1, maxDelayMs: 5 } } },
  );
  return { code, stdout, stderr };
}

/** auth-core's reference provider, offered like a real one: the CLI's plumbing is tested against it. */
export const fakeLoginCli: CliProvider = {
  name: 'fake-login',
  summary: 'the loopback login server of @tokenwarden/auth-core/testing',
  options: [
    { key: 'baseUrl', env: 'FAKE_BASE_URL', description: 'server URL' },
    { key: 'username', env: 'FAKE_USERNAME', description: 'user name' },
    { key: 'password', env: 'FAKE_PASSWORD', secret: true, description: 'password' },
  ],
  create: (values, engine) => fakeLoginProvider(values as unknown as Parameters<typeof fakeLoginProvider>[0], engine),
};
