import { InvalidOptionsError, type Provider, type TokenManagerOptions } from '@tokenwarden/auth-core';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runDemo } from './demo.js';
import { ExitCode, UsageError, describeError, exitCodeOf } from './errors.js';
import { isoDate, table } from './format.js';
import { formatJwtReport, inspectJwt } from './inspect.js';
import { readStdin, type CliIo } from './io.js';
import { builtInProviders } from './provider-table.js';
import { collectValues, explainOptionIssues, flagOf, type CliOption, type CliProvider } from './providers.js';

/** Settings of `main` beyond argv and io; the real command uses the defaults. */
export interface MainOptions {
  /** Providers `token` and `create-token` offer (default: every provider the CLI ships with). */
  readonly providers?: readonly CliProvider[];
  /** Printed by `--version`. */
  readonly version?: string;
  /** Engine settings for every provider the command creates (tests shorten the retry backoff). */
  readonly engine?: TokenManagerOptions;
}

interface Run {
  readonly io: CliIo;
  readonly providers: readonly CliProvider[];
  /** Secret values seen so far: scrubbed from whatever error is printed. */
  readonly secrets: string[];
  readonly engine: TokenManagerOptions;
}

type Options = NonNullable<ParseArgsConfig['options']>;

const EXIT_CODES = `Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 credentials rejected, 4 login or API failure, 5 not a JWT.`;

/**
 * Runs the `tokenwarden` command line (`argv` without `node` and the script) and resolves with
 * its exit code. Never throws and never calls `process.exit`: errors are printed to `io.stderr`
 * (as one JSON line with `--json`) with every secret scrubbed.
 */
export async function main(argv: readonly string[], io: CliIo, options: MainOptions = {}): Promise<ExitCode> {
  const run: Run = { io, providers: options.providers ?? builtInProviders, secrets: [], engine: options.engine ?? {} };
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'inspect':
        return await inspectCommand(args, run);
      case 'token':
        return await tokenCommand(args, run);
      case 'create-token':
        return await createTokenCommand(args, run);
      case 'demo':
        return await demoCommand(args, run);
      case 'help':
        return help(run, helpFor(args[0], run));
      case '--version':
      case '-v':
        io.stdout.write(`${options.version ?? 'unknown'}\n`);
        return ExitCode.ok;
      case undefined:
      case '--help':
      case '-h':
        return help(run, generalHelp(run));
      default:
        throw new UsageError(command.startsWith('-') ? `unknown option ${command.split('=')[0]}` : `unknown command "${command}"`);
    }
  } catch (error) {
    const { text, json } = describeError(error, run.secrets);
    // A script asking for JSON wants its errors as JSON too.
    io.stderr.write(args.includes('--json') ? `${JSON.stringify({ error: json })}\n` : `tokenwarden: ${text}\n`);
    return exitCodeOf(error);
  }
}

function help(run: Run, text: string): ExitCode {
  run.io.stdout.write(text);
  return ExitCode.ok;
}

type Parsed = { values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>; positionals: string[] };

/** parseArgs with its errors turned into usage errors that never repeat a value. */
function parse(args: readonly string[], options: Options, maxPositionals: number): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // Node's message names the option, never a value that followed it.
      throw new UsageError((error as Error).message.replace(/\.$/, ''));
    }
    throw error;
  }
  if (parsed.positionals.length > maxPositionals) {
    // A stray argument may be a password that lost its flag: say where it was, not what it was.
    throw new UsageError(`unexpected argument #${maxPositionals + 1} (this command takes ${maxPositionals === 0 ? 'none' : `at most ${maxPositionals}`})`);
  }
  return parsed;
}

const common = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

