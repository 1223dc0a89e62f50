/**
 * Time and timers in one injected object (ARCHITECTURE.md: time is injected, so retention and
 * time-outs are testable without sleeping). The relay, its store and the desktop client's
 * libraries take a `Clock`; tests give them the manual clock of test/unit/manual-clock.ts.
 * Reading the time and arming timers are one object because both halves must agree: a deadline
 * computed from `now()` has to fall due on the same clock.
 *
 * Environment-neutral: the system clock reaches the host's timers through `globalThis`, so this
 * file needs neither Node's nor the DOM's types.
 */

declare const timerBrand: unique symbol;

/** A pending timer or interval. Opaque: only the clock that made it can clear it. */
export interface TimerHandle {
  readonly [timerBrand]: 'TimerHandle';
}

export interface TimerOptions {
  /**
   * The timer does not keep the process alive by itself (Node's `unref`): for housekeeping
   * (purges, sweeps, heartbeats) that must not hold a process open that has nothing else to
   * do. Ignored where the host has no such notion. By default a timer does hold the process:
   * a session that is reconnecting is still alive, and a command-line client must not exit
   * under it.
   */
  readonly unref?: boolean;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once, `ms` from now. */
  setTimeout(callback: () => void, ms: number, options?: TimerOptions): TimerHandle;
  /** Calls `callback` every `ms` until cleared. */
  setInterval(callback: () => void, ms: number, options?: TimerOptions): TimerHandle;
  /** Cancels a timeout or an interval; nothing happens for `undefined` or one already done. */
  clearTimeout(handle: TimerHandle | undefined): void;
  /**
   * Calls `callback` after the current turn of the event loop: after the I/O callbacks already
   * due, before any timer. Not a matter of time, so a manual clock runs these by itself too.
   */
  setImmediate(callback: () => void): void;
}

/** The host's timer functions, as every JavaScript host that runs this code has them. */
interface HostTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Node's; a browser has none, and a zero timeout is the nearest thing there. */
  setImmediate?: (callback: () => void) => unknown;
}

const host = globalThis as unknown as HostTimers;

function unrefIf(handle: unknown, options: TimerOptions | undefined): TimerHandle {
  if (options?.unref === true) (handle as { unref?: () => void }).unref?.();
  return handle as TimerHandle;
}

/** The real time and the host's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms, options) => unrefIf(host.setTimeout(callback, ms), options),
  setInterval: (callback, ms, options) => unrefIf(host.setInterval(callback, ms), options),
  clearTimeout: (handle) => {
    // Node and browsers clear either kind with either function.
    if (handle !== undefined) host.clearTimeout(handle);
  },
  setImmediate: (callback) => {
    if (host.setImmediate !== undefined) host.setImmediate(callback);
    else host.setTimeout(callback, 0);
  },
};
