import { schemaOf } from '@tokenwarden/auth-core';
import { z } from 'zod';
import type { components, operations } from './generated/auth.js';

type Schemas = components['schemas'];

/** The default login body; any other shape is an option (`loginBody`). */
export type LoginRequest = Schemas['LoginRequest'];

/** What `createPrivateToken` sends. */
export type CreatePrivateTokenRequest = Schemas['CreatePrivateTokenRequest'];

/** A token: non-empty and without white space, since it goes into a header as is. */
export const tokenValue = schemaOf<Schemas['LoginResponse']['token']>()(z.string().regex(/^\S+$/));

const dateTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date-time');

/** A private token as the list shows it (never with its value). */
export const privateToken = schemaOf<Schemas['PrivateToken']>()(
  z.object({
    id: z.union([z.string().min(1), z.number().int()]),
    name: z.string(),
    expires_at: dateTime,
    created_at: dateTime.optional(),
  }),
);

/** The answer to a create: the private token with its value, shown this once. */
export const createdPrivateToken = schemaOf<Schemas['CreatedPrivateToken']>()(privateToken.extend({ token: tokenValue }));

/** The answer to a list. */
export const privateTokenList = schemaOf<operations['listPrivateTokens']['responses'][200]['content']['application/json']>()(
  z.array(privateToken),
);

/** A refusal: `{ "code": "token_not_valid", "detail": "..." }` for a refused token. */
export const errorBody = schemaOf<Schemas['Error']>()(
  z.object({
    code: z.string().optional(),
    detail: z.string(),
  }),
);
