import { schemaOf } from '@tokenwarden/auth-core';
import { z } from 'zod';
import type { components } from './generated/auth.js';

type Schemas = components['schemas'];

/** What `POST token/` sends, as JSON, form data or XML. */
export type LoginRequest = Schemas['LoginRequest'];

/** The body of a successful `POST token/` (JSON, or the `<root>` element of XML). */
export const loginResponse = schemaOf<Schemas['LoginResponse']>()(z.object({ token: z.string().min(1) }));

/** A refused login, in the Django REST framework's words. */
export const loginRefusal = schemaOf<Schemas['LoginRefusal']>()(z.object({ non_field_errors: z.array(z.string()) }));

/** The body of a refused request. */
export const errorBody = schemaOf<Schemas['Error']>()(z.object({ detail: z.string() }));

const id = z.number().int().positive();

/**
 * The `meta` object every authenticated call carries: `gemeinde` (municipality), `vermieter`
 * (landlord) and `objekt` (property) are positive integer IDs, `description` an optional
 * reference. Unknown fields are refused, so a misspelt one is reported rather than dropped.
 */
export const metaSchema = schemaOf<Schemas['Meta']>()(
  z.strictObject({ gemeinde: id, vermieter: id, objekt: id, description: z.string().optional() }),
);

/** A `meta` object; see `metaSchema`. */
export type Meta = Schemas['Meta'];

const withId = z.looseObject({ id: z.number().int() });

/** The answer of `GET get-config/`: the IDs a `meta` object needs, and everything else the server sends. */
export const configSchema = schemaOf<Schemas['Config']>()(
  z.looseObject({
    user: z.record(z.string(), z.unknown()).optional(),
    gemeinden: z.array(withId),
    beherberger: z.array(z.looseObject({ id: z.number().int(), objekte: z.array(withId).optional() })),
  }),
);

/** What `getConfig()` resolves to; see `configSchema`. Unknown fields are kept. */
export type MeldescheinConfig = Schemas['Config'];
