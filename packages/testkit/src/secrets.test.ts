import { inspect } from 'node:util';
import { CredentialsRejectedError } from '@tokenwarden/auth-core';
import { ConformanceError } from './failure.js';
import { expectNoSecrets, findSecrets, renderError } from './secrets.js';

const SECRET = 'hunter2-password';

describe('findSecrets', () => {
  it('finds a secret in the message, and so in the stack and util.inspect (JSON.stringify of a plain Error is "{}")', () => {
    const leaks = findSecrets(new Error(`login as demo/${SECRET} failed`), [SECRET]);
    expect(leaks.map((l) => l.rendering)).toEqual(['message', 'stack', 'util.inspect']);
  });

  it('finds a secret in the message of an error whose toJSON includes it, as TokenWardenError does', () => {
    class JsonError extends Error {
      toJSON() {
        return { message: this.message };
      }
    }
    const leaks = findSecrets(new JsonError(`login as demo/${SECRET} failed`), [SECRET]);
    expect(leaks.map((l) => l.rendering)).toEqual(['message', 'stack', 'JSON.stringify', 'util.inspect']);
  });

  it('finds a secret that only an enumerable property carries (as axios errors carry their config)', () => {
    const error = Object.assign(new Error('Request failed with status code 500'), { config: { headers: { Authorization: `Bearer ${SECRET}` } } });
    expect(findSecrets(error, [SECRET]).map((l) => l.rendering)).toEqual(['JSON.stringify', 'util.inspect']);
  });

  it('finds a secret nested deeper than util.inspect shows by default', () => {
    const error = Object.assign(new Error('deep'), { a: { b: { c: { d: { e: { f: SECRET } } } } } });
    expect(inspect(error)).not.toContain(SECRET);
    expect(findSecrets(error, [SECRET]).map((l) => l.rendering)).toContain('util.inspect');
  });

  it('finds a secret that only a custom inspect shows', () => {
    const error = Object.assign(new Error('custom'), { [inspect.custom]: () => `custom ${SECRET}` });
    expect(findSecrets(error, [SECRET]).map((l) => l.rendering)).toEqual(['util.inspect']);
  });

  it('looks inside an error with a circular reference instead of throwing', () => {
    const error = new Error('circular') as Error & { self?: unknown; secret?: string };
    error.self = error;
    error.secret = SECRET;
    expect(findSecrets(error, [SECRET]).map((l) => l.rendering)).toEqual(['JSON.stringify', 'util.inspect']);
  });

  it('ignores secrets shorter than 4 characters, which would match ordinary words', () => {
    expect(findSecrets(new Error('the login failed'), ['the', 'in', ''])).toEqual([]);
  });

  it('reports nothing for a typed error built from non-secret facts', () => {
    const error = new CredentialsRejectedError({ provider: 'acme', status: 401, retryAfterMs: 30_000 });
    expect(findSecrets(error, [SECRET, 'demo-password'])).toEqual([]);
    expect(renderError(error)['JSON.stringify']).toContain('CREDENTIALS_REJECTED');
  });
});

describe('expectNoSecrets', () => {
  it('names a leaked secret by position and length, never by value', () => {
    let thrown: unknown;
    try {
      expectNoSecrets(new Error(`bad ${SECRET}`), ['other-secret', SECRET], { context: 'a login with a typo' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConformanceError);
    const { message } = thrown as Error;
    expect(message).toBe(
      `a login with a typo: the Error leaks secret #1 (${SECRET.length} characters) in its message, stack, util.inspect`,
    );
    expect(message).not.toContain(SECRET);
  });

  it('passes an error that carries none of the secrets', () => {
    expect(() => expectNoSecrets(new Error('login failed: HTTP 503'), [SECRET])).not.toThrow();
  });
});
