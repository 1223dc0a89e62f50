import { randomInt } from 'node:crypto';

/** A 9-digit session code, uniformly random (10^9 values), never starting a run of zeros. */
export function newSessionCode(): string {
  return String(randomInt(0, 1_000_000_000)).padStart(9, '0');
}

/** `123456789` → `123 456 789`, as people read it out. */
export function formatSessionCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`;
}

/**
 * Wrong-code budget per key (an agent, a source address): `budget` wrong guesses per `windowMs`.
 * With 10^9 codes and 10 minutes of validity, 20 guesses an hour give an attacker about one
 * chance in 5 million per hour for each code that is live: hopeless, and the error says so.
 */
export class GuessLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly budget: number;
  private readonly windowMs: number;

  constructor(budget: number, windowMs: number) {
    this.budget = budget;
    this.windowMs = windowMs;
  }

  /** Milliseconds until this key may guess again, or 0 when it may guess now. */
  blockedFor(key: string, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < this.budget) return 0;
    return (recent[0] ?? now) + this.windowMs - now;
  }

  recordFailure(key: string, now: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.set(key, recent);
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }
}
