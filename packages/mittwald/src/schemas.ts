import { schemaOf } from '@tokenwarden/auth-core';
import { z } from 'zod';
import type { components } from './generated/auth.js';

type Schemas = components['schemas'];

/** What `POST /v1/authenticate` sends; typed by the spec so a renamed field fails to compile. */
export type AuthenticateRequest = Schemas['AuthenticateRequest'];
/** What `POST /v1/authentication/tokens` sends. */
export type AccessTokenCreateRequest = Schemas['AccessTokenCreateRequest'];

/** The raw body of a successful `POST /v1/authenticate`: three base64url segments (decoded separately). */
export const jwt = schemaOf<Schemas['Jwt']>()(z.string().regex(/^[\w-]+={0,2}\.[\w-]+={0,2}\.[\w-]*={0,2}$/));

const crdate = z.iso.datetime({ offset: true });

/** The body of a successful `POST /v1/authentication/tokens`. */
export const accessToken = schemaOf<Schemas['AccessToken']>()(
  z.object({ uuid: z.string().min(1), token: z.string().min(1), crdate, description: z.string() }),
);

/** The body of `GET /v1/authentication/tokens` (assumed: an array; a secret `token` in it is dropped). */
export const accessTokenList = schemaOf<Schemas['AccessTokenList']>()(
  z.array(z.object({ uuid: z.string().min(1), crdate, description: z.string() })),
);

/** An error body (assumed shape: only `message` is read). */
export const errorBody = schemaOf<Schemas['Error']>()(z.object({ message: z.string().optional() }));
