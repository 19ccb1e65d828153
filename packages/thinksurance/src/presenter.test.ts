import type { AccessToken, ApiResponse } from '@tokenwarden/auth-core';
import { thinksurance } from './provider.js';

const presenter = (options: { header?: string; scheme?: string; tokenErrorPattern?: RegExp } = {}) =>
  thinksurance({ baseUrl: 'https://app.dev.thinksurance.de', hash: 'h'.repeat(16), secret: 's'.repeat(16), ...options }).presenter;

const response = (status: number, body: unknown): ApiResponse => ({
  status,
  body,
  headers: { get: () => undefined },
  method: 'GET',
  url: 'https://app.dev.thinksurance.de/api/v1/contracts',
});

const token: AccessToken = { value: 'tok123', scheme: 'Bearer', issuedAt: 0, expiresAt: 900_000 };

describe('thinksurance presenter', () => {
  it('places the token as "Authorization: Bearer <token>" by default, another header and scheme, or the bare token', () => {
    expect(presenter().place(token)).toEqual({ headers: { Authorization: 'Bearer tok123' } });
    expect(presenter({ header: 'X-Token', scheme: 'Token' }).place(token)).toEqual({ headers: { 'X-Token': 'Token tok123' } });
    expect(presenter({ header: 'X-Token', scheme: '' }).place(token)).toEqual({ headers: { 'X-Token': 'tok123' } });
  });

  it('reads the bodies of successful responses too', () => {
    expect(presenter().inspectsSuccessBodies).toBe(true);
  });

  it.each([
    [401, { error: 'Token is invalid or expired.' }],
    [401, undefined],
    [403, 'Forbidden'],
    [200, { error: 'Token is invalid or expired.' }],
    [200, { error: 'The security token has expired.' }],
    [200, { error: 'Invalid token.' }],
    [200, { error: 'Unknown token' }],
    [200, { error: 'token missing' }],
    [400, { error: 'No token given.' }],
    [200, { error: 'Unauthorized' }],
  ])('treats status %i with %j as a refused token', (status, body) => {
    expect(presenter().isRejected(response(status, body))).toBe(true);
  });

  it.each([
    [200, { ok: true }],
    [200, { error: 'Contract 7 does not exist.' }],
    [200, { error: 'Your insurance policy has expired.' }],
    [200, { error: 'Tokenizer failed for the given address.' }],
    [200, 'Token is invalid or expired.'],
    [200, undefined],
    [400, { error: 'The field birthDate is invalid.' }],
    [404, { error: 'Not found.' }],
    [500, { error: 'Internal error' }],
    [502, '<html>502 Bad Gateway</html>'],
  ])('does not treat status %i with %j as a refused token', (status, body) => {
    expect(presenter().isRejected(response(status, body))).toBe(false);
  });

  it('uses a configured tokenErrorPattern, and a global one gives the same answer every time', () => {
    const p = presenter({ tokenErrorPattern: /Sitzung abgelaufen/g });
    const expired = response(200, { error: 'Sitzung abgelaufen' });
    expect([p.isRejected(expired), p.isRejected(expired), p.isRejected(expired)]).toEqual([true, true, true]);
    expect(p.isRejected(response(200, { error: 'Token is invalid or expired.' }))).toBe(false);
  });

  it("describes a rejection with the API's error text", () => {
    expect(presenter().describeRejection?.(response(200, { error: 'Token is invalid or expired.' }))).toEqual({ detail: 'Token is invalid or expired.' });
    expect(presenter().describeRejection?.(response(401, '<html></html>'))).toEqual({ detail: undefined });
  });
});
