import { createAuthFetch, InvalidOptionsError } from '@tokenwarden/auth-core';
import { rejectionOf } from '@tokenwarden/testkit';
import { useFakeServer } from '../test/helpers.js';
import { InvalidRequestError, bodyWithMeta, mergeMeta } from './meta.js';
import type { Meta } from './schemas.js';
import { parseXml } from './xml.js';

const META = { gemeinde: 17, vermieter: 42, objekt: 7 } as const;

/** The issues of the InvalidRequestError `call` throws. */
function issuesOf(call: () => unknown): readonly { path: string; message: string }[] {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidRequestError).code).toBe('INVALID_OPTIONS');
    return (error as InvalidRequestError).issues;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('mergeMeta', () => {
  it('merges the call’s fields over the defaults field by field', () => {
    expect(mergeMeta({ gemeinde: 1, vermieter: 2, description: 'default' }, { objekt: 3, gemeinde: 9 })).toEqual({
      gemeinde: 9,
      vermieter: 2,
      objekt: 3,
      description: 'default',
    });
  });

  it('treats a field set to undefined in the call as not given, so the default stays', () => {
    expect(mergeMeta(META, { gemeinde: undefined })).toEqual(META);
  });

  it('names each field of a meta object with strings instead of integers', () => {
    const issues = issuesOf(() => mergeMeta(undefined, { gemeinde: '17', vermieter: '42', objekt: 7 } as unknown as Meta));
    expect(issues.map((i) => i.path)).toEqual(['meta.gemeinde', 'meta.vermieter']);
    expect(issues[0]!.message).toMatch(/expected number, received string/);
  });

  it.each([
    ['zero', 0],
    ['a negative number', -3],
    ['a fraction', 1.5],
    ['NaN', Number.NaN],
  ])('refuses %s as an ID', (_, objekt) => {
    expect(issuesOf(() => mergeMeta(META, { objekt })).map((i) => i.path)).toEqual(['meta.objekt']);
  });

  it('names every missing required field, and a description that is not a string', () => {
    const issues = issuesOf(() => mergeMeta({ vermieter: 42 }, { description: 5 } as unknown as Meta));
    expect(issues.map((i) => i.path).sort()).toEqual(['meta.description', 'meta.gemeinde', 'meta.objekt']);
  });

  it('refuses a misspelt field instead of dropping it', () => {
    const issues = issuesOf(() => mergeMeta(META, { gemiende: 17 } as unknown as Meta));
    expect(issues).toEqual([{ path: 'meta', message: expect.stringContaining('gemiende') }]);
  });
});

describe('bodyWithMeta', () => {
  it('adds the meta object to a JSON body, next to the data', () => {
    const request = bodyWithMeta({ meldescheine: [{ ms_type: 'ems' }] }, { meta: META });
    expect(request.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(request.body)).toEqual({ meta: META, meldescheine: [{ ms_type: 'ems' }] });
  });

  it('adds the meta object to an XML body under <root>, escaping every value', () => {
    const request = bodyWithMeta({ note: 'Müller & Söhne <GmbH>' }, { meta: { ...META, description: '</description><gemeinde>1</gemeinde>' }, format: 'xml' });
    expect(request.headers).toEqual({ 'Content-Type': 'application/xml' });
    expect(request.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?><root><meta><gemeinde>17</gemeinde><vermieter>42</vermieter><objekt>7</objekt>' +
        '<description>&lt;/description&gt;&lt;gemeinde&gt;1&lt;/gemeinde&gt;</description></meta>' +
        '<note>Müller &amp; Söhne &lt;GmbH&gt;</note></root>',
    );
    expect(parseXml(request.body, 65_536)).toEqual({
      meta: { gemeinde: '17', vermieter: '42', objekt: '7', description: '</description><gemeinde>1</gemeinde>' },
      note: 'Müller & Söhne <GmbH>',
    });
  });

  it.each([
    ['an empty object', {}],
    ['an object of undefined fields', { a: undefined }],
  ])('never sends the meta object alone: refuses %s as data', (_, data) => {
    expect(issuesOf(() => bodyWithMeta(data, { meta: META }))).toEqual([{ path: 'body', message: expect.stringContaining('cannot be sent alone') }]);
  });

  it('refuses data that carries its own meta field', () => {
    expect(issuesOf(() => bodyWithMeta({ meta: META, x: 1 }, { meta: META })).map((i) => i.path)).toEqual(['body.meta']);
  });

  it('reports the invalid meta fields and the invalid data at once', () => {
    const issues = issuesOf(() => bodyWithMeta({}, { meta: { ...META, gemeinde: 'x' } as unknown as Meta }));
    expect(issues.map((i) => i.path)).toEqual(['meta.gemeinde', 'body']);
  });

  it('reports data keys that cannot be XML element names', () => {
    expect(issuesOf(() => bodyWithMeta({ 'two words': 1, ok: 2 }, { meta: META, format: 'xml' })).map((i) => i.path)).toEqual(['body.two words']);
  });

  it('reports data that cannot be written as JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(issuesOf(() => bodyWithMeta(cyclic, { meta: META })).map((i) => i.path)).toEqual(['body']);
  });
});

