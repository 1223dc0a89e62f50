import type { Job } from '../../src-shared/model/job.ts';
import type { Printer } from '../../src-shared/model/printer.ts';
import type { PrinterChange } from '../../src-shared/model/printer-change.ts';

export interface CallOptions {
  /** Cancels the call; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export type WhichJobs = 'not-completed' | 'completed' | 'all';

export interface ListJobsOptions extends CallOptions {
  /** Default `not-completed`: pending, held, processing and stopped jobs. */
  readonly which?: WhichJobs;
}

export type PrinterChangeListener = (change: PrinterChange) => void;

export interface WatchOptions {
  /**
   * Told once, in plain words, why changes are polled rather than pushed by the print system
   * (CUPS refused the subscription). Default: a process warning.
   */
  readonly onFallback?: (reason: string) => void;
  /** Told of failures while watching (the print service went away…); watching goes on. */
  readonly onError?: (error: unknown) => void;
  /** How often to ask (Get-Notifications, or a full listing when polling). Default 1 s. */
  readonly intervalMs?: number;
}

export interface PrinterWatch {
  /** `notifications`: IPP event notifications (CUPS); `polling`: listings diffed. */
  readonly mode: 'notifications' | 'polling';
  /** Stops watching; on CUPS, cancels the subscription. No event is delivered after it resolves. */
  stop(): Promise<void>;
}

/**
 * The local print system, whatever the OS: CUPS on Linux and macOS, the Windows spooler.
 * Every method rejects with a `PrintoError` whose code is one of `PrinterSystemErrorCode`.
 */
export interface PrinterSystem {
  /** Which adapter this is. */
  readonly kind: 'cups' | 'windows';
  /** Where the adapter looks for the print service, for messages ("CUPS at /run/cups/cups.sock"). */
  readonly endpoint: string;

  listPrinters(options?: CallOptions): Promise<Printer[]>;
  /** Rejects with `printer-not-found` for an unknown queue. */
  getPrinter(name: string, options?: CallOptions): Promise<Printer>;
  /** Jobs of one queue, or of every queue when `printer` is undefined. */
  listJobs(printer: string | undefined, options?: ListJobsOptions): Promise<Job[]>;

  cancelJob(printer: string, jobId: number, options?: CallOptions): Promise<void>;
  holdJob(printer: string, jobId: number, options?: CallOptions): Promise<void>;
  releaseJob(printer: string, jobId: number, options?: CallOptions): Promise<void>;
  pausePrinter(printer: string, options?: CallOptions): Promise<void>;
  resumePrinter(printer: string, options?: CallOptions): Promise<void>;
  /** Prints the test page shipped in resources/ and returns the new job's id. */
  printTestPage(printer: string, options?: CallOptions): Promise<{ jobId: number }>;

  /**
   * Calls `listener` with every change of a printer or job, within about 2 s of it. Resolves once
   * watching has started (on CUPS: the subscription exists, or polling has its first listing).
   */
  watch(listener: PrinterChangeListener, options?: WatchOptions): Promise<PrinterWatch>;
}

/** Stable error codes of PrinterSystem adapters. */
export const PrinterSystemErrorCode = {
  /** The scheduler/spooler cannot be reached at all (CLI exit code 3). */
  Unreachable: 'print-service-unreachable',
  PrinterNotFound: 'printer-not-found',
  JobNotFound: 'job-not-found',
  /** The job or queue is not in a state that allows the action (e.g. release a job that is not held). */
  NotPossible: 'action-not-possible',
  NotAuthorized: 'not-authorized',
  Timeout: 'print-service-timeout',
  /** The print system answered with something we cannot understand. */
  BadResponse: 'print-service-bad-response',
  Failed: 'print-service-error',
} as const;
export type PrinterSystemErrorCode =
  (typeof PrinterSystemErrorCode)[keyof typeof PrinterSystemErrorCode];
