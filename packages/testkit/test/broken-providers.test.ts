import { conformanceChecks, ConformanceError, type ConformanceCheckId } from '../src/index.js';
import { brokenProvider, type Quirks } from './broken-provider.js';

const check = (id: ConformanceCheckId) => {
  const found = conformanceChecks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

const cases: readonly { readonly defect: string; readonly quirks: Quirks; readonly id: ConformanceCheckId; readonly failure: RegExp }[] = [
  {
    defect: 'builds a new manager for every call (a login per call)',
    quirks: { managerPerCall: true },
    id: 'cold-burst',
    failure: /login calls for 100 concurrent getToken\(\) on a cold cache: expected 1, got 100/,
  },
  {
    defect: "ignores the server's expiry and assumes one hour",
    quirks: { fixedLifetime: true },
    id: 'token-lifetime',
    failure: /a token the server issued for 600 s expires in 3600 s/,
  },
  {
    defect: 'keeps its first token and hands it out on every login',
    quirks: { ownCache: true },
    id: 'token-lifetime',
    failure: /login calls after forceRefresh\(\) #2: expected 2, got 1/,
  },
  {
    defect: 'never recognises a rejected token',
    quirks: { blindToRejection: true },
    id: 'recover-fetch',
    failure: /after revokeAll\(\) a request through createAuthFetch answered 401/,
  },
  {
    defect: 'reports rejected credentials as a transient failure (retried)',
    quirks: { rejectionAsOutage: true },
    id: 'wrong-credentials',
    failure: /expected a TokenWardenError with code CREDENTIALS_REJECTED, got LoginFailedError \[LOGIN_FAILED\]/,
  },
  {
    defect: 'declares no secrets and puts the password into its rejection error',
    quirks: { leaksPassword: true },
    id: 'wrong-credentials',
    failure: /getToken\(\) with wrong credentials: the CredentialsRejectedError leaks configured secret #0 \(13 characters\) in its message, stack, JSON.stringify, util.inspect/,
  },
  {
    defect: 'declares no secrets and puts the password into its rejection error',
    quirks: { leaksPassword: true },
    id: 'secret-redaction',
    failure: /the CredentialsRejectedError leaks configured secret #0/,
  },
  {
    defect: 'parses the login answer with JSON.parse and throws plain errors (the engine retries them)',
    quirks: { plainErrors: true },
    id: 'malformed-html',
    failure: /getToken\(\) when the login answers an HTML page with status 200: expected it to fail, it succeeded/,
  },
  {
    defect: 'throws a plain error for a JSON null',
    quirks: { plainErrors: true },
    id: 'malformed-null',
    failure: /expected it to fail, it succeeded/,
  },
  {
    defect: 'claims every origin',
    quirks: { everyOrigin: true },
    id: 'origin-other',
    failure: /the token reached another origin with GET \/absolute-fetch/,
  },
  {
    defect: 'claims every origin',
    quirks: { everyOrigin: true },
    id: 'origin-redirect',
    failure: /the token reached another origin with GET \/redirected-fetch/,
  },
];

describe('the conformance suite', () => {
  it.each(cases)('fails the "$id" check for a provider that $defect', async ({ quirks, id, failure }) => {
    const outcome = await check(id).run(brokenProvider(quirks)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(ConformanceError);
    expect((outcome as Error).message).toMatch(failure);
  });

  // The same checks pass for the same provider without its defect, so each failure above is the defect's.
  it.each([...new Set(cases.map((c) => c.id))])(
    'passes the "%s" check for the provider without defects',
    async (id) => {
      await expect(check(id).run(brokenProvider({}))).resolves.toBeUndefined();
    },
  );
});
