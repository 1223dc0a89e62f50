import type { Printer } from '../../src-shared/model/printer.ts';

/** A ready, idle queue with nothing to report; tests override what they are about. */
export function makePrinter(over: Partial<Printer> & { name: string }): Printer {
  return {
    description: null,
    location: null,
    makeAndModel: null,
    driver: null,
    connection: { uri: null, port: null },
    isDefault: false,
    isShared: false,
    state: 'idle',
    reasons: [],
    stateMessage: null,
    supplies: [],
    acceptingJobs: true,
    jobCount: 0,
    ...over,
  };
}
