import fc from 'fast-check';
import { formatDateTime } from './testing/server.js';
import { instantsOf, isTimeZone, parseWallClock, parseZonedDateTime } from './zoned-time.js';

const utc = (text: string): number => Date.parse(`${text}Z`);
const MIN = 60_000;

describe('parseWallClock', () => {
  it('reads "YYYY-MM-DD hh:mm:ss" as its fields', () => {
    expect(parseWallClock('2024-01-26 14:54:46')).toBe(utc('2024-01-26T14:54:46'));
    expect(parseWallClock('2028-02-29 00:00:00')).toBe(utc('2028-02-29T00:00:00'));
  });

  it.each([
    ['an ISO timestamp with T', '2024-01-26T14:54:46'],
    ['an ISO timestamp with a zone', '2024-01-26 14:54:46Z'],
    ['no seconds', '2024-01-26 14:54'],
    ['leading white space', ' 2024-01-26 14:54:46'],
    ['a date alone', '2024-01-26'],
    ['MySQL\'s zero date', '0000-00-00 00:00:00'],
    ['February 30', '2026-02-30 10:00:00'],
    ['February 29 in a common year', '2026-02-29 10:00:00'],
    ['month 13', '2026-13-01 10:00:00'],
    ['hour 24', '2026-10-25 24:00:00'],
    ['minute 60', '2026-10-25 02:60:00'],
    ['second 60', '2026-10-25 02:05:60'],
    ['a two-digit year', '26-10-25 02:05:00'],
    ['an empty string', ''],
    ['words', 'in fifteen minutes'],
  ])('rejects %s', (_label, text) => {
    expect(parseWallClock(text)).toBeUndefined();
  });
});

describe('instantsOf in Europe/Berlin', () => {
  const berlin = (text: string) => instantsOf(parseWallClock(text)!, 'Europe/Berlin');

  it('finds one instant for winter and summer times', () => {
    expect(berlin('2024-01-26 14:54:46')).toEqual([utc('2024-01-26T13:54:46')]);
    expect(berlin('2026-07-01 12:00:00')).toEqual([utc('2026-07-01T10:00:00')]);
  });

  it('finds one instant on each side of the March change (02:00 CET becomes 03:00 CEST at 01:00 UTC)', () => {
    expect(berlin('2026-03-29 01:59:59')).toEqual([utc('2026-03-29T00:59:59')]);
    expect(berlin('2026-03-29 03:00:00')).toEqual([utc('2026-03-29T01:00:00')]);
  });

  it('gives both readings, an hour apart, for a time in the hour skipped in March', () => {
    expect(berlin('2026-03-29 02:30:00')).toEqual([utc('2026-03-29T00:30:00'), utc('2026-03-29T01:30:00')]);
  });

  it('finds two instants, earlier first, for a time in the hour repeated in October (03:00 CEST becomes 02:00 CET at 01:00 UTC)', () => {
    expect(berlin('2026-10-25 02:00:00')).toEqual([utc('2026-10-25T00:00:00'), utc('2026-10-25T01:00:00')]);
    expect(berlin('2026-10-25 02:59:59')).toEqual([utc('2026-10-25T00:59:59'), utc('2026-10-25T01:59:59')]);
    expect(berlin('2026-10-25 03:00:00')).toEqual([utc('2026-10-25T02:00:00')]);
    expect(berlin('2026-10-25 01:59:59')).toEqual([utc('2026-10-24T23:59:59')]);
  });
});

