import type { Logger } from '@tokenwarden/auth-core';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisStoreError, redisErrorCode, type RedisStoreOperation } from './errors.js';
import type { Script } from './scripts.js';

/**
 * Settings every store connection gets, whatever the user configured: a command is either
 * sent now or fails now. Nothing is queued while Redis is away and nothing is replayed when it
 * is back — a lock or a write replayed minutes later would block or overwrite the fleet.
 */
const FAIL_FAST = {
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: false,
  maxRetriesPerRequest: 0,
  lazyConnect: false,
} satisfies RedisOptions;

/** Reconnects quickly after an outage (ioredis's default backs off to 5 s). */
const retryStrategy = (times: number): number => Math.min(times * 200, 2_000);

function isClient(input: unknown): input is Redis {
  return typeof (input as { duplicate?: unknown }).duplicate === 'function';
}

/** Opens a connection of the store's own from a client, options or URL. */
export function openClient(input: Redis | RedisOptions | string, extra: RedisOptions): Redis {
  const settings = { ...FAIL_FAST, ...extra };
  if (isClient(input)) return input.duplicate(settings);
  if (typeof input === 'string') return new Redis(input, { retryStrategy, ...settings });
  return new Redis({ retryStrategy, ...input, ...settings });
}

const errnoOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,32}$/.test(code) ? code : error instanceof Error ? error.name : 'error';
};

/**
 * The command connection: runs a script within a deadline, fails at once while Redis is known
 * to be down, and logs only when reachability changes (not on every reconnect attempt).
 */
export class CommandConnection {
  /** `starting` until the first connection is ready or fails; then `up` or `down`. */
  private state: 'starting' | 'up' | 'down' = 'starting';
  private closed = false;
  private lastProblem = 'not connected yet';
  private readonly settled = new Set<() => void>();

  constructor(
    readonly client: Redis,
    private readonly timeoutMs: number,
    private readonly logger: Logger | undefined,
  ) {
    client.on('ready', () => {
      if (this.state === 'down') this.logger?.info?.('tokenwarden: Redis is reachable again; tokens are shared across processes again');
      this.moveTo('up');
    });
    client.on('close', () => {
      if (this.closed) return;
      if (this.state !== 'down') {
        this.logger?.warn?.(`tokenwarden: Redis is unreachable (${this.lastProblem}); each process refreshes its tokens on its own until it is back`);
      }
      this.moveTo('down');
    });
    // ioredis reports every failed reconnect; the transitions above are what a user needs to see.
    client.on('error', (error: unknown) => {
      this.lastProblem = errnoOf(error);
    });
  }

  /** Runs `script`; `late` gets a reply that arrived after the deadline (to undo a lock nobody waits for). */
  async run(operation: RedisStoreOperation, script: Script, args: readonly (string | number)[], late?: (reply: unknown) => void): Promise<unknown> {
    if (this.closed) throw new RedisStoreError({ operation, failure: 'closed' });
    const deadline = Date.now() + this.timeoutMs;
    if (this.state === 'starting') await this.settle(deadline);
    if (this.state !== 'up' || this.client.status !== 'ready') {
      throw new RedisStoreError({ operation, failure: this.closed ? 'closed' : 'unavailable' });
    }
    const reply = this.evaluate(script, args);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reply.then(late, () => undefined);
        reject(new RedisStoreError({ operation, failure: 'timeout', timeoutMs: this.timeoutMs }));
      }, Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([reply, expired]);
    } catch (error) {
      if (error instanceof RedisStoreError) throw error;
      const redisCode = redisErrorCode(error);
      // A reply error names its class up front ("WRONGTYPE …"); anything else is the connection going away.
      throw redisCode
        ? new RedisStoreError({ operation, failure: 'server-error', redisCode })
        : new RedisStoreError({ operation, failure: this.closed ? 'closed' : 'unavailable' });
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.settled) wake();
    await quitWithin(this.client, this.timeoutMs);
  }

  private async evaluate(script: Script, args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(script.sha, script.keys, ...args);
    } catch (error) {
      // Redis lost its script cache (a restart, SCRIPT FLUSH): send the script itself once.
      if (redisErrorCode(error) !== 'NOSCRIPT') throw error;
      return this.client.eval(script.lua, script.keys, ...args);
    }
  }

  private moveTo(state: 'up' | 'down'): void {
    this.state = state;
    for (const wake of this.settled) wake();
  }

  /** Waits for the first connection to be ready or to fail, at most until `deadline`. */
  private settle(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.settled.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        // Redis does not answer the handshake: do not make every later call wait for it too.
        if (this.state === 'starting') this.state = 'down';
        done();
      }, Math.max(0, deadline - Date.now()));
      this.settled.add(done);
    });
  }
}

/** Closes a connection gracefully when it is up (bounded), at once when it is not. */
export async function quitWithin(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.quit().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
  client.disconnect();
}
