import type { Presenter } from '@tokenwarden/auth-core';
import { errorOf } from './schemas.js';

/** How the token goes on requests and how the API says it no longer accepts it. */
export interface PresenterOptions {
  readonly header: string;
  /** Put before the token with a space; an empty scheme sends the bare token. */
  readonly scheme: string;
  /** An `{ error }` body whose text matches this refuses the token, whatever the status. */
  readonly tokenErrorPattern: RegExp;
}

/**
 * The docs ask for a new token on the first response "indicating an invalid request": a 401 or
 * 403, or an `{ error }` body that says the token is invalid or expired — also inside an HTTP 200,
 * the way the login itself reports failures.
 */
export function thinksurancePresenter(options: PresenterOptions): Presenter {
  const { header, scheme } = options;
  // Without the g and y flags: those make test() stateful (lastIndex) across responses.
  const pattern = new RegExp(options.tokenErrorPattern.source, options.tokenErrorPattern.flags.replace(/[gy]/g, ''));
  return {
    place: (token) => ({ headers: { [header]: scheme ? `${scheme} ${token.value}` : token.value } }),
    isRejected(res) {
      if (res.status === 401 || res.status === 403) return true;
      const error = errorOf(res.body);
      return error !== undefined && pattern.test(error);
    },
    describeRejection: (res) => ({ detail: errorOf(res.body) }),
    inspectsSuccessBodies: true,
  };
}
