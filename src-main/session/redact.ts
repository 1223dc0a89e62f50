/**
 * What leaves this computer for the granted scopes (ARCHITECTURE.md, Consent): identifiers only
 * with `device.identifiers`, document names and owners only with `jobs.metadata`. Doing it here
 * means the data never leaves the machine; the relay applies the same shared rule again
 * (src-shared/privacy/redact-data.ts, free text by src-shared/privacy/free-text.ts).
 */
export { redactData, redactText } from '../../src-shared/privacy/redact-data.ts';
