export { runConformanceSuite } from './suite.js';
export type { ConformanceOptions } from './options.js';
export { conformanceChecks } from './checks/index.js';
export type { ConformanceCheck, ConformanceCheckId } from './checks/index.js';
export { SUITE_ENGINE } from './harness.js';
export { ConformanceError } from './failure.js';
export { expectNoSecrets, findSecrets, renderError, MIN_SECRET_LENGTH } from './secrets.js';
export type { ErrorRendering, SecretLeak } from './secrets.js';
export { pollUntil, rejectionOf, renderErrorText, useDateOnlyFakeClock, waitFor, waitForTurns } from './helpers.js';
export { collectErrors } from './collect.js';
export type { CollectedErrors } from './collect.js';
export { REDIRECT_PATH, carriesAny, startRecordingServer, startRedirectingFront } from './servers.js';
export type { RecordedRequest, RecordingServer, RedirectingFront } from './servers.js';
// What a provider's fake server is built from.
export { issueJwt, readBody, sendJson, signJwt, startServer, writeLoginFault } from '@tokenwarden/auth-core/testing';
export type { ConformanceServer, LoginFault, RunningServer } from '@tokenwarden/auth-core/testing';
