import { request, type IncomingHttpHeaders } from 'node:http';
import { readBody, sendJson, startServer, type RunningServer } from '@tokenwarden/auth-core/testing';

/** A request a recording server received, as it arrived on the wire. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, exactly as sent. */
  readonly url: string;
  /** Header lines as received (`name: value`), names in their original case. */
  readonly headers: readonly string[];
  readonly body: string;
}

/** A loopback server that records what it receives. */
export interface RecordingServer extends RunningServer {
  /** Requests received so far, oldest first (at most the last 1 000). */
  readonly requests: readonly RecordedRequest[];
}

const MAX_RECORDED = 1000;

function recorder(): { readonly requests: RecordedRequest[]; record(req: RecordedRequest): void } {
  const requests: RecordedRequest[] = [];
  return {
    requests,
    record(entry) {
      requests.push(entry);
      if (requests.length > MAX_RECORDED) requests.shift();
    },
  };
}

function headerLines(raw: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  return lines;
}

/**
 * Starts a server on 127.0.0.1 (another origin than any fake provider server) that answers every
 * request with `200 {"ok":true}` and records it — the place a token must never reach.
 */
export async function startRecordingServer(): Promise<RecordingServer> {
  const log = recorder();
  const running = await startServer(async (req, res) => {
    const body = await readBody(req);
    log.record({ method: req.method ?? 'GET', url: req.url ?? '/', headers: headerLines(req.rawHeaders), body });
    sendJson(res, 200, { ok: true });
  });
  return { ...running, requests: log.requests };
}

/** The path on a redirecting front that answers `302 Location: <to>`. */
export const REDIRECT_PATH = '/__tokenwarden/redirect';

/** A front for a fake server: a second origin a provider can be configured with, which can also redirect. */
export interface RedirectingFront extends RunningServer {
  /** Requests to `REDIRECT_PATH`, as they arrived (the first hop of each redirect). */
  readonly redirects: readonly RecordedRequest[];
  /** `url + REDIRECT_PATH` answering 302 to `to`. */
  redirectTo(to: string): string;
}

// Hop-by-hop headers describe one connection and must not be forwarded (RFC 9110, 7.6.1).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/**
 * Starts a server on 127.0.0.1 that forwards every request to `target` unchanged (method, path,
 * headers, body; the answer likewise), except `REDIRECT_PATH?to=<url>`, which it records and
 * answers with `302 Location: <url>`. A provider configured with the front's URL therefore works
 * as against `target`, and the suite can make the provider's own origin redirect anywhere.
 */
export async function startRedirectingFront(target: RunningServer): Promise<RedirectingFront> {
  const log = recorder();
  const upstreamHost = new URL(target.url).host;
  const running = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://front.invalid');
    if (url.pathname === REDIRECT_PATH) {
      const body = await readBody(req);
      log.record({ method: req.method ?? 'GET', url: req.url ?? '/', headers: headerLines(req.rawHeaders), body });
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/', 'content-length': '0' });
      res.end();
      return;
    }
    // agent: false — one connection per forwarded request, so nothing outlives the front's close().
    const upstream = request(new URL(req.url ?? '/', target.url), {
      method: req.method,
      headers: { ...endToEnd(req.headers), host: upstreamHost },
      agent: false,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('front: upstream failed');
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  return {
    ...running,
    redirects: log.requests,
    redirectTo: (to) => `${running.url}${REDIRECT_PATH}?to=${encodeURIComponent(to)}`,
  };
}

/** Whether any of `values` appears in the request line (also percent-encoded), a header or the body. */
export function carriesAny(req: RecordedRequest, values: Iterable<string>): boolean {
  const text = [req.url, ...req.headers, req.body].join('\n');
  for (const value of values) {
    if (value.length > 0 && (text.includes(value) || text.includes(encodeURIComponent(value)))) return true;
  }
  return false;
}
