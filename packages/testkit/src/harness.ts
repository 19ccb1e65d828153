import { jest } from '@jest/globals';
import { createAuthFetch, type AccessToken, type Provider, type TokenManagerOptions } from '@tokenwarden/auth-core';
import { attachAxios } from '@tokenwarden/auth-core/axios';
import type { ConformanceServer, RunningServer } from '@tokenwarden/auth-core/testing';
import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { ConformanceError, describeThrown, ensure } from './failure.js';
import { pollUntil, useDateOnlyFakeClock } from './helpers.js';
import type { ConformanceOptions } from './options.js';
import { expectNoSecrets } from './secrets.js';

/**
 * Engine settings the suite passes to every provider: retries a few milliseconds apart (an
 * outage test takes milliseconds, not seconds), a cool-down long enough that only a moved clock
 * ends it, and a body cap small enough to provoke cheaply.
 */
export const SUITE_ENGINE = {
  retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50 },
  credentialsCooldownMs: 60_000,
  loginTimeoutMs: 3_000,
  maxResponseBytes: 64 * 1024,
} as const satisfies TokenManagerOptions;

type Fetch = typeof globalThis.fetch;

const open = new Set<{ close(): Promise<void> }>();

/** Closes whatever a check left open (a check that timed out is still running). */
export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((h) => h.close()));
}

/**
 * What one check starts, configures and provokes: it closes every server, disposes every
 * manager, and checks every error it saw for secrets and tokens before it closes.
 */
export class Harness<S extends ConformanceServer> {
  /** Every token value the providers obtained. */
  readonly tokens = new Set<string>();
  /** Every secret `options.secrets` named for the servers started. */
  readonly secrets = new Set<string>();
  private readonly errors: { readonly context: string; readonly error: unknown; readonly reported: boolean }[] = [];
  private readonly servers: RunningServer[] = [];
  private readonly providers: Provider[] = [];
  private readonly detachers: (() => void)[] = [];
  private closed: Promise<void> | undefined;

  private constructor(readonly options: ConformanceOptions<S>) {}

  /** Runs `body` with a fresh harness; afterwards checks every error it saw for secrets, then cleans up. */
  static async run<S extends ConformanceServer>(options: ConformanceOptions<S>, body: (h: Harness<S>) => Promise<void>): Promise<void> {
    const harness = new Harness(options);
    open.add(harness);
    // A check owns the clock: a fake one left over from the test file would stall real I/O waits.
    jest.useRealTimers();
    try {
      await body(harness);
      harness.checkSecrets();
    } finally {
      await harness.close();
    }
  }

  /** Starts the provider's fake server (closed when the check ends). */
  async server(): Promise<S> {
    const server = this.adopt(await this.options.startServer());
    for (const secret of this.options.secrets(server)) this.secrets.add(secret);
    return server;
  }

  /** Closes `server` when the check ends. */
  adopt<T extends RunningServer>(server: T): T {
    this.servers.push(server);
    return server;
  }

  /** Builds the provider under test with the suite's engine settings, overridden by `engine`. */
  provider(server: S, init: { credentials?: 'valid' | 'wrong'; engine?: TokenManagerOptions } = {}): Provider {
    const provider = this.options.createProvider(server, {
      credentials: init.credentials ?? 'valid',
      engine: { ...SUITE_ENGINE, ...init.engine },
    });
    this.providers.push(provider);
    const { manager } = provider;
    // The manager holds the new token by the time it reports it.
    manager.on('acquired', () => {
      const token = manager.peek();
      if (token) this.tokens.add(token.value);
    });
    manager.on('refreshFailed', ({ error, attempt, reason }) =>
      this.errors.push({ error, context: `the refreshFailed event of a "${reason}" login (attempt ${attempt})`, reported: true }),
    );
    return provider;
  }

  /** `createAuthFetch(provider)`. */
  fetch(provider: Provider): Fetch {
    return createAuthFetch(provider);
  }

  /** A new axios instance with the provider attached (detached when the check ends). */
  axios(provider: Provider, config?: CreateAxiosDefaults): AxiosInstance {
    const instance = axios.create(config);
    this.detachers.push(attachAxios(instance, provider));
    return instance;
  }

  /** Awaits a call that must succeed; a failure becomes a `ConformanceError` saying what failed. */
  async succeeds<T>(call: Promise<T>, context: string): Promise<T> {
    try {
      return await call;
    } catch (error) {
      this.record(error, context);
      throw new ConformanceError(`${context} failed: ${this.describe(error)}`);
    }
  }

  /** Awaits a call that must fail and returns what it threw (checked for secrets later). */
  async fails(call: Promise<unknown>, context: string): Promise<unknown> {
    try {
      await call;
    } catch (error) {
      this.record(error, context);
      return error;
    }
    throw new ConformanceError(`${context}: expected it to fail, it succeeded`);
  }

  /** `getToken()` that must succeed. */
  token(provider: Provider, context = 'getToken()'): Promise<AccessToken> {
    return this.succeeds(provider.manager.getToken(), context);
  }

  /** GETs `url` through `createAuthFetch(provider)`; returns the status, the body read and dropped. */
  async fetchStatus(provider: Provider, url: string, context: string): Promise<number> {
    const response = await this.succeeds(this.fetch(provider)(url), context);
    await response.arrayBuffer();
    return response.status;
  }

  /** GETs `url` with `instance` (axios' default: a non-2xx answer throws); returns the status. */
  async axiosStatus(instance: AxiosInstance, url: string, context: string): Promise<number> {
    const response = await this.succeeds(instance.get(url, { responseType: 'text' }), context);
    return response.status;
  }

  /** Keeps `error` for the secret check at the end of the check. */
  record(error: unknown, context: string): void {
    this.errors.push({ context, error, reported: false });
  }

  /** A thrown value's name, code and message with secrets and tokens masked. */
  describe(thrown: unknown): string {
    return describeThrown(thrown, [...this.secrets, ...this.tokens]);
  }

  /** Checks every recorded error for configured secrets and obtained tokens; thrown ones first, as their context says more. */
  checkSecrets(): void {
    const ordered = [...this.errors.filter((e) => !e.reported), ...this.errors.filter((e) => e.reported)];
    for (const { context, error } of ordered) {
      expectNoSecrets(error, this.secrets, { context, kind: 'configured secret' });
      expectNoSecrets(error, this.tokens, { context, kind: 'token' });
    }
  }

  /**
   * Fakes `Date` only — the subject is the wall clock the engine reads; its timers, sockets and
   * the servers' I/O stay real. The fake clock keeps moving with real time.
   */
  useFakeClock(): void {
    useDateOnlyFakeClock();
  }

  /** Moves the fake clock to `epochMs` (see `useFakeClock`); no timer fires because of it. */
  setClock(epochMs: number): void {
    jest.setSystemTime(epochMs);
  }

  /** Polls `condition` every few milliseconds for at most `timeoutMs` of real time. */
  async waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
    ensure(await pollUntil(condition, timeoutMs), `timed out after ${timeoutMs} ms waiting for ${what}`);
  }

  /** Disposes every manager, detaches axios, closes every server and restores real timers. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      jest.useRealTimers();
      for (const detach of this.detachers) detach();
      for (const provider of this.providers) provider.manager.dispose();
      await Promise.all(this.servers.map((server) => server.close()));
      open.delete(this);
    })();
    return this.closed;
  }
}
