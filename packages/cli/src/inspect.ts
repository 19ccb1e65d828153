import { InvalidJwtError, decodeJwt } from '@tokenwarden/auth-core';
import { formatDuration, isoDate, table } from './format.js';

/** What `tokenwarden inspect --json` prints. Times are ISO 8601 (UTC), durations whole seconds. */
export interface JwtReport {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** From `iat`; `null` when the claim is missing or not a number. */
  readonly issuedAt: string | null;
  /** From `nbf`; `null` when absent. */
  readonly notBefore: string | null;
  /** From `exp`; `null` when absent — the token then states no end of its own. */
  readonly expiresAt: string | null;
  /** `exp − iat` in seconds, as the server meant it (independent of the local clock). */
  readonly lifetimeSec: number | null;
  /** `exp` minus the local clock, in seconds; negative once expired. */
  readonly remainingSec: number | null;
  readonly expired: boolean | null;
  /** Always `false`: `inspect` decodes, it never checks a signature. */
  readonly signatureVerified: false;
}

const claimSeconds = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const claimDate = (seconds: number | undefined): string | null => (seconds === undefined ? null : (isoDate(seconds * 1000) ?? null));

/**
 * Accepts what users paste: the bare token, or a whole `Authorization: Bearer …` / `JWT …`
 * header value, with surrounding whitespace.
 */
export function extractToken(input: string): string {
  const token = input.trim().replace(/^authorization:\s*/i, '').replace(/^(bearer|jwt)\s+/i, '').trim();
  if (token.length === 0) throw new InvalidJwtError({ problem: 'the input is empty' });
  return token;
}

/**
 * Decodes a JWT without verifying it and relates its times to `now` (epoch ms).
 * @throws InvalidJwtError for anything that is not three base64url segments with JSON objects
 *   in the first two; the message never repeats the input.
 */
export function inspectJwt(input: string, now: number): JwtReport {
  const { header, payload } = decodeJwt(extractToken(input));
  const iat = claimSeconds(payload['iat']);
  const exp = claimSeconds(payload['exp']);
  const nbf = claimSeconds(payload['nbf']);
  const remainingSec = exp === undefined ? null : Math.round(exp - now / 1000);
  return {
    header,
    payload,
    issuedAt: claimDate(iat),
    notBefore: claimDate(nbf),
    expiresAt: claimDate(exp),
    lifetimeSec: exp !== undefined && iat !== undefined ? exp - iat : null,
    remainingSec,
    expired: remainingSec === null ? null : remainingSec <= 0,
    signatureVerified: false,
  };
}

const indent = (text: string) => text.replace(/^/gm, '  ');

/** The report for a human: header and payload as indented JSON, then the times. */
export function formatJwtReport(report: JwtReport): string {
  const rows: [string, string][] = [
    ['issued at', report.issuedAt ?? '- (no iat claim)'],
    ...(report.notBefore ? [['not before', report.notBefore] as [string, string]] : []),
    ['expires at', report.expiresAt ?? '- (no exp claim: the token states no end)'],
    ['lifetime', report.lifetimeSec === null ? '-' : formatDuration(report.lifetimeSec * 1000)],
    [
      'time left',
      report.remainingSec === null
        ? '-'
        : report.remainingSec > 0
          ? `${formatDuration(report.remainingSec * 1000)} (by the local clock)`
          : `none: expired ${formatDuration(report.remainingSec * 1000)} ago (by the local clock)`,
    ],
    ['signature', 'not verified (inspect only decodes)'],
  ];
  return `header\n${indent(JSON.stringify(report.header, null, 2))}\npayload\n${indent(JSON.stringify(report.payload, null, 2))}\n${table(rows)}`;
}