async function inspectCommand(args: readonly string[], run: Run): Promise<ExitCode> {
  const { values, positionals } = parse(args, common, 1);
  if (values.help) return help(run, helpFor('inspect', run));
  const [input] = positionals;
  if (input === undefined) throw new UsageError('inspect needs a token: tokenwarden inspect <jwt>, or - to read it from stdin');
  const report = inspectJwt(input === '-' ? await readStdin(run.io) : input, (run.io.now ?? Date.now)());
  run.io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatJwtReport(report));
  return ExitCode.ok;
}

const loginFlags = { ...common, timeout: { type: 'string' } } as const;

function optionFlags(options: readonly CliOption[]): Options {
  return Object.fromEntries(options.map((o) => [flagOf(o.key), { type: 'string' }]));
}

function findProvider(name: string | undefined, run: Run, command: string): CliProvider {
  if (name === undefined || name.startsWith('-')) {
    throw new UsageError(`${command} needs a provider first: tokenwarden ${command} <${run.providers.map((p) => p.name).join('|')}> [options]`);
  }
  const provider = run.providers.find((p) => p.name === name);
  if (!provider) throw new UsageError(`unknown provider "${name}" (have: ${run.providers.map((p) => p.name).join(', ')})`);
  return provider;
}

/** Engine settings for one-shot use: `--timeout` in seconds bounds each login attempt. */
function engineOptions(timeout: string | undefined, base: TokenManagerOptions): TokenManagerOptions {
  if (timeout === undefined) return base;
  const seconds = Number(timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError('--timeout must be a positive number of seconds');
  return { ...base, loginTimeoutMs: Math.ceil(seconds * 1000) };
}

function createProvider(spec: CliProvider, flags: Readonly<Record<string, unknown>>, run: Run): Provider {
  const values = collectValues(spec.options, flags, run.io.env, run.secrets);
  try {
    return spec.create(values, engineOptions(flags['timeout'] as string | undefined, run.engine));
  } catch (error) {
    throw error instanceof InvalidOptionsError ? explainOptionIssues(error, spec.options) : error;
  }
}

async function tokenCommand(args: readonly string[], run: Run): Promise<ExitCode> {
  if (args[0] === '--help' || args[0] === '-h') return help(run, helpFor('token', run));
  const spec = findProvider(args[0], run, 'token');
  const { values } = parse(args.slice(1), { ...loginFlags, ...optionFlags(spec.options) }, 0);
  if (values.help) return help(run, providerHelp(spec, 'token'));
  const provider = createProvider(spec, values, run);
  try {
    const token = await provider.manager.getToken();
    const { value, scheme, issuedAt, expiresAt } = token;
    run.io.stdout.write(values.json ? `${JSON.stringify({ value, scheme, issuedAt, expiresAt })}\n` : `${value}\n`);
    return ExitCode.ok;
  } finally {
    provider.manager.dispose();
  }
}

async function createTokenCommand(args: readonly string[], run: Run): Promise<ExitCode> {
  if (args[0] === '--help' || args[0] === '-h') return help(run, helpFor('create-token', run));
  const spec = findProvider(args[0], run, 'create-token');
  const command = spec.createToken;
  if (!command) {
    const able = run.providers.filter((p) => p.createToken).map((p) => p.name);
    throw new UsageError(`${spec.name} has no long-lived tokens to create (create-token supports: ${able.join(', ') || 'none'})`);
  }
  const { values } = parse(args.slice(1), { ...loginFlags, ...optionFlags(spec.options), ...optionFlags(command.options) }, 0);
  if (values.help) return help(run, providerHelp(spec, 'create-token'));
  const provider = createProvider(spec, values, run);
  try {
    const tokenValues = collectValues(command.options, values, run.io.env, run.secrets);
    const result = await command.run(provider, tokenValues).catch((error: unknown) => {
      throw error instanceof InvalidOptionsError ? explainOptionIssues(error, command.options) : error;
    });
    if (values.json) {
      run.io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      run.io.stdout.write(table(Object.entries(result).map(([key, value]) => [key, printable(value)])));
      if (command.hint) run.io.stderr.write(`${command.hint}\n`);
    }
    return ExitCode.ok;
  } finally {
    provider.manager.dispose();
  }
}

function printable(value: unknown): string {
  if (value instanceof Date) return isoDate(value.getTime()) ?? String(value);
  if (value === undefined || value === null) return '-';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

async function demoCommand(args: readonly string[], run: Run): Promise<ExitCode> {
  const { values } = parse(args, { help: common.help }, 0);
  if (values.help) return help(run, helpFor('demo', run));
  await runDemo(run.io);
  return ExitCode.ok;
}

function generalHelp(run: Run): string {
  return `tokenwarden: get, create and inspect API tokens

Usage:
  tokenwarden token <provider> [options]         log in and print the token
  tokenwarden create-token <provider> [options]  create a long-lived token
  tokenwarden inspect <jwt | ->                  decode a JWT (the signature is not verified)
  tokenwarden demo                               narrated demo against loopback fake servers
  tokenwarden help [command]                     this text, or a command's
  tokenwarden --version

Providers: ${run.providers.map((p) => p.name).join(', ') || 'none'}.
Every command takes --json for machine-readable output (errors included).
${EXIT_CODES}
`;
}

function helpFor(command: string | undefined, run: Run): string {
  switch (command) {
    case 'inspect':
      return `Usage: tokenwarden inspect <jwt | -> [--json]

Decodes a JWT's header and payload without verifying its signature and shows when it was
issued, when it expires, its lifetime and the time left by the local clock. "-" reads the
token from stdin. A pasted "Bearer <jwt>" or "Authorization: JWT <jwt>" works too.
--json prints { header, payload, issuedAt, notBefore, expiresAt, lifetimeSec, remainingSec, expired, signatureVerified }.
${EXIT_CODES}
`;
    case 'token':
    case 'create-token': {
      const list = run.providers.filter((p) => command === 'token' || p.createToken);
      return `Usage: tokenwarden ${command} <provider> [options]

${command === 'token' ? 'Logs in and prints the token (with --json: { value, scheme, issuedAt, expiresAt }, times in epoch ms).' : 'Logs in, creates a long-lived token and prints it.'}
Credentials come from flags or environment variables; prefer the variables, since flags
show up in the process list and shell history. "tokenwarden ${command} <provider> --help" lists them.

Providers:
${table(list.map((p) => [`  ${p.name}`, command === 'token' ? p.summary : (p.createToken?.summary ?? '')])).trimEnd()}

Options for every provider:
  --json           machine-readable output
  --timeout <s>    deadline of each login attempt in seconds (default 10)
${EXIT_CODES}
`;
    }
    case 'demo':
      return `Usage: tokenwarden demo

Runs the token lifecycle against fake provider servers on 127.0.0.1 and narrates it:
one login for a parallel burst, one refresh after a revocation, an outage ridden out,
a wrong credential as a typed error. Nothing leaves the machine.
`;
    default:
      return generalHelp(run);
  }
}

function describeOptions(options: readonly CliOption[]): string {
  return table(options.map((o) => [`  --${flagOf(o.key)} <value>`, `${o.description}${o.env ? ` [env ${o.env}]` : ''}${o.secret ? ' (secret)' : ''}`])).trimEnd();
}

function providerHelp(spec: CliProvider, command: 'token' | 'create-token'): string {
  const tokenOptions = command === 'create-token' && spec.createToken ? `\n\nOptions of the new token:\n${describeOptions(spec.createToken.options)}` : '';
  return `Usage: tokenwarden ${command} ${spec.name} [options]

${command === 'token' ? spec.summary : (spec.createToken?.summary ?? '')}

Login options (a flag wins over its environment variable):
${describeOptions(spec.options)}${tokenOptions}

  --json           machine-readable output
  --timeout <s>    deadline of each login attempt in seconds (default 10)
${EXIT_CODES}
`;
}
