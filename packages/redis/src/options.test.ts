import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidOptionsError } from '@tokenwarden/auth-core';
import { RedisStore } from './index.js';
import { parseStoreOptions, type RedisStoreOptions } from './options.js';

function invalid(options: unknown): InvalidOptionsError {
  try {
    // Invalid options throw before any connection is opened.
    new RedisStore(options as RedisStoreOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error('expected InvalidOptionsError');
}

const shown = (error: Error) => [error.message, JSON.stringify(error), inspect(error)].join('\n');

describe('RedisStore options', () => {
  it('reports every invalid option at once, by name', () => {
    const error = invalid({ redis: 42, prefix: '', commandTimeoutMs: -5, encryptionKey: 'short' });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['commandTimeoutMs', 'encryptionKey', 'prefix', 'redis']);
  });

  it.each([
    ['31 random bytes', randomBytes(31)],
    ['a pass phrase instead of a key', 'correct horse battery staple and more words'],
    ['base64 of 33 bytes', randomBytes(33).toString('base64')],
    ['hex of 32 bytes (64 characters)', randomBytes(32).toString('hex')],
    ['a number', 12345],
  ])('rejects an encryptionKey that is %s without echoing it', (_what, key) => {
    const error = invalid({ redis: 'redis://127.0.0.1:1', encryptionKey: key });
    expect(error.issues).toEqual([{ path: 'encryptionKey', message: expect.stringContaining('32 bytes') }]);
    const text = Buffer.isBuffer(key) ? [key.toString('base64'), key.toString('hex')] : [String(key)];
    for (const secret of text) expect(shown(error)).not.toContain(secret);
  });

  it('rejects a redis option that is neither a client, options nor a redis:// URL', () => {
    expect(invalid({ redis: 'localhost:6379' }).issues).toEqual([{ path: 'redis', message: expect.stringContaining('redis:// URL') }]);
    expect(invalid({}).issues.map((i) => i.path)).toEqual(['redis']);
  });

  it.each([
    ['a Buffer', (k: Buffer) => k],
    ['a Uint8Array', (k: Buffer) => new Uint8Array(k)],
    ['base64', (k: Buffer) => k.toString('base64')],
    ['base64url', (k: Buffer) => k.toString('base64url')],
    ['base64 with surrounding white space (as read from a file)', (k: Buffer) => `${k.toString('base64')}\n`],
  ])('accepts a 32-byte key given as %s and applies the defaults', (_what, form) => {
    const key = randomBytes(32);
    const parsed = parseStoreOptions({ redis: { port: 1 }, encryptionKey: form(key) });
    expect(parsed.encryptionKey?.equals(key)).toBe(true);
    expect(parsed.prefix).toBe('tokenwarden:');
    expect(parsed.commandTimeoutMs).toBe(500);
  });
});
