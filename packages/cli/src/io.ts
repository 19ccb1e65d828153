import { UsageError } from './errors.js';

/** Something text can be written to (a stream, or a buffer in tests). */
export interface TextSink {
  write(text: string): unknown;
}

/** Where a command reads and writes. `main` never touches `process` itself, so tests run it in-process. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Read only by `inspect -`. `isTTY` makes it refuse to wait for a terminal. */
  readonly stdin?: AsyncIterable<string | Uint8Array> & { readonly isTTY?: boolean };
  /** Where credentials are looked up (`process.env` for the real command). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Local clock in epoch ms (default `Date.now`); `inspect` counts time left against it. */
  readonly now?: () => number;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Largest input `inspect -` reads: a JWT is a few kB; anything far larger is not one. */
export const MAX_STDIN_BYTES = 64 * 1024;

/** Reads all of stdin as UTF-8, refusing a terminal and anything over `MAX_STDIN_BYTES`. */
export async function readStdin(io: CliIo): Promise<string> {
  const stdin = io.stdin;
  if (!stdin) throw new UsageError('no stdin to read from');
  if (stdin.isTTY) throw new UsageError('stdin is a terminal; pipe the token in (echo "$TOKEN" | tokenwarden inspect -) or pass it as an argument');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError(`stdin holds more than ${MAX_STDIN_BYTES} bytes, which is not a single token`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
