import { tokenExpiry, type ExpiryInput } from './expiry.js';
import { formatDateTime } from './testing/server.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const LIFETIME = 15 * MIN;

/** A login answer received at `receivedAt` on the local clock whose server clock is `offset` ahead. */
function answer(init: { receivedAt: number; offset?: number; lifetime?: number; zone?: string; dateHeader?: boolean }): ExpiryInput {
  const serverNow = init.receivedAt + (init.offset ?? 0);
  return {
    expired: formatDateTime(serverNow + (init.lifetime ?? LIFETIME), init.zone ?? 'Europe/Berlin'),
    receivedAt: init.receivedAt,
    serverDate: init.dateHeader === false ? undefined : serverNow,
    timeZone: 'Europe/Berlin',
    lifetimeMs: LIFETIME,
    toleranceMs: MIN,
  };
}

const at = Date.UTC(2026, 0, 26, 13, 39, 46);

describe('tokenExpiry', () => {
  it('reads "expired" in Berlin time relative to the Date header: 15 minutes, with the server clock 2 hours ahead or behind', () => {
    for (const offset of [0, 2 * HOUR, -2 * HOUR]) {
      expect(tokenExpiry(answer({ receivedAt: at, offset }))).toEqual({ expiresAt: at + LIFETIME });
    }
  });

  it('believes an "expired" shorter than 15 minutes (a token handed out again before its end)', () => {
    expect(tokenExpiry(answer({ receivedAt: at, lifetime: 4 * MIN }))).toEqual({ expiresAt: at + 4 * MIN });
    expect(tokenExpiry(answer({ receivedAt: at, lifetime: 1000 }))).toEqual({ expiresAt: at + 1000 });
  });

  it('believes an "expired" up to 15 minutes plus the tolerance ahead, and not a second more', () => {
    expect(tokenExpiry(answer({ receivedAt: at, lifetime: LIFETIME + MIN }))).toEqual({ expiresAt: at + LIFETIME + MIN });
    const beyond = tokenExpiry(answer({ receivedAt: at, lifetime: LIFETIME + MIN + 1000 }));
    expect(beyond.expiresAt).toBe(at + LIFETIME);
    expect(beyond.problem?.kind).toBe('implausible');
  });

  it('reads relative to the local clock when the answer has no Date header', () => {
    expect(tokenExpiry(answer({ receivedAt: at, dateHeader: false }))).toEqual({ expiresAt: at + LIFETIME });
  });

  it('falls back to receipt + 15 minutes when "expired" lies an hour ahead (written in Helsinki time, read as Berlin)', () => {
    const result = tokenExpiry(answer({ receivedAt: at, zone: 'Europe/Helsinki' }));
    expect(result.expiresAt).toBe(at + LIFETIME);
    expect(result.problem).toEqual({
      kind: 'implausible',
      message:
        'the login answer\'s "expired" 2026-01-26 15:54:46 read in Europe/Berlin is 75 min after the server\'s Date header, not within the documented 15 min: check the timeZone option and the clocks; the token is taken to be valid for 15 min from its receipt',
    });
  });

  it('falls back to receipt + 15 minutes when "expired" is in the past (written in UTC, read as Berlin)', () => {
    const result = tokenExpiry(answer({ receivedAt: at, zone: 'UTC' }));
    expect(result.expiresAt).toBe(at + LIFETIME);
    expect(result.problem?.kind).toBe('implausible');
    expect(result.problem?.message).toContain('45 min before the server\'s Date header');
  });

  it('falls back when "expired" is exactly the server\'s "now"', () => {
    expect(tokenExpiry(answer({ receivedAt: at, lifetime: 0 })).problem?.kind).toBe('implausible');
  });

  it('falls back when the local clock is 2 hours behind and there is no Date header to correct it', () => {
    const result = tokenExpiry(answer({ receivedAt: at, offset: 2 * HOUR, dateHeader: false }));
    expect(result.expiresAt).toBe(at + LIFETIME);
    expect(result.problem?.message).toContain('135 min after the local clock (the answer has no Date header)');
  });

  it('falls back to receipt + 15 minutes when "expired" is missing', () => {
    expect(tokenExpiry({ ...answer({ receivedAt: at }), expired: undefined })).toEqual({
      expiresAt: at + LIFETIME,
      problem: {
        kind: 'unreadable',
        message: 'the login answer has no "expired" string; the token is taken to be valid for 15 min from its receipt',
      },
    });
  });

  it.each(['2026-01-26T13:54:46Z', '26.01.2026 14:54:46', '2026-02-30 10:00:00', ''])('falls back to receipt + 15 minutes when "expired" is malformed: %j', (expired) => {
    const result = tokenExpiry({ ...answer({ receivedAt: at }), expired });
    expect(result.expiresAt).toBe(at + LIFETIME);
    expect(result.problem?.kind).toBe('unreadable');
    expect(result.problem?.message).toContain(`"expired" ${JSON.stringify(expired)} is not a "YYYY-MM-DD hh:mm:ss" date`);
  });

  it.each([
    ['minutes before the March change', '2026-03-29 01:55:00', '2026-03-29T00:40:00Z'],
    ['across the March change (01:50 CET, expiring 03:05 CEST)', '2026-03-29 03:05:00', '2026-03-29T00:50:00Z'],
    ['after the March change', '2026-03-29 04:10:00', '2026-03-29T01:55:00Z'],
    ['in the first October 02:xx hour, expiring within it', '2026-10-25 02:45:00', '2026-10-25T00:30:00Z'],
    ['in the first October 02:xx hour, expiring in the repeated one (02:50 CEST)', '2026-10-25 02:05:00', '2026-10-25T00:50:00Z'],
    ['in the repeated October 02:xx hour (02:10 CET)', '2026-10-25 02:25:00', '2026-10-25T01:10:00Z'],
    ['after the October change', '2026-10-25 03:25:00', '2026-10-25T02:10:00Z'],
  ])('reads a token issued %s, "expired" %s, as valid for exactly 15 minutes', (_label, expired, issued) => {
    const receivedAt = Date.parse(issued);
    const input = answer({ receivedAt });
    expect(input.expired).toBe(expired);
    expect(tokenExpiry(input)).toEqual({ expiresAt: receivedAt + LIFETIME });
    // Received 3 minutes "late" on a local clock that is behind: still 15 minutes, by the server's clock.
    expect(tokenExpiry(answer({ receivedAt, offset: 3 * MIN }))).toEqual({ expiresAt: receivedAt + LIFETIME });
  });
});
