import type { OptionIssue } from '@tokenwarden/auth-core';
import { XMLParser } from 'fast-xml-parser';

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const refused = (): never => {
  throw new Error('entity declarations are refused');
};

/**
 * Decodes exactly what XML predefines — the five named entities and character references — in
 * one pass (so `&amp;lt;` stays `&lt;`). It registers no entity, ever: a declared one would be
 * refused even if a declaration got past `parseXml`'s check. An undeclared name is an error.
 */
const decoder = {
  setExternalEntities: refused,
  addInputEntities: refused,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: (text: string): string =>
    text.replace(/&(#x[\da-f]+|#\d+|[\w.-]+);/gi, (_, ref: string) => {
      const code = ref[0] !== '#' ? -1 : ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (code < 0) return PREDEFINED[ref] ?? refused();
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new Error('invalid character reference');
      return String.fromCodePoint(code);
    }),
};

const parser = new XMLParser({
  // Values stay text: the zod schemas decide what is a number.
  parseTagValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  entityDecoder: decoder,
  maxNestedTags: 32,
  // Django REST framework writes lists as repeated <list-item> elements.
  isArray: (name) => name === 'list-item',
});

// Any markup declaration (<!DOCTYPE, <!ENTITY, <!ELEMENT…, in any case or spacing): comments and
// CDATA sections are the only "<!" a document without a DTD can contain.
const DECLARATION = /<!(?!--|\[CDATA\[)/;
const NAME = /^(?!xml)[A-Za-z_][\w.-]*$/i;
// Characters XML 1.0 cannot carry at all, escaped or not.
const UNREPRESENTABLE = /[\0-\x08\v\f\x0e-\x1f\ufffe\uffff]/;
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** `<list-item>` lists become arrays; objects are rebuilt as own data properties only. */
function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === 'list-item') return unwrap(entries[0]![1]);
  return Object.fromEntries(entries.map(([key, child]) => [key, unwrap(child)]));
}

/**
 * Parses an XML document and returns the content of its root element. Refuses, with the
 * problem as the error message, a document over `maxBytes`, any DTD or entity declaration
 * (so nothing is expanded and nothing is fetched), and anything malformed.
 */
export function parseXml(text: string, maxBytes: number): unknown {
  if (Buffer.byteLength(text) > maxBytes) throw new Error(`the XML is larger than ${maxBytes} bytes`);
  if (DECLARATION.test(text)) throw new Error('the XML contains a DOCTYPE or entity declaration, which is refused');
  let document: Record<string, unknown>;
  try {
    document = parser.parse(text, true) as Record<string, unknown>;
  } catch {
    // The parser's message quotes parts of the document; the caller shows a redacted preview instead.
    throw new Error('the XML is malformed');
  }
  const roots = Object.values(document);
  if (roots.length !== 1) throw new Error('the XML has no single root element');
  return unwrap(roots[0]);
}

/** Escapes text for XML content and attribute values. */
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * Writes `value` as the element `name`: objects as child elements, arrays as `<list-item>`
 * children (the Django REST framework convention), everything else as escaped text. Problems
 * (a key that is no element name, a character XML cannot carry) go to `issues` under `path`.
 */
export function toXml(name: string, value: unknown, path: string, issues: OptionIssue[], depth = 0): string {
  const issue = (message: string) => (issues.push({ path, message }), '');
  if (!NAME.test(name)) return issue('is not a valid XML element name');
  if (depth > 32) return issue('is nested more than 32 levels deep');
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  let inner = '';
  if (Array.isArray(value)) {
    inner = value.map((item, i) => toXml('list-item', item, at(i), issues, depth + 1)).join('');
  } else if (value instanceof Date) {
    inner = value.toISOString();
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (child !== undefined) inner += toXml(key, child, at(key), issues, depth + 1);
    }
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    const text = String(value);
    if (UNREPRESENTABLE.test(text)) return issue('contains a control character XML cannot carry');
    inner = escapeXml(text);
  } else if (value !== null && value !== undefined) {
    return issue(`cannot be written as XML (a ${typeof value})`);
  }
  return `<${name}>${inner}</${name}>`;
}

/** A complete document: the declaration and `<root>` with `value`'s fields, as the API expects. */
export const xmlDocument = (value: Readonly<Record<string, unknown>>, path: string, issues: OptionIssue[]): string =>
  `<?xml version="1.0" encoding="utf-8"?>${toXml('root', value, path, issues)}`;
