import { PrintoError } from '../../../src-shared/errors.ts';
import { ACTIVE_JOB_STATES, type Job } from '../../../src-shared/model/job.ts';
import type { Printer } from '../../../src-shared/model/printer.ts';
import { normaliseReasons } from '../../../src-shared/printing/state-reasons.ts';
import {
  PrinterAttributeBit,
  hasBit,
  jobStatusReasons,
  jobStatusToState,
  windowsAcceptingJobs,
  windowsPrinterReasons,
  windowsPrinterState,
  type SpoolerStatus,
  type WindowsDriver,
  type WindowsPrinterCondition,
} from '../../../src-shared/printing/windows.ts';
import {
  PrinterSystemErrorCode,
  type CallOptions,
  type ListJobsOptions,
  type PrinterChangeListener,
  type PrinterSystem,
  type PrinterWatch,
  type WatchOptions,
} from '../printer-system.ts';
import type { Clock } from '../../../src-shared/clock.ts';
import { startPolling } from '../change-poller.ts';
import type { PowerShellRunner } from './powershell-runner.ts';
import { runScript, type ScriptContext } from './script-result.ts';
import type {
  DriverRecord,
  JobRecord,
  PortRecord,
  PrinterRecord,
  ScriptArgs,
  ScriptOutput,
  WindowsScript,
} from './schemas.ts';

export interface WindowsPrinterSystemOptions {
  readonly runner: PowerShellRunner;
  /** Time for `watch`'s polling; tests inject theirs. */
  readonly clock?: Clock;
}

function blankToNull(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value;
}

/** `[2001:db8::1]` for an IPv6 literal, as a URI host needs it. */
function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Where a queue sends its jobs, as a URI, when Windows says enough to write one: the WSD device
 * endpoint, `socket://host:port` for a Standard TCP/IP RAW port, `lpd://host/queue` for LPR, or
 * the URL an Internet Printing port is named by. Null for USB, LPT, FILE:, PORTPROMPT: and
 * connections to a print server (their port lives on the server).
 */
