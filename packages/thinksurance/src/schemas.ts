import { schemaOf } from '@tokenwarden/auth-core';
import { z } from 'zod';
import type { components } from './generated/auth.js';

type Schemas = components['schemas'];

/** What `POST /login` sends; typed by the spec so a renamed field fails to compile. */
export type LoginRequest = Schemas['LoginRequest'];

/** The body of a successful `POST /login`. */
export const loginResponse = schemaOf<Schemas['LoginResponse']>()(
  z.object({
    token: z.string(),
  }),
);

/** The body of a refused request. */
export const errorBody = schemaOf<Schemas['Error']>()(
  z.object({
    error: z.string(),
  }),
);
