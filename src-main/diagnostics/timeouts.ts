/**
 * Default time-outs of a diagnostics run, apart from the runner so that printo-help's help text
 * can say them without loading the checks.
 */
export const DEFAULT_NETWORK_TIMEOUT_MS = 3_000;
