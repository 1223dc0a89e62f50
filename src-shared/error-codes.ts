/**
 * Every stable error code of Printo Help and Printo Relay, in one style (kebab-case, like the
 * protocol's own codes) and one typed union: `PrintoError` and `UsageError` take only these, so a
 * new code is a decision made here, and scripts, the UI and the docs can rely on the list.
 * (The wire protocol's codes — `error` frames and HTTP errors — are declared with their schemas
 * in src-shared/protocol and follow the same style.)
 */

/**
 * Why a session ended, as the relay says in `session.ended` (SessionEndedReasonSchema in
 * src-shared/protocol/v1.ts); a PrintoError carries them when a call fails because of the end.
 */
export const SESSION_ENDED_REASONS = [
  'ended-by-client',
  'ended-by-agent',
  'consent-denied',
  'consent-timed-out',
  'resume-window-expired',
  'relay-shutdown',
  'code-expired',
] as const;

/** The desktop client and `printo-help`: printing, IPP, diagnostics, secrets, policy, session. */
export const CLIENT_ERROR_CODES = [
  // The print service and its queues (PrinterSystem); `print-service-unreachable` is exit code 3.
  'print-service-unreachable',
  'print-service-timeout',
  'print-service-bad-response',
  'print-service-error',
  'printer-not-found',
  'job-not-found',
  'action-not-possible',
  'not-authorized',
  'cups-server-invalid',
  'test-page-missing',
  // Our IPP client.
  'ipp-unreachable',
  'ipp-timeout',
  'ipp-connection-lost',
  'ipp-http-status',
  'ipp-not-authorized',
  'ipp-bad-response',
  'ipp-response-too-large',
  'ipp-tls-untrusted',
  'ipp-bad-uri',
  'ipp-encode',
  'ipp-malformed',
  'ipp-status',
  // Diagnostics probes.
  'device-refused',
  'device-timeout',
  'device-unreachable',
  'device-bad-response',
  'spool-space-unknown',
  // The OS keyring.
  'keyring-no-dbus',
  'keyring-unavailable',
  'keyring-locked',
  'keyring-failed',
  'secret-corrupt',
  // Policy and settings.
  'policy-read-failed',
  'policy-malformed',
  'policy-untrusted',
  'setting-locked',
  'setting-unknown',
  'setting-admin-only',
  'setting-invalid',
  'settings-unavailable',
  // The support-session library: relay addresses, enrolment, the session's own errors, and the
  // reasons a session ends (a PrintoError carries them when a call fails because of the end).
  'relay-url-invalid',
  'relay-url-insecure',
  'enroll-key-rejected',
  'already-enrolled',
  'enroll-failed',
  'description-invalid',
  'chat-not-granted',
  'chat-invalid',
  'session-not-active',
  // The relay's reasons for a session's end (`session.ended`).
  ...SESSION_ENDED_REASONS,
  'auth-failed',
  'resume-rejected',
  'unsupported-version',
  'replaced',
  'help-refused',
  'closed-by-relay',
  'relay-unreachable',
  'credentials-invalid',
  'enroll-bad-response',
  'enroll-key-missing',
  'enroll-name-missing',
  'enroll-rate-limited',
  'session-not-found',
  'session-started',
  'chat-backlog',
  'export-write-failed',
  // The way to the relay through a proxy (src-main/session/proxy.ts).
  'proxy-invalid',
  'proxy-unreachable',
  'proxy-auth-required',
  'proxy-refused',
  // The relay's answers to the device's rights requests (src-main/session/relay-rights.ts): the
  // relay's own HTTP error codes where they are specific (its `session-on-hold` and `not-found`
  // are the declared `session-on-hold` and `session-not-found`).
  'device-auth-failed',
  'session-open',
  'message-not-found',
  'transcript-deleted',
  'relay-rate-limited',
  'relay-request-failed',
  'relay-bad-response',
  'relay-not-configured',
  'not-enrolled',
  // The local transcript store (src-main/transcripts).
  'transcripts-wrong-master-key',
  'transcripts-invalid-request',
  'transcripts-not-found',
  'transcripts-not-own-message',
  'transcripts-duplicate',
  'transcripts-decrypt-failed',
  'transcripts-too-new',
  'transcripts-closed',
  'transcripts-failed',
  // ClientServices (src-shared/api, src-main/services): the contract's own failures.
  'service-unknown-method',
  'service-invalid-arguments',
  'service-invalid-result',
  'service-internal-error',
  'service-disconnected',
  'support-disabled',
  'support-busy',
  'consent-not-pending',
  'action-not-pending',
  'diagnostics-cancelled',
  'diagnostics-run-exists',
  'scope-not-allowed',
] as const;

/** Printo Relay and `printo-relay`. */
export const RELAY_ERROR_CODES = [
  'insecure-bind',
  'bad-address',
  'tls-files',
  'listen-failed',
  'config-invalid',
  'data-dir-missing',
  'store-remote-unavailable',
  'store-remote-timeout',
  'session-on-hold',
  'device-not-found',
  'account-invalid',
  'email-taken',
  'no-such-agent',
  'no-such-org',
  'org-name-taken',
  'org-name-ambiguous',
  'agent-not-provider',
  'last-admin',
  'retention-invalid',
  'master-key-invalid',
  'master-key-permissions',
  'store-locked',
  'store-corrupt',
  'store-too-new',
  'store-migration-mismatch',
  'store-migration-failed',
  'store-wrong-master-key',
  'store-not-found',
  'store-conflict',
  'store-invalid-input',
  'store-invalid-data',
  'store-decrypt-failed',
  'store-disk-full',
  'store-io',
  'store-closed',
  'store-failed',
] as const;

/** Command-line mistakes (exit code 2), both tools. */
export const USAGE_ERROR_CODES = [
  'usage-error',
  'unknown-option',
  'unknown-command',
  'invalid-argument',
  'missing-argument',
  'missing-mandatory-option-value',
  'option-missing-argument',
  'excess-arguments',
  'conflicting-option',
  'job-id-missing',
  'job-id-invalid',
  'printer-name-empty',
  'share-scopes-invalid',
  'timeout-invalid',
] as const;

/**
 * Plain lists, not a zod schema: errors.ts imports this on every command's start-up path, and
 * `printo-help --version` must not load zod (bench/cli-startup.ts).
 */
export const ERROR_CODES = [
  ...CLIENT_ERROR_CODES,
  ...RELAY_ERROR_CODES,
  ...USAGE_ERROR_CODES,
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export type UsageErrorCode = (typeof USAGE_ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether a string from elsewhere (a reply over the admin socket) is one of our codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN.has(value);
}
