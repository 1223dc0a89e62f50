import type { PollClock } from '../../../src-main/printers/change-poller.ts';

/** A clock that only moves when told: timers fire in order as `advance` passes them. */
export class ManualClock implements PollClock {
  #time: number;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.parse('2026-03-01T09:00:00Z')) {
    this.#time = start;
  }

  now(): Date {
    return new Date(this.#time);
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time on by `ms`, firing due timers and letting the work they start settle. */
  async advance(ms: number): Promise<void> {
    const end = this.#time + ms;
    for (;;) {
      await settle();
      const due = [...this.#timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#time = due[1].at;
      due[1].callback();
    }
    this.#time = end;
    await settle();
  }
}

/** Lets pending promise chains run to completion (macrotask turns, no wall-clock wait). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
