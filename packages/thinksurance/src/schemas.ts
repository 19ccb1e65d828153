import { schemaOf } from '@tokenwarden/auth-core';
import { z } from 'zod';
import type { components } from './generated/auth.js';

type Schemas = components['schemas'];

/** What `POST /api/token` sends; typed by the spec so a renamed field fails to compile. */
export type TokenRequest = Schemas['TokenRequest'];

/** The success response of `POST /api/token`. */
export const tokenResponse = schemaOf<Schemas['TokenResponse']>()(
  z.object({
    token: z.string().min(1),
    expired: z.string(),
  }),
);

/** The failed response of `POST /api/token` — sent with HTTP 200 — and the API's error bodies. */
export const errorResponse = schemaOf<Schemas['ErrorResponse']>()(
  z.object({
    error: z.string(),
  }),
);

/** The text of an `{ error }` body, or `undefined` when the body is not one. */
export function errorOf(body: unknown): string | undefined {
  const parsed = errorResponse.safeParse(body);
  return parsed.success ? parsed.data.error : undefined;
}
