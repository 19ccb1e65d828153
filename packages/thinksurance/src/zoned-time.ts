const DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether `Intl` knows `timeZone` (an IANA name such as "Europe/Berlin", or "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a MySQL DATETIME (`YYYY-MM-DD hh:mm:ss`) as a wall-clock reading: epoch ms of the same
 * fields in UTC. `undefined` for any other text and for dates that do not exist (`2026-02-30`).
 */
export function parseWallClock(text: string): number | undefined {
  const match = DATETIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  // Date.UTC rolls 2026-02-30 over into March and 24:00 into the next day: such input is not a date.
  const real = check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day;
  return real && hour < 24 && minute < 60 && second < 60 ? wall : undefined;
}

/** The wall clock in `timeZone` at `epochMs`, as epoch ms of the same fields in UTC (whole seconds). */
export function wallClockAt(epochMs: number, timeZone: string): number {
  const field: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(epochMs)) field[part.type] = Number(part.value);
  return Date.UTC(field['year']!, field['month']! - 1, field['day']!, field['hour']!, field['minute']!, field['second']!);
}

/**
 * Every instant at which the clocks in `timeZone` show `wall` (from `parseWallClock`), earliest
 * first: one as a rule, two in the hour repeated when the clocks go back. In the hour skipped
 * when they go forward no instant shows it; then both readings, with the offset before and
 * after the change, come back.
 */
export function instantsOf(wall: number, timeZone: string): readonly number[] {
  // The offsets a day either side cover the one change a zone makes around any given time.
  const readings = [...new Set([wall - DAY_MS, wall + DAY_MS].map((t) => wall - (wallClockAt(t, timeZone) - t)))].sort((a, b) => a - b);
  const real = readings.filter((t) => wallClockAt(t, timeZone) === wall);
  return real.length > 0 ? real : readings;
}

/**
 * Reads `text` (`YYYY-MM-DD hh:mm:ss`, no zone) as local time in `timeZone`, in epoch ms, or
 * `undefined` when it is not such a date. Where the local time is ambiguous (the repeated hour
 * when the clocks go back) or does not exist (the skipped hour), the reading nearest `near` wins,
 * the earlier one on a tie.
 */
export function parseZonedDateTime(text: string, timeZone: string, near: number): number | undefined {
  const wall = parseWallClock(text);
  if (wall === undefined) return undefined;
  let best: number | undefined;
  for (const t of instantsOf(wall, timeZone)) {
    if (best === undefined || Math.abs(t - near) < Math.abs(best - near)) best = t;
  }
  return best;
}
