import fc from 'fast-check';
import { InvalidJwtError } from './errors.js';
import { decodeJwt, jwtExpiry, serverRelativeExpiry } from './jwt.js';
import { signJwt } from './testing/index.js';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('decodeJwt', () => {
  it('decodes any JSON-object payload it is given (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (payload) => {
        expect(decodeJwt(signJwt(payload)).payload).toEqual(JSON.parse(JSON.stringify(payload)));
      }),
      { numRuns: 200 },
    );
  });

  it('accepts padded and unpadded base64url segments', () => {
    const payload = segment({ sub: 'ab' });
    const padded = payload + '='.repeat((4 - (payload.length % 4)) % 4);
    expect(decodeJwt(`${segment({ alg: 'none' })}.${padded}.`).payload).toEqual({ sub: 'ab' });
    expect(decodeJwt(`${segment({ alg: 'none' })}.${payload}.sig`).payload).toEqual({ sub: 'ab' });
  });

  it.each([
    ['two segments', `${segment({})}.${segment({})}`, /3 dot-separated segments, got 2/],
    ['four segments', 'a.b.c.d', /got 4/],
    ['a non-base64url header', `${segment({})}!.${segment({})}.x`, /header is not base64url/],
    ['a payload that is not JSON', `${segment({})}.${Buffer.from('not json').toString('base64url')}.x`, /payload is not JSON/],
    ['a payload that is invalid UTF-8', `${segment({})}.${Buffer.from([0xc3, 0x28]).toString('base64url')}.x`, /not valid UTF-8/],
    ['a payload that is a JSON array', `${segment({})}.${segment([1])}.x`, /not a JSON object/],
    ['an empty string', '', /got 1/],
  ])('throws InvalidJwtError for %s', (_label, token, message) => {
    expect(() => decodeJwt(token)).toThrow(InvalidJwtError);
    expect(() => decodeJwt(token)).toThrow(message);
  });
});

describe('jwtExpiry', () => {
  const receivedAt = 1_700_000_000_000;

  it('counts exp − iat from the time of receipt, so a skewed server clock does not matter', () => {
    const serverNow = receivedAt / 1000 + 600; // server 10 minutes ahead
    const token = signJwt({ iat: serverNow, exp: serverNow + 900 });
    expect(jwtExpiry(token, { receivedAt, fallbackLifetimeMs: 1 })).toMatchObject({ issuedAt: receivedAt, expiresAt: receivedAt + 900_000, fromClaims: true });
  });

  it('uses the server Date header when the token has exp but no iat', () => {
    const serverDate = receivedAt - 300_000;
    const token = signJwt({ exp: serverDate / 1000 + 60 });
    expect(jwtExpiry(token, { receivedAt, serverDate, fallbackLifetimeMs: 1 }).expiresAt).toBe(receivedAt + 60_000);
  });

  it.each([
    ['no exp', {}],
    ['a string exp', { exp: '1700000000' }],
    ['a null exp', { exp: null }],
  ])('never treats %s as valid forever: the fallback lifetime applies', (_label, claims) => {
    const result = jwtExpiry(signJwt(claims), { receivedAt, fallbackLifetimeMs: 3_600_000 });
    expect(result).toEqual({ issuedAt: receivedAt, expiresAt: receivedAt + 3_600_000, fromClaims: false });
  });

  it('throws for a token that had expired when it was received', () => {
    expect(() => jwtExpiry(signJwt({ iat: 100, exp: 100 }), { receivedAt, fallbackLifetimeMs: 1 })).toThrow(/already expired/);
  });

  it('maps a server-stated expiry onto the local clock', () => {
    expect(serverRelativeExpiry({ receivedAt: 1000, serverNow: 50_000, serverExpiresAt: 60_000 })).toBe(11_000);
  });
});
