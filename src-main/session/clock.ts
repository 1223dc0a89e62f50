/**
 * Time and timers in one object, so that tests drive back-off, consent deadlines and liveness
 * with a manual clock instead of sleeping (ARCHITECTURE.md: time is injected). Both halves must
 * agree, which is why they are not separate options.
 */
export interface SessionClock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: SessionClock = {
  now: () => Date.now(),
  // Not unref'd: a session that is reconnecting is still alive, and a command-line client must
  // not exit under it.
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