export function connectionUri(port: PortRecord | null, portName: string | null): string | null {
  const deviceUrl = blankToNull(port?.DeviceURL ?? null);
  if (deviceUrl !== null) return deviceUrl;
  const host = blankToNull(port?.PrinterHostAddress ?? null);
  if (port !== null && host !== null) {
    if (port.Protocol === 2) {
      return `lpd://${uriHost(host)}/${encodeURIComponent(port.LprQueueName ?? '')}`;
    }
    return `socket://${uriHost(host)}:${port.PortNumber ?? 9100}`;
  }
  if (portName !== null && /^https?:\/\//i.test(portName)) return portName;
  return null;
}

function conditionOf(record: PrinterRecord): WindowsPrinterCondition {
  return {
    printerStatus: record.PrinterStatus,
    win32PrinterStatus: record.Win32?.PrinterStatus ?? null,
    extendedPrinterStatus: record.Win32?.ExtendedPrinterStatus ?? null,
    detectedErrorState: record.Win32?.DetectedErrorState ?? null,
    attributes: record.Win32?.Attributes ?? null,
    workOffline: record.Win32?.WorkOffline ?? null,
  };
}

/** One list-printers record → the normalised model. */
export function toPrinter(record: PrinterRecord): Printer {
  const condition = conditionOf(record);
  const state = windowsPrinterState(condition);
  const attributes = record.Win32?.Attributes ?? null;
  return {
    name: record.Name,
    description: blankToNull(record.Comment),
    location: blankToNull(record.Location),
    // These cmdlets expose no device make and model (only the driver, which for universal and
    // class drivers names no model); the driver name stays in `driver`.
    makeAndModel: null,
    driver: blankToNull(record.DriverName),
    connection: {
      uri: connectionUri(record.Port, blankToNull(record.PortName)),
      port: blankToNull(record.PortName),
    },
    isDefault:
      record.Win32?.Default ??
      (attributes !== null && hasBit(attributes, PrinterAttributeBit.Default)),
    isShared: record.Shared ?? false,
    state,
    reasons: normaliseReasons(windowsPrinterReasons(condition), state),
    // Windows has no printer-state-message; the reasons carry what it knows.
    stateMessage: null,
    // Get-Printer and Win32_Printer expose no supply levels: those live in vendor
    // language monitors or SNMP, which these cmdlets do not read.
    supplies: [],
    acceptingJobs: windowsAcceptingJobs(condition),
    jobCount: Math.max(0, record.JobCount ?? 0),
  };
}

function nonNegative(value: number | null): number | null {
  return value !== null && value >= 0 ? value : null;
}

/** One list-jobs record → the normalised model. */
export function toJob(record: JobRecord): Job {
  return {
    id: record.Id,
    printer: record.PrinterName,
    name: blankToNull(record.DocumentName),
    owner: blankToNull(record.UserName),
    sizeBytes: record.Size,
    // TotalPages stays 0 until the job has finished spooling: 0 means "not known yet".
    pages: record.TotalPages !== null && record.TotalPages > 0 ? record.TotalPages : null,
    pagesCompleted: nonNegative(record.PagesPrinted),
    state: jobStatusToState(record.JobStatus),
    reasons: jobStatusReasons(record.JobStatus),
    createdAt: record.SubmittedTime,
    // Get-PrintJob has no start or end time.
    processingAt: null,
    completedAt: null,
  };
}

export function toDriver(record: DriverRecord): WindowsDriver {
  return {
    name: record.Name,
    manufacturer: blankToNull(record.Manufacturer),
    majorVersion: record.MajorVersion,
    version: record.DriverVersion,
    date: record.Date,
    isPackageAware: record.IsPackageAware,
    environment: blankToNull(record.PrinterEnvironment),
    infPath: blankToNull(record.InfPath),
    provider: blankToNull(record.Provider),
  };
}

function requirePrinterName(printer: string): void {
  if (printer.length === 0) {
    throw new PrintoError(PrinterSystemErrorCode.PrinterNotFound, 'No printer name was given.');
  }
}

function requireJobId(printer: string, jobId: number): void {
  if (!Number.isSafeInteger(jobId) || jobId < 1 || jobId > 0xffffffff) {
    throw new PrintoError(
      PrinterSystemErrorCode.JobNotFound,
      `Job ${jobId} is not in the queue of "${printer}": Windows job ids are positive integers.`,
    );
  }
}

/**
 * The Windows spooler through PowerShell (Get-Printer, Win32_Printer, Get-PrintJob…), one script
 * per call from resources/windows. Every failure is a PrintoError with a PrinterSystemErrorCode;
 * an aborted call rejects with the signal's reason.
 */
export class WindowsPrinterSystem implements PrinterSystem {
  readonly kind = 'windows' as const;
  readonly endpoint = 'Windows Print Spooler on this computer';
  readonly #runner: PowerShellRunner;
  readonly #clock: Clock | undefined;

  constructor(options: WindowsPrinterSystemOptions) {
    this.#runner = options.runner;
    this.#clock = options.clock;
  }

  /** The spooler has no event channel we can use from PowerShell: listings are diffed. */
  watch(listener: PrinterChangeListener, options: WatchOptions = {}): Promise<PrinterWatch> {
    return startPolling(
      async (signal) => {
        const [printers, jobs] = await Promise.all([
          this.listPrinters({ signal }),
          this.listJobs(undefined, { signal }),
        ]);
        return { printers, jobs };
      },
      listener,
      {
        ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
        ...(options.onError === undefined ? {} : { onError: options.onError }),
        ...(this.#clock === undefined ? {} : { clock: this.#clock }),
      },
    );
  }

  /** The PowerShell runner, shared with the diagnostics sources that read more than the port does. */
  get runner(): PowerShellRunner {
    return this.#runner;
  }

  #call<S extends WindowsScript>(
    script: S,
    args: ScriptArgs<S>,
    context: ScriptContext,
    options: CallOptions,
  ): Promise<ScriptOutput<S>> {
    return runScript(this.#runner, script, args, context, options);
  }

  async listPrinters(options: CallOptions = {}): Promise<Printer[]> {
    const records = await this.#call('list-printers', {}, {}, options);
    return records.map(toPrinter);
  }

  async #printerRecord(name: string, options: CallOptions): Promise<PrinterRecord> {
    requirePrinterName(name);
    const records = await this.#call('list-printers', { name }, { printer: name }, options);
    // The script matches the name as the spooler does; when it answers with several records
    // (an older script), pick the one named.
    const wanted = name.toLowerCase();
    const record =
      records.find((candidate) => candidate.Name.toLowerCase() === wanted) ??
      (records.length === 1 ? records[0] : undefined);
    if (record === undefined) {
      throw new PrintoError(
        PrinterSystemErrorCode.PrinterNotFound,
        `There is no printer named "${name}" on this computer.`,
        { hint: 'List the printers to see their exact names.' },
      );
    }
    return record;
  }

  async getPrinter(name: string, options: CallOptions = {}): Promise<Printer> {
    return toPrinter(await this.#printerRecord(name, options));
  }

  async listJobs(printer: string | undefined, options: ListJobsOptions = {}): Promise<Job[]> {
    if (printer !== undefined) requirePrinterName(printer);
    const records = await this.#call(
      'list-jobs',
      printer === undefined ? {} : { printer },
      printer === undefined ? {} : { printer },
      options,
    );
    const which = options.which ?? 'not-completed';
    return records
      .map(toJob)
      .filter((job) =>
        which === 'all'
          ? true
          : ACTIVE_JOB_STATES.includes(job.state) === (which === 'not-completed'),
      );
  }

  async #jobAction(
    script: 'cancel-job' | 'hold-job' | 'release-job',
    printer: string,
    jobId: number,
    options: CallOptions,
  ): Promise<void> {
    requirePrinterName(printer);
    requireJobId(printer, jobId);
    await this.#call(script, { printer, jobId }, { printer, jobId }, options);
  }

  cancelJob(printer: string, jobId: number, options: CallOptions = {}): Promise<void> {
    return this.#jobAction('cancel-job', printer, jobId, options);
  }

  holdJob(printer: string, jobId: number, options: CallOptions = {}): Promise<void> {
    return this.#jobAction('hold-job', printer, jobId, options);
  }

  releaseJob(printer: string, jobId: number, options: CallOptions = {}): Promise<void> {
    return this.#jobAction('release-job', printer, jobId, options);
  }

  async pausePrinter(printer: string, options: CallOptions = {}): Promise<void> {
    requirePrinterName(printer);
    await this.#call('pause-printer', { printer }, { printer }, options);
  }

  async resumePrinter(printer: string, options: CallOptions = {}): Promise<void> {
    requirePrinterName(printer);
    await this.#call('resume-printer', { printer }, { printer }, options);
  }

  /** Prints the Windows test page (Win32_Printer.PrintTestPage), not the PDF in resources/. */
  async printTestPage(printer: string, options: CallOptions = {}): Promise<{ jobId: number }> {
    requirePrinterName(printer);
    const { jobId } = await this.#call('print-test-page', { printer }, { printer }, options);
    if (jobId === null) {
      throw new PrintoError(
        PrinterSystemErrorCode.Failed,
        `Windows accepted the test page for "${printer}", but no new job appeared in its queue.`,
        {
          hint: 'Look at the printer: the page may already have printed. If nothing came out, check the queue for errors.',
        },
      );
    }
    return { jobId };
  }

  /** The Print Spooler service; answers even while the spooler is stopped. */
  async spoolerStatus(options: CallOptions = {}): Promise<SpoolerStatus> {
    const record = await this.#call('spooler-status', {}, {}, options);
    return {
      status: record.Status,
      startType: record.StartType,
      running: record.Status === 'running',
    };
  }

  /** The driver a printer uses; null when Get-PrinterDriver does not list it. */
  async driverFor(printer: string, options: CallOptions = {}): Promise<WindowsDriver | null> {
    const record = await this.#printerRecord(printer, options);
    return record.Driver === null ? null : toDriver(record.Driver);
  }
}
