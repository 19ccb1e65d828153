import { InvalidOptionsError, type OptionIssue } from '@tokenwarden/auth-core';
import { metaSchema, type Meta } from './schemas.js';
import { xmlDocument } from './xml.js';

/**
 * The `meta` object, or the data sent with it, is invalid; nothing was sent. `issues` names
 * every invalid field (`meta.gemeinde`, `body.meta`, `body`), never its value. An
 * `InvalidOptionsError`, so its `code` is `INVALID_OPTIONS`.
 */
export class InvalidRequestError extends InvalidOptionsError {
  constructor(issues: readonly OptionIssue[]) {
    super({ provider: 'meldeschein', issues });
  }
}

/** Body formats the API reads. */
export type BodyFormat = 'json' | 'xml';

/** A request body with its `meta` object, ready for fetch (`{ method: 'POST', ...request }`) or axios. */
export interface MetaRequest {
  readonly body: string;
  readonly headers: { readonly 'Content-Type': 'application/json' | 'application/xml' };
}

/** What `bodyWithMeta` adds to the data. */
export interface MetaOptions {
  /** This call's meta fields; each one given overrides the same field of `defaults`. */
  readonly meta?: Partial<Meta>;
  /** The client's default meta context. */
  readonly defaults?: Partial<Meta>;
  /** `json` (default): `{ "meta": {…}, …data }`; `xml`: `<root><meta>…</meta>…data…</root>`. */
  readonly format?: BodyFormat;
}

// A field set to `undefined` in a call means "not given", so it never hides a default.
const given = (meta: object | undefined): object =>
  Object.fromEntries(Object.entries(meta ?? {}).filter(([, value]) => value !== undefined));

function validate(defaults: Partial<Meta> | undefined, overrides: Partial<Meta> | undefined, issues: OptionIssue[]): Meta | undefined {
  const result = metaSchema.safeParse({ ...given(defaults), ...given(overrides) });
  if (result.success) return result.data;
  for (const issue of result.error.issues) issues.push({ path: ['meta', ...issue.path.map(String)].join('.'), message: issue.message });
  return undefined;
}

/**
 * `overrides` merged over `defaults` field by field, validated. Throws `InvalidRequestError`
 * naming every invalid or missing field (`meta.gemeinde`, …).
 */
export function mergeMeta(defaults?: Partial<Meta>, overrides?: Partial<Meta>): Meta {
  const issues: OptionIssue[] = [];
  const meta = validate(defaults, overrides, issues);
  if (!meta) throw new InvalidRequestError(issues);
  return meta;
}

/**
 * The call's `data` with its `meta` object added, as JSON (`{ "meta": {…}, …data }`) or as an
 * XML document (`<root><meta>…</meta>…data…</root>`, values escaped). The meta object is
 * never sent alone: `data` must have at least one field, and none called `meta`. Throws
 * `InvalidRequestError` listing every problem — of the meta and of the data — before anything is sent.
 */
export function bodyWithMeta(data: Readonly<Record<string, unknown>>, options: MetaOptions = {}): MetaRequest {
  const issues: OptionIssue[] = [];
  const meta = validate(options.defaults, options.meta, issues);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    issues.push({ path: 'body', message: 'must be an object of the call’s fields' });
  } else if (Object.values(data).every((value) => value === undefined)) {
    issues.push({ path: 'body', message: 'is empty: the meta object cannot be sent alone, it always belongs to a call’s data' });
  } else if ('meta' in data) {
    issues.push({ path: 'body.meta', message: 'pass the meta object as `meta`, not inside the data' });
  }
  const xml = options.format === 'xml';
  let body = '';
  if (meta && !issues.length) {
    try {
      body = xml ? xmlDocument({ meta, ...data }, 'body', issues) : JSON.stringify({ meta, ...data });
    } catch {
      issues.push({ path: 'body', message: 'cannot be written as JSON (a cycle or a BigInt)' });
    }
  }
  if (issues.length) throw new InvalidRequestError(issues);
  return { body, headers: { 'Content-Type': xml ? 'application/xml' : 'application/json' } };
}
