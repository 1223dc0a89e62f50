/**
 * Live changes by polling: list the printers and waiting jobs every interval and report what
 * differs from the previous listing. The Windows adapter always watches this way; the CUPS adapter
 * only when the scheduler refuses event subscriptions.
 */
import type { Job } from '../../src-shared/model/job.ts';
import type { Printer } from '../../src-shared/model/printer.ts';
import type { PrinterChange } from '../../src-shared/model/printer-change.ts';
import type { PrinterChangeListener, PrinterWatch } from './printer-system.ts';
import { systemClock } from '../../src-shared/clock.ts';
import type { Clock, TimerHandle } from '../../src-shared/clock.ts';

export interface PollSnapshot {
  readonly printers: readonly Printer[];
  /** The jobs not completed yet, of every queue. */
  readonly jobs: readonly Job[];
}

export const DEFAULT_WATCH_INTERVAL_MS = 1000;

/** What a UI shows of a printer; the job count is left out, job events already say it. */
function printerFingerprint(printer: Printer): string {
  return JSON.stringify({ ...printer, jobCount: 0 });
}

function jobFingerprint(job: Job): string {
  return JSON.stringify([job.state, job.reasons]);
}

const jobKey = (job: Job): string => `${job.printer}\u0000${job.id}`;

/** The changes from one listing to the next, printers first, each in listing order. */
export function diffSnapshots(
  before: PollSnapshot,
  after: PollSnapshot,
  at: Date,
): PrinterChange[] {
  const time = at.toISOString();
  const changes: PrinterChange[] = [];
  const oldPrinters = new Map(before.printers.map((p) => [p.name, p]));
  const newNames = new Set(after.printers.map((p) => p.name));
  for (const printer of after.printers) {
    const old = oldPrinters.get(printer.name);
    if (old === undefined) changes.push({ kind: 'printer-added', printer: printer.name, at: time });
    else if (printerFingerprint(old) !== printerFingerprint(printer))
      changes.push({ kind: 'printer-changed', printer: printer.name, at: time });
  }
  for (const printer of before.printers) {
    if (!newNames.has(printer.name))
      changes.push({ kind: 'printer-deleted', printer: printer.name, at: time });
  }
  const oldJobs = new Map(before.jobs.map((j) => [jobKey(j), j]));
  const newKeys = new Set(after.jobs.map(jobKey));
  for (const job of after.jobs) {
    const old = oldJobs.get(jobKey(job));
    const change = { printer: job.printer, jobId: job.id, at: time };
    if (old === undefined) changes.push({ kind: 'job-created', ...change });
    else if (jobFingerprint(old) !== jobFingerprint(job))
      changes.push({ kind: 'job-changed', ...change });
  }
  for (const job of before.jobs) {
    if (!newKeys.has(jobKey(job)))
      changes.push({ kind: 'job-completed', printer: job.printer, jobId: job.id, at: time });
  }
  return changes;
}

export interface PollingOptions {
  readonly intervalMs?: number;
  readonly clock?: Clock;
  readonly onError?: (error: unknown) => void;
}

/**
 * Takes a first listing (rejects if it fails), then one every `intervalMs` after the previous
 * one finished, and calls `listener` with the differences. A failed listing is reported to
 * `onError` and compared against the last good one on the next success.
 */
export async function startPolling(
  snapshot: (signal: AbortSignal) => Promise<PollSnapshot>,
  listener: PrinterChangeListener,
  options: PollingOptions = {},
): Promise<PrinterWatch> {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  const controller = new AbortController();
  let last = await snapshot(controller.signal);
  let stopped = false;
  let timer: TimerHandle | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    try {
      const next = await snapshot(controller.signal);
      if (stopped) return;
      const changes = diffSnapshots(last, next, new Date(clock.now()));
      last = next;
      for (const change of changes) listener(change);
    } catch (error) {
      if (!stopped) options.onError?.(error);
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      inFlight = tick().then(schedule);
    }, intervalMs);
  };
  schedule();

  return {
    mode: 'polling',
    async stop() {
      stopped = true;
      clock.clearTimeout(timer);
      controller.abort(new Error('Watching stopped.'));
      await inFlight;
    },
  };
}
