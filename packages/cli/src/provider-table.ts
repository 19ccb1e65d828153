import { genericJwt, type GenericJwtOptions, type NewPrivateToken } from '@tokenwarden/generic-jwt';
import { meldeschein, type MeldescheinOptions } from '@tokenwarden/meldeschein';
import { mittwald, type MittwaldOptions } from '@tokenwarden/mittwald';
import { thinksurance, type ThinksuranceOptions } from '@tokenwarden/thinksurance';
import { UsageError } from './errors.js';
import type { CliProvider, CliValues } from './providers.js';

// Each `create` hands the collected strings to the provider's factory as they are: its zod
// schema, not the compiler, checks them, and reports every missing or invalid one at once.

const mittwaldCli: CliProvider = {
  name: 'mittwald',
  summary: 'mittwald API v1: customer-center login (username and password) or an access token (uuid and token)',
  options: [
    { key: 'baseUrl', env: 'MITTWALD_BASE_URL', description: 'API base URL (default https://api.mittwald.de)' },
    { key: 'username', env: 'MITTWALD_USERNAME', description: 'customer-center login, with --password' },
    { key: 'password', env: 'MITTWALD_PASSWORD', secret: true, description: 'customer-center password' },
    { key: 'uuid', env: 'MITTWALD_ACCESS_TOKEN_UUID', description: 'access token uuid, with --token (instead of username and password)' },
    { key: 'token', env: 'MITTWALD_ACCESS_TOKEN', secret: true, description: 'access token secret' },
  ],
  create: (values, engine) => mittwald(values as unknown as MittwaldOptions, engine),
  createToken: {
    summary: 'mittwald: a permanent access token (uuid and token) to log in with instead of username and password',
    options: [{ key: 'description', description: 'what the access token is for, shown in the customer center (required)' }],
    hint: 'Store uuid and token (MITTWALD_ACCESS_TOKEN_UUID, MITTWALD_ACCESS_TOKEN) and log in with them from now on; the token is not shown again.',
    async run(provider, values) {
      const { uuid, token, createdAt, description } = await (provider as ReturnType<typeof mittwald>).createAccessToken({ description: values['description'] ?? '' });
      return { uuid, token, createdAt: createdAt.toISOString(), description };
    },
  },
};

const thinksuranceCli: CliProvider = {
  name: 'thinksurance',
  summary: 'Thinksurance API V1: the hash and secret Thinksurance support hands out',
  options: [
    { key: 'baseUrl', env: 'THINKSURANCE_BASE_URL', description: 'API base URL, e.g. https://app.dev.thinksurance.de (required)' },
    { key: 'hash', env: 'THINKSURANCE_HASH', secret: true, description: 'API user hash' },
    { key: 'secret', env: 'THINKSURANCE_SECRET', secret: true, description: 'API user secret' },
    { key: 'timeZone', env: 'THINKSURANCE_TIME_ZONE', description: 'IANA zone of the "expired" field (default Europe/Berlin)' },
  ],
  create: (values, engine) => thinksurance(values as unknown as ThinksuranceOptions, engine),
};

const meldescheinCli: CliProvider = {
  name: 'meldeschein',
  summary: 'Meldeschein API: username or email and password; the token goes in "Authorization: JWT <token>"',
  options: [
    { key: 'baseUrl', env: 'MELDESCHEIN_BASE_URL', description: '"production", "test" or the server URL (required)' },
    { key: 'username', env: 'MELDESCHEIN_USERNAME', description: 'username or email address' },
    { key: 'password', env: 'MELDESCHEIN_PASSWORD', secret: true, description: 'password' },
    { key: 'userAgent', env: 'MELDESCHEIN_USER_AGENT', description: 'User-Agent that identifies your system (default tokenwarden-cli)' },
    { key: 'loginFormat', env: 'MELDESCHEIN_LOGIN_FORMAT', description: 'login body: json (default), form or xml' },
  ],
  // The API asks every client to name itself; for a token fetched by hand the CLI is the client.
  create: (values, engine) => meldeschein({ userAgent: 'tokenwarden-cli', ...values } as unknown as MeldescheinOptions, engine),
};

/** `--login-body` is a JSON template object; anything else is a usage error (its text may hold a password, so it is not repeated). */
function loginBody(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new UsageError('--login-body (GENERIC_JWT_LOGIN_BODY) must be a JSON object, e.g. {"username":"{{email}}","password":"{{password}}"}');
  }
  return body as Record<string, unknown>;
}

function genericJwtOptions(values: CliValues): GenericJwtOptions {
  const { loginEndpoint, createEndpoint, loginBody: body, ...rest } = values;
  const endpoints = { ...(loginEndpoint && { login: loginEndpoint }), ...(createEndpoint && { createPrivateToken: createEndpoint }) };
  return { ...rest, endpoints, loginBody: loginBody(body) } as unknown as GenericJwtOptions;
}

const genericJwtCli: CliProvider = {
  name: 'generic-jwt',
  summary: 'any API that logs in with credentials and answers a JWT (endpoints, body and token path configurable)',
  options: [
    { key: 'baseUrl', env: 'GENERIC_JWT_BASE_URL', description: 'API base URL (required)' },
    { key: 'email', env: 'GENERIC_JWT_EMAIL', description: 'account login, sent as "email" unless --login-body says otherwise' },
    { key: 'password', env: 'GENERIC_JWT_PASSWORD', secret: true, description: 'account password' },
    { key: 'loginEndpoint', path: 'endpoints.login', env: 'GENERIC_JWT_LOGIN_ENDPOINT', description: 'login as "[METHOD ]path" (default "POST /auth/login")' },
    { key: 'loginBody', env: 'GENERIC_JWT_LOGIN_BODY', description: 'JSON template of the login body with {{email}} and {{password}} (default {"email":…,"password":…})' },
    { key: 'tokenPath', env: 'GENERIC_JWT_TOKEN_PATH', description: 'dot path of the token in the login answer (default "token")' },
    { key: 'scheme', env: 'GENERIC_JWT_SCHEME', description: 'Authorization scheme (default "Bearer")' },
    {
      key: 'createEndpoint',
      path: 'endpoints.createPrivateToken',
      env: 'GENERIC_JWT_CREATE_ENDPOINT',
      description: 'create-token: where private tokens are created (default "POST /auth/private-tokens")',
    },
  ],
  create: (values, engine) => genericJwt(genericJwtOptions(values), engine),
  createToken: {
    summary: 'generic-jwt: a long-living private token with a name and an expiry, created with a short-living login',
    options: [
      { key: 'name', description: 'name of the private token (required)' },
      { key: 'expiresAt', description: 'when it expires, ISO 8601, e.g. 2027-06-30T00:00:00Z (required, in the future)' },
    ],
    hint: 'Send the token as "Authorization: Bearer <token>" until it expires; the API shows it only this once.',
    async run(provider, values) {
      // Missing values go through as such: the provider names each one ("is required").
      const init = { name: values['name'], expiresAt: values['expiresAt'] } as NewPrivateToken;
      const created = await (provider as ReturnType<typeof genericJwt>).createPrivateToken(init);
      return {
        id: created.id,
        name: created.name,
        token: created.token,
        expiresAt: created.expiresAt.toISOString(),
        ...(created.createdAt && { createdAt: created.createdAt.toISOString() }),
      };
    },
  },
};

/** The providers `tokenwarden token` and `create-token` know, in the order `--help` lists them. */
export const builtInProviders: readonly CliProvider[] = [mittwaldCli, thinksuranceCli, meldescheinCli, genericJwtCli];
