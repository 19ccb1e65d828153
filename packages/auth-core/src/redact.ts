/**
 * Redaction of secrets from anything that might be printed: error messages, body previews,
 * URLs. Deliberately conservative: a false positive costs a little readability, a false
 * negative leaks a credential.
 */

const JWT_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const REDACTED = '[redacted]';

/** Replaces every occurrence of each secret, and anything shaped like a JWT, with `[redacted]`. */
export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would shred ordinary words; they are not worth hiding anyway.
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out.replace(JWT_LIKE, REDACTED);
}

/** A short, single-line, redacted preview of a response body for error messages. */
export function previewBody(body: string, secrets: Iterable<string> = [], max = 60): string {
  // Redact before cutting: a cut through a secret would otherwise leave its prefix visible.
  const oneLine = redactText(body.replace(/\s+/g, ' ').trim(), secrets);
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** Returns the URL with the values of the named query parameters replaced by `[redacted]`. */
export function redactUrl(url: string, params: readonly string[]): string {
  if (params.length === 0) return url;
  return url.replace(/([?&])([^=&#]+)=([^&#]*)/g, (match, sep: string, name: string) =>
    params.includes(decodeURIComponent(name)) ? `${sep}${name}=${REDACTED}` : match,
  );
}
