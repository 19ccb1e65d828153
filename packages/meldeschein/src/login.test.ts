import { CredentialsRejectedError, InvalidTokenResponseError, createAuthFetch } from '@tokenwarden/auth-core';
import type { LoginFault } from '@tokenwarden/auth-core/testing';
import { rejectionOf, renderErrorText, startRecordingServer, type RecordingServer } from '@tokenwarden/testkit';
import { useFakeServer } from '../test/helpers.js';

const xmlAnswer = (body: string): LoginFault => ({ kind: 'status', status: 200, headers: { 'content-type': 'application/xml' }, body });

describe('bad login answers', () => {
  const fx = useFakeServer();

  /** One getToken() against `fault`: the error, after checking it was one login, nothing cached and no secret shown. */
  async function loginFailsWith(fault: LoginFault, options: Parameters<typeof fx.provider>[0] = {}): Promise<InvalidTokenResponseError> {
    fx.server.failNextLogins(fault);
    const provider = fx.provider(options);
    const error = await rejectionOf(provider.manager.getToken());
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(fx.server.counters.logins).toBe(1);
    expect(provider.manager.peek()).toBeUndefined();
    expect(renderErrorText(error)).not.toContain(fx.server.credentials.password);
    return error as InvalidTokenResponseError;
  }

  it('refuses an XML answer with an internal entity bomb without expanding it', async () => {
    const bomb = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE root [<!ENTITY a "aaaaaaaaaa">',
      ...Array.from({ length: 8 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`),
      ']>',
      '<root><token>&i;</token></root>',
    ].join('');
    const error = await loginFailsWith(xmlAnswer(bomb));
    expect(error.message).toContain('the XML contains a DOCTYPE or entity declaration, which is refused');
    expect(error.message).not.toContain('aaaaaaaaaaaaaaaaaaaa');
  });

  describe('external entities', () => {
    let outside: RecordingServer;
    beforeEach(async () => {
      outside = await startRecordingServer();
    });
    afterEach(async () => {
      await outside.close();
    });

    it.each([
      ['an external general entity', (u: string) => `<!DOCTYPE root [<!ENTITY ext SYSTEM "${u}/entity">]><root><token>&ext;</token></root>`],
      ['an external parameter entity', (u: string) => `<!DOCTYPE root [<!ENTITY % ext SYSTEM "${u}/parameter"> %ext;]><root><token>x</token></root>`],
      ['an external DTD', (u: string) => `<!DOCTYPE root SYSTEM "${u}/root.dtd"><root><token>x</token></root>`],
    ])('refuses an XML answer with %s and fetches nothing', async (_, document) => {
      const error = await loginFailsWith(xmlAnswer(`<?xml version="1.0"?>${document(outside.url)}`));
      expect(error.message).toContain('DOCTYPE or entity declaration');
      // Give a fetch that might have been started the time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(outside.requests).toHaveLength(0);
    });
  });

  it.each([
    ['malformed XML', '<root><token>eyJ.eyJ.sig</root>', 'the XML is malformed'],
    ['XML without a token', '<root><detail>Try again later.</detail></root>', 'the answer has no "token"'],
    ['XML with an empty token', '<root><token></token></root>', 'the answer has no "token"'],
    ['XML whose root holds only text', '<root>eyJ.eyJ.sig</root>', 'the answer has no "token"'],
  ])('refuses %s', async (_, body, problem) => {
    expect((await loginFailsWith(xmlAnswer(body))).message).toContain(problem);
  });

  it('refuses an XML answer larger than maxXmlBytes', async () => {
    const error = await loginFailsWith(xmlAnswer(`<root><token>${'a'.repeat(2048)}</token></root>`), { maxXmlBytes: 1024 });
    expect(error.message).toContain('the XML is larger than 1024 bytes');
  });

  it('refuses a JSON answer without a token', async () => {
    expect((await loginFailsWith({ kind: 'status', status: 200, body: '{"detail":"ok"}' })).message).toContain('the answer has no "token"');
  });

  it('refuses an HTML page with status 200, showing a redacted start of it', async () => {
    const error = await loginFailsWith({ kind: 'html' });
    expect(error.message).toContain('the body is neither JSON nor XML (text/html)');
    expect(error.preview).toContain('Maintenance');
  });

  it('refuses a 400 that is not a refusal of the credentials as an invalid answer, without retrying', async () => {
    const error = await loginFailsWith({ kind: 'status', status: 400, body: '{"detail":"JSON parse error"}' });
    expect(error.status).toBe(400);
  });
});

describe('wrong credentials', () => {
  const fx = useFakeServer();

  it('fail with CredentialsRejectedError carrying the server’s words after one login, and no retry storm', async () => {
    const provider = fx.provider({ password: 'wrong-password' });
    const error = await rejectionOf(provider.manager.getToken());
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect(error).toMatchObject({ status: 400, reason: 'Unable to log in with provided credentials.' });

    const fetch = createAuthFetch(provider);
    const url = fx.server.url + fx.server.paths.config;
    const during = await Promise.allSettled([
      ...Array.from({ length: 20 }, () => provider.manager.getToken()),
      ...Array.from({ length: 5 }, () => fetch(url)),
      ...Array.from({ length: 5 }, () => fx.axios(provider).get(url)),
      provider.getConfig(),
    ]);
    expect(during.every((o) => o.status === 'rejected' && o.reason instanceof CredentialsRejectedError)).toBe(true);
    expect(fx.server.counters).toEqual({ logins: 1, apiCalls: 0, rejected: 0 });
    expect(renderErrorText(error)).not.toContain('wrong-password');
  });

  it('are recognised in an XML refusal too', async () => {
    const error = await rejectionOf(fx.provider({ password: 'wrong-password', loginFormat: 'xml' }).manager.getToken());
    expect(fx.server.logins[0]!.headers['accept']).toBe('application/xml');
    expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 400, reason: 'Unable to log in with provided credentials.' });
  });

  it('are recognised when the server refuses them with 401', async () => {
    fx.server.settings.refuseWith = 401;
    const error = await rejectionOf(fx.provider({ password: 'wrong-password', loginFormat: 'form' }).manager.getToken());
    expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 401, reason: 'Invalid username or password.' });
  });

  it('never show the password, even when the refusal echoes it', async () => {
    const { password } = fx.server.credentials;
    fx.server.failNextLogins({ kind: 'status', status: 400, body: JSON.stringify({ non_field_errors: [`No account with password ${password}.`] }) });
    const error = await rejectionOf(fx.provider().manager.getToken());
    expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', reason: 'No account with password [redacted].' });
    expect(renderErrorText(error)).not.toContain(password);
  });
});
