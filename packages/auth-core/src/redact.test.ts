import { previewBody, redactText, redactUrl } from './redact.js';
import { signJwt } from './testing/index.js';

describe('redaction', () => {
  it('hides secrets and anything shaped like a JWT', () => {
    const jwt = signJwt({ sub: 'x' });
    expect(redactText(`user pw=hunter2-long and ${jwt}`, ['hunter2-long'])).toBe('user pw=[redacted] and [redacted]');
  });

  it('redacts only the named query parameters', () => {
    expect(redactUrl('https://a.test/x?access_token=abc&page=2', ['access_token'])).toBe('https://a.test/x?access_token=[redacted]&page=2');
  });

  it('keeps body previews short and on one line', () => {
    expect(previewBody(`<html>\n<body>${'x'.repeat(200)}</body>`)).toMatch(/^<html> <body>x+…$/);
  });
});
