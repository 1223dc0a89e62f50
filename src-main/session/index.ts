/**
 * The desktop client's support-session library (issue 4, "The client's session library"): enrol
 * once, then one SupportSession per help request. No UI and no storage here; the app's UI and
 * keyring sit on top.
 */
export { enroll } from './enroll.ts';
export type { EnrollOptions, EnrollRequest } from './enroll.ts';
export { SupportSession } from './session.ts';
export type { SessionCallbacks, SupportSessionOptions } from './session.ts';
export type { Clock } from '../../src-shared/clock.ts';
export { systemClock } from '../../src-shared/clock.ts';
export type { BackoffOptions } from './backoff.ts';
export { DEFAULT_BACKOFF } from './backoff.ts';
export { relayEndpoints } from './relay-url.ts';
export { redactData } from './redact.ts';
export { READ_SCOPE, ACTION_SCOPE } from './grant.ts';
export type * from './types.ts';
export type { Listener } from './listeners.ts';