describe('meta over HTTP (fake server booking endpoint)', () => {
  const fx = useFakeServer();

  it('books with the client’s default meta and the call’s override through fetch (JSON) and axios (XML)', async () => {
    const provider = fx.provider({ meta: { gemeinde: 17, vermieter: 42, objekt: 1, description: 'default' } });
    const url = provider.url('import/meldeschein/buchen/');
    const fetch = createAuthFetch(provider);

    const viaFetch = await fetch(url, { method: 'POST', ...provider.withMeta({ meldescheine: [{ ms_type: 'ems' }] }, { meta: { objekt: 7 } }) });
    expect(viaFetch.status).toBe(201);
    expect(await viaFetch.json()).toEqual({ ok: true, meta: { gemeinde: 17, vermieter: 42, objekt: 7, description: 'default' }, fields: ['meldescheine'] });

    const xml = provider.withMeta({ meldescheine: [{ ms_type: 'ems' }] }, { meta: { description: 'Buchung <4711>' }, format: 'xml' });
    const viaAxios = await fx.axios(provider).post(url, xml.body, { headers: xml.headers });
    expect(viaAxios.status).toBe(201);
    expect(viaAxios.data).toEqual({ ok: true, meta: { gemeinde: '17', vermieter: '42', objekt: '1', description: 'Buchung <4711>' }, fields: ['meldescheine'] });
    expect(fx.server.counters).toEqual({ logins: 1, apiCalls: 2, rejected: 0 });
  });

  it('sends nothing, not even a login, when the meta has strings instead of integers', async () => {
    const provider = fx.provider();
    const error = await rejectionOf(
      (async () => createAuthFetch(provider)(provider.url('import/meldeschein/buchen/'), {
        method: 'POST',
        ...provider.withMeta({ x: 1 }, { meta: { gemeinde: '17', vermieter: '42', objekt: '7' } as unknown as Meta }),
      }))(),
    );
    expect((error as InvalidRequestError).issues.map((i) => i.path)).toEqual(['meta.gemeinde', 'meta.vermieter', 'meta.objekt']);
    expect(fx.server.counters).toEqual({ logins: 0, apiCalls: 0, rejected: 0 });
  });

  it('reports an invalid default meta when the client is created', () => {
    let error: unknown;
    try {
      fx.provider({ meta: { gemeinde: 0, objekt: '7' } as unknown as Meta });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues.map((i) => i.path)).toEqual(['meta.gemeinde', 'meta.objekt']);
  });

  it('gets 400 with the errors per field from the server when strings are sent past the helper, and when meta comes alone', async () => {
    const provider = fx.provider();
    const fetch = createAuthFetch(provider);
    const url = provider.url('import/meldeschein/buchen/');
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

    const strings = await post({ meta: { gemeinde: '17', vermieter: 42, objekt: 7 }, x: 1 });
    expect(strings.status).toBe(400);
    expect(await strings.json()).toEqual({ meta: { gemeinde: ['A valid positive integer is required.'] } });

    const alone = await post({ meta: META });
    expect(alone.status).toBe(400);
    expect(await alone.json()).toEqual({ non_field_errors: ['The meta object cannot be sent alone.'] });

    const missing = await post({ x: 1 });
    expect(await missing.json()).toEqual({ meta: ['This field is required.'] });
    expect(fx.server.counters).toEqual({ logins: 1, apiCalls: 3, rejected: 0 });
  });
});
