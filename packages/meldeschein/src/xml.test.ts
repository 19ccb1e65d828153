import { jest } from '@jest/globals';
import type { OptionIssue } from '@tokenwarden/auth-core';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { parseXml, toXml, xmlDocument } from './xml.js';

const CAP = 64 * 1024;

/** The classic "billion laughs": ten levels of ten references, 10^9 "lol"s once expanded. */
const BILLION_LAUGHS = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [',
  ' <!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
  '<root><token>&lol9;</token></root>',
].join('\n');

describe('parseXml', () => {
  it('returns the content of the root element of the documented login answer, without the comment in the token', () => {
    const xml = '<?xml version="1.0" encoding="utf-8"?>\n<root>\n  <token>eyJ0eXAi.eyJ1c2VyIjoxfQ.c2ln<!--abgeschnitten--></token>\n</root>';
    expect(parseXml(xml, CAP)).toEqual({ token: 'eyJ0eXAi.eyJ1c2VyIjoxfQ.c2ln' });
  });

  it('turns Django REST framework <list-item> lists into arrays, also a list of one', () => {
    const xml = '<root><non_field_errors><list-item>Unable to log in.</list-item></non_field_errors><ids><list-item>1</list-item><list-item>2</list-item></ids></root>';
    expect(parseXml(xml, CAP)).toEqual({ non_field_errors: ['Unable to log in.'], ids: ['1', '2'] });
  });

  it('decodes the predefined entities and character references, and keeps digits as text', () => {
    expect(parseXml('<root><a>&lt;b&gt; &amp; &quot;c&apos; &#65;&#x42;</a><n>007</n></root>', CAP)).toEqual({ a: '<b> & "c\' AB', n: '007' });
  });

  it('refuses an internal entity bomb (billion laughs) before the parser sees it, so nothing is expanded', () => {
    const parse = jest.spyOn(XMLParser.prototype, 'parse');
    try {
      expect(() => parseXml(BILLION_LAUGHS, CAP)).toThrow('the XML contains a DOCTYPE or entity declaration, which is refused');
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it.each([
    ['an external entity', '<!DOCTYPE root [<!ENTITY ext SYSTEM "file:///etc/passwd">]><root><token>&ext;</token></root>'],
    ['an external DTD', '<!DOCTYPE root SYSTEM "http://127.0.0.1:9/root.dtd"><root><token>x</token></root>'],
    ['a lower-case doctype', '<!doctype root><root><token>x</token></root>'],
    ['an entity declaration without a DOCTYPE', '<root><!ENTITY a "b"><token>x</token></root>'],
    ['an element declaration', '<!ELEMENT root ANY><root><token>x</token></root>'],
  ])('refuses %s', (_, xml) => {
    expect(() => parseXml(xml, CAP)).toThrow('DOCTYPE or entity declaration');
  });

  it('accepts comments and CDATA sections, the only other markup starting with "<!"', () => {
    expect(parseXml('<!-- hello --><root><token><![CDATA[a<b]]></token></root>', CAP)).toEqual({ token: 'a<b' });
  });

  it.each([
    ['an unclosed element', '<root><token>x</root>'],
    ['text that is not XML', 'Service Unavailable'],
    ['JSON', '{"token":"x"}'],
    ['an empty body', ''],
    ['an undeclared entity', '<root><token>&nope;</token></root>'],
    ['a character reference to U+0000', '<root><token>&#0;</token></root>'],
  ])('refuses malformed XML: %s', (_, xml) => {
    expect(() => parseXml(xml, CAP)).toThrow(/malformed|no single root/);
  });

  it('refuses a document over the size cap without parsing it', () => {
    const parse = jest.spyOn(XMLParser.prototype, 'parse');
    try {
      expect(() => parseXml(`<root><token>${'a'.repeat(CAP)}</token></root>`, CAP)).toThrow(`the XML is larger than ${CAP} bytes`);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('refuses elements nested deeper than 32 levels', () => {
    const deep = `${'<a>'.repeat(40)}x${'</a>'.repeat(40)}`;
    expect(() => parseXml(deep, CAP)).toThrow('malformed');
  });

  it('refuses a __proto__ element and pollutes no prototype', () => {
    expect(() => parseXml('<root><__proto__><polluted>yes</polluted></__proto__></root>', CAP)).toThrow('malformed');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('decodes "&amp;lt;" once, to the text "&lt;"', () => {
    expect(parseXml('<root><a>&amp;lt;&amp;#65;</a></root>', CAP)).toEqual({ a: '&lt;&#65;' });
  });
});

describe('toXml', () => {
  it('escapes every character that could end an element or start markup', () => {
    const issues: OptionIssue[] = [];
    expect(toXml('v', `</v><injected a="1">&amp;'`, 'v', issues)).toBe('<v>&lt;/v&gt;&lt;injected a=&quot;1&quot;&gt;&amp;amp;&apos;</v>');
    expect(issues).toEqual([]);
  });

  it('writes objects as elements, arrays as <list-item>s, skips undefined and leaves null empty', () => {
    const issues: OptionIssue[] = [];
    expect(xmlDocument({ a: { b: 1, c: [true, 'x'] }, d: undefined, e: null }, '', issues)).toBe(
      '<?xml version="1.0" encoding="utf-8"?><root><a><b>1</b><c><list-item>true</list-item><list-item>x</list-item></c></a><e></e></root>',
    );
    expect(issues).toEqual([]);
  });

  it('reports every key that is no element name and every unrepresentable value by path, not by value', () => {
    const issues: OptionIssue[] = [];
    toXml('root', { 'a b': 1, ok: { '1x': 2, bell: 'ding\u0007', fn: () => 1 } }, 'body', issues);
    expect(issues).toEqual([
      { path: 'body.a b', message: 'is not a valid XML element name' },
      { path: 'body.ok.1x', message: 'is not a valid XML element name' },
      { path: 'body.ok.bell', message: 'contains a control character XML cannot carry' },
      { path: 'body.ok.fn', message: 'cannot be written as XML (a function)' },
    ]);
  });

  it('round-trips any text through toXml and parseXml (surrounding white space trimmed)', () => {
    const representable = fc.string({ unit: 'grapheme' }).filter((s) => !/[\0-\x08\v\f\x0e-\x1f\ufffe\uffff]/.test(s));
    fc.assert(
      fc.property(representable, (text) => {
        const issues: OptionIssue[] = [];
        const parsed = parseXml(xmlDocument({ v: text }, '', issues), CAP) as { v: string };
        expect(issues).toEqual([]);
        expect(parsed.v).toBe(text.trim());
      }),
      { numRuns: 300 },
    );
  });
});
