/**
 * Reconnect delays: exponential with jitter (remote-support.md: 1 s → ×1.5 → cap 30 s). The
 * jitter only shortens a delay, so the cap holds and many clients dropped by one relay restart
 * do not come back in step.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** Fraction of the delay that is random: 0.4 gives a delay between 60 % and 100 % of nominal. */
  readonly jitter: number;
  /** After `rate limited` (4005, HTTP 429/503) wait at least this long, whatever the attempt. */
  readonly rateLimitedMinMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 1_000,
  factor: 1.5,
  maxMs: 30_000,
  jitter: 0.4,
  rateLimitedMinMs: 10_000,
};

export class Backoff {
  private attempt = 0;
  private readonly options: BackoffOptions;
  private readonly random: () => number;

  constructor(options: BackoffOptions, random: () => number) {
    this.options = options;
    this.random = random;
  }

  /** The delay before the next attempt; each call counts as one attempt. */
  next(rateLimited = false): number {
    const { initialMs, factor, maxMs, jitter, rateLimitedMinMs } = this.options;
    const nominal = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt += 1;
    const jittered = nominal * (1 - jitter * this.random());
    // Rate limited: back off harder, but never beyond the cap, which keeps a retry inside the
    // 60 s resume window.
    const delay = rateLimited
      ? Math.min(maxMs, Math.max(jittered * 4, rateLimitedMinMs))
      : jittered;
    return Math.round(delay);
  }

  /** A connection got as far as `welcome`: the next drop starts again from the initial delay. */
  reset(): void {
    this.attempt = 0;
  }
}
