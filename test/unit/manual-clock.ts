/**
 * The one clock of the tests: time only moves when the test says so, and timers fire in order as
 * it passes them. Immediates are not a matter of time: they run after the current turn, as on
 * the system clock.
 */
import type { Clock, TimerHandle } from '../../src-shared/clock.ts';

interface Timer {
  readonly id: number;
  at: number;
  readonly callback: () => void;
  /** For an interval, its period. */
  readonly every: number | undefined;
}

/** 2026-11-25 09:00 UTC, a Wednesday. */
export const MANUAL_CLOCK_START = Date.parse('2026-11-25T09:00:00.000Z');

export class ManualClock implements Clock {
  #time: number;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();

  constructor(start = MANUAL_CLOCK_START) {
    this.#time = start;
  }

  now(): number {
    return this.#time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.#add(callback, ms, undefined);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    // A zero period would fire forever within one advance.
    return this.#add(callback, ms, Math.max(1, ms));
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
  }

  setImmediate(callback: () => void): void {
    setImmediate(callback);
  }

  /** Delays of the timers still pending, from now, shortest first. */
  get pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#time).sort((a, b) => a - b);
  }

  /**
   * Moves time on by `ms`, firing each timer that falls due on the way at its time, in order
   * (timers due at the same time in the order they were set). Returns how many fired.
   */
  advance(ms: number): number {
    const target = this.#time + ms;
    let fired = 0;
    while (this.#fireNext(target)) fired += 1;
    this.#time = Math.max(this.#time, target);
    return fired;
  }

  /** `advance` up to the time `at` (ms since the epoch), which must not be in the past. */
  advanceTo(at: number): number {
    if (at < this.#time) throw new Error(`The manual clock does not go back (to ${at}).`);
    return this.advance(at - this.#time);
  }

  /**
   * Like `advance`, letting the work each timer starts settle (promise chains, I/O callbacks
   * already due) before the next one and at the end: for timers whose callbacks are async.
   */
  async advanceSettled(ms: number): Promise<number> {
    const target = this.#time + ms;
    let fired = 0;
    for (;;) {
      await settle();
      if (!this.#fireNext(target)) break;
      fired += 1;
    }
    this.#time = Math.max(this.#time, target);
    await settle();
    return fired;
  }

  /**
   * Moves time on by `ms` with every timer late: none fires now, those past due fire on the
   * next `advance`. What a busy event loop does; for testing checks of `now()` against a
   * deadline whose timer has not run yet.
   */
  jump(ms: number): void {
    this.#time += ms;
  }

  #add(callback: () => void, ms: number, every: number | undefined): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#time + Math.max(0, ms), callback, every });
    return id as unknown as TimerHandle;
  }

  /** Fires the earliest timer due by `target` (the first set among equals), if any. */
  #fireNext(target: number): boolean {
    let due: Timer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.at <= target && (due === undefined || timer.at < due.at)) due = timer;
    }
    if (due === undefined) return false;
    // A timer made late by `jump` fires now, without time going back.
    this.#time = Math.max(this.#time, due.at);
    if (due.every === undefined) this.#timers.delete(due.id);
    else due.at = this.#time + due.every;
    due.callback();
    return true;
  }
}

/** Lets pending promise chains run to completion (macrotask turns, no wall-clock wait). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