describe('parseZonedDateTime', () => {
  it('picks the reading of a repeated October time nearest the expected expiry', () => {
    const text = '2026-10-25 02:05:00';
    // Issued 02:50 CEST (00:50 UTC): 15 minutes later the clocks show 02:05 again, now CET.
    expect(parseZonedDateTime(text, 'Europe/Berlin', utc('2026-10-25T01:05:00'))).toBe(utc('2026-10-25T01:05:00'));
    // Issued 01:50 CEST (23:50 UTC the day before): the first 02:05.
    expect(parseZonedDateTime(text, 'Europe/Berlin', utc('2026-10-25T00:05:00'))).toBe(utc('2026-10-25T00:05:00'));
  });

  it('takes the earlier reading when both are equally near', () => {
    expect(parseZonedDateTime('2026-10-25 02:30:00', 'Europe/Berlin', utc('2026-10-25T01:00:00'))).toBe(utc('2026-10-25T00:30:00'));
  });

  it('reads a time in the skipped March hour with the offset that lands nearest the expected expiry', () => {
    expect(parseZonedDateTime('2026-03-29 02:10:00', 'Europe/Berlin', utc('2026-03-29T01:05:00'))).toBe(utc('2026-03-29T01:10:00'));
    expect(parseZonedDateTime('2026-03-29 02:10:00', 'Europe/Berlin', utc('2026-03-29T00:05:00'))).toBe(utc('2026-03-29T00:10:00'));
  });

  it('reads other zones: UTC, a half-hour offset, the southern hemisphere and New York\'s repeated hour', () => {
    const near = (text: string) => utc(text) + 5 * MIN;
    expect(parseZonedDateTime('2026-01-01 00:00:00', 'UTC', near('2026-01-01T00:00:00'))).toBe(utc('2026-01-01T00:00:00'));
    expect(parseZonedDateTime('2026-01-01 05:30:00', 'Asia/Kolkata', near('2026-01-01T00:00:00'))).toBe(utc('2026-01-01T00:00:00'));
    expect(parseZonedDateTime('2026-01-01 11:00:00', 'Australia/Sydney', near('2026-01-01T00:00:00'))).toBe(utc('2026-01-01T00:00:00'));
    expect(parseZonedDateTime('2026-11-01 01:30:00', 'America/New_York', near('2026-11-01T06:30:00'))).toBe(utc('2026-11-01T06:30:00'));
    expect(parseZonedDateTime('2026-11-01 01:30:00', 'America/New_York', near('2026-11-01T05:30:00'))).toBe(utc('2026-11-01T05:30:00'));
  });

  it('returns undefined for text that is not a "YYYY-MM-DD hh:mm:ss" date', () => {
    expect(parseZonedDateTime('2026-10-25T02:05:00+01:00', 'Europe/Berlin', 0)).toBeUndefined();
  });

  it('reads back what the fake server writes for any instant from 2000 to 2040 in five zones', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2040, 0, 1) / 1000 }),
        fc.constantFrom(...zones),
        fc.integer({ min: -20 * MIN, max: 20 * MIN }),
        (seconds, zone, skew) => {
          const instant = seconds * 1000;
          expect(parseZonedDateTime(formatDateTime(instant, zone), zone, instant + skew)).toBe(instant);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads back what the fake server writes within 2 hours of every Berlin and New York clock change from 2007 to 2040', () => {
    // EU: last Sunday of March and October at 01:00 UTC. US: second Sunday of March, 07:00 UTC; first Sunday of November, 06:00 UTC.
    const sunday = (year: number, month: number, day: number, step: 1 | -1): number => {
      const date = new Date(Date.UTC(year, month, day));
      while (date.getUTCDay() !== 0) date.setUTCDate(date.getUTCDate() + step);
      return date.getTime();
    };
    const changes = (year: number): [string, number][] => [
      ['Europe/Berlin', sunday(year, 2, 31, -1) + 3_600_000],
      ['Europe/Berlin', sunday(year, 9, 31, -1) + 3_600_000],
      ['America/New_York', sunday(year, 2, 8, 1) + 7 * 3_600_000],
      ['America/New_York', sunday(year, 10, 1, 1) + 6 * 3_600_000],
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 2007, max: 2040 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: -7200, max: 7200 }),
        fc.integer({ min: -20 * MIN, max: 20 * MIN }),
        (year, which, seconds, skew) => {
          const [zone, change] = changes(year)[which]!;
          const instant = change + seconds * 1000;
          expect(parseZonedDateTime(formatDateTime(instant, zone), zone, instant + skew)).toBe(instant);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('isTimeZone', () => {
  it('accepts IANA names and refuses anything else', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Atlantis')).toBe(false);
    expect(isTimeZone('CEST+2')).toBe(false);
  });
});
