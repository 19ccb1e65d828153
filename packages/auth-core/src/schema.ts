import type { z } from 'zod';

type Matches<S extends z.ZodType, T> = [z.output<S>] extends [T]
  ? [T] extends [z.output<S>]
    ? unknown
    : { readonly error: 'the generated type has fields or values the zod schema does not accept' }
  : { readonly error: 'the zod schema produces values the generated type does not allow' };

/**
 * Ties a zod schema to a type generated from the OpenAPI description: it compiles only while
 * the schema's output and `T` are assignable both ways, so spec, types and runtime checks
 * cannot drift apart.
 *
 * @example
 * export const loginResponse = schemaOf<components['schemas']['LoginResponse']>()(z.object({ token: z.string() }));
 */
export function schemaOf<T>() {
  return <S extends z.ZodType>(schema: S & Matches<S, T>): S => schema;
}
