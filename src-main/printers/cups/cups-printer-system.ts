/**
 * PrinterSystem on CUPS (Linux and macOS): IPP to the local scheduler. Listing is two requests
 * whatever the number of queues (CUPS-Get-Printers, then one Get-Jobs for every queue); never the
 * text output of lpstat, which changes with the locale and the CUPS version.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PrintoError, isPrintoError } from '../../../src-shared/errors.ts';
import type { Job } from '../../../src-shared/model/job.ts';
import type { Printer } from '../../../src-shared/model/printer.ts';
import { IppClient, IppStatusError } from '../ipp/client.ts';
import { IPP_MALFORMED } from '../ipp/codec.ts';
import { IppTransport, IppTransportErrorCode, describeEndpoint } from '../ipp/transport.ts';
import { normaliseReasons } from '../../../src-shared/printing/state-reasons.ts';
import { DEFAULT_DEVICE_QUERY_TIMEOUT_MS, isIppDeviceUri, queryDevice } from './device-query.ts';
import { PrinterSystemErrorCode } from '../printer-system.ts';
import type {
  CallOptions,
  ListJobsOptions,
  PrinterChangeListener,
  PrinterSystem,
  PrinterWatch,
  WatchOptions,
} from '../printer-system.ts';
import { systemClock } from '../../../src-shared/clock.ts';
import type { Clock } from '../../../src-shared/clock.ts';
import { DEFAULT_WATCH_INTERVAL_MS, startPolling } from '../change-poller.ts';
import { startCupsWatch } from './cups-watch.ts';
import type { CupsPrinterWatch } from './cups-watch.ts';
import {
  JOB_ATTRIBUTES,
  PRINTER_ATTRIBUTES,
  jobFromAttributes,
  printerFromAttributes,
  queueNameFromUri,
} from './mapping.ts';
import { resolveCupsServer } from './server.ts';
import type { CupsServer } from './server.ts';

const DEFAULT_TEST_PAGE = fileURLToPath(
  new URL('../../../resources/test-page.pdf', import.meta.url),
);

export interface CupsPrinterSystemOptions {
  /** Where the scheduler is; defaults to the CUPS tools' own lookup (`CUPS_SERVER`…). */
  readonly server?: CupsServer;
  /** Per-request time-out; listing makes two requests. Default 10 s. */
  readonly timeoutMs?: number;
  readonly userName?: string;
  /** The PDF that `printTestPage` sends (in the packaged app: under resourcesPath). */
  readonly testPagePath?: string;
  /**
   * Ask each queue's IPP device for its supplies and whether it answers (see device-query.ts),
   * within this time-out; false to ask CUPS only (diagnostics probes devices itself).
   * Default: asked, 1.5 s.
   */
  readonly deviceQuery?: false | { readonly timeoutMs: number };
  /** Time for `watch`; tests inject theirs. */
  readonly clock?: Clock;
  /** The lease asked for `watch`'s subscription, renewed at half-time. Default 300 s. */
  readonly leaseSeconds?: number;
}

export class CupsPrinterSystem implements PrinterSystem {
  readonly kind = 'cups' as const;
  readonly endpoint: string;
  /** The scheduler runs on this computer (its socket, or a loopback address). */
  readonly isLocal: boolean;
  private readonly server: CupsServer;
  private readonly client: IppClient;
  private readonly testPagePath: string;
  private readonly deviceQuery: false | { readonly timeoutMs: number };
  /** Devices are other hosts: their own keep-alive pool, closed with the scheduler's. */
  private deviceTransport: IppTransport | undefined;
  private readonly clock: Clock;
  private readonly leaseSeconds: number | undefined;
  /** Why the scheduler refused subscriptions, once it did: told once, then polled silently. */
  private subscriptionRefused: string | undefined;

  constructor(options: CupsPrinterSystemOptions = {}) {
    this.server = options.server ?? resolveCupsServer();
    this.endpoint = describeEndpoint(this.server.endpoint);
    const where = this.server.endpoint;
    this.isLocal =
      where.kind === 'unix' || ['localhost', '127.0.0.1', '::1'].includes(where.host.toLowerCase());
    this.client = new IppClient(this.server.endpoint, {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.userName === undefined ? {} : { userName: options.userName }),
    });
    this.testPagePath = options.testPagePath ?? DEFAULT_TEST_PAGE;
    this.deviceQuery = options.deviceQuery ?? { timeoutMs: DEFAULT_DEVICE_QUERY_TIMEOUT_MS };
    this.clock = options.clock ?? systemClock;
    this.leaseSeconds = options.leaseSeconds;
  }

  /**
   * IPP event notifications (see cups-watch.ts); when the scheduler refuses to subscribe, the
   * listings are polled and diffed instead, and `onFallback` is told why, once per adapter.
   */
  async watch(
    listener: PrinterChangeListener,
    options: WatchOptions = {},
  ): Promise<PrinterWatch | CupsPrinterWatch> {
    const intervalMs = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
    const onError = options.onError;
    if (this.subscriptionRefused === undefined) {
      try {
        return await startCupsWatch({
          client: this.client,
          listener,
          clock: this.clock,
          intervalMs,
          ...(this.leaseSeconds === undefined ? {} : { leaseSeconds: this.leaseSeconds }),
          ...(onError === undefined ? {} : { onError }),
        });
      } catch (error) {
        if (!(error instanceof IppStatusError)) throw this.translate(error, 'watching', undefined);
        this.subscriptionRefused = `CUPS at ${this.endpoint} refused event subscriptions (${error.message}); printer and job changes are found by listing every ${intervalMs} ms instead.`;
        const tell =
          options.onFallback ??
          ((reason: string) => {
            process.emitWarning(reason, { code: 'PRINTO_WATCH_POLLING' });
          });
        tell(this.subscriptionRefused);
      }
    }
    return startPolling(
      async (signal) => {
        const [printers, jobs] = await Promise.all([
          this.listCupsPrinters({ signal }),
          this.listJobs(undefined, { signal }),
        ]);
        return { printers, jobs };
      },
      listener,
      { intervalMs, clock: this.clock, ...(onError === undefined ? {} : { onError }) },
    );
  }

  /** Closes idle connections to the scheduler and the devices. */
  close(): void {
    this.client.close();
    this.deviceTransport?.close();
  }

  /**
   * Completes what CUPS says about queues with what their devices say: supplies where CUPS has
   * none yet, and `offline-report` when nothing answers at the device (as CUPS's own ipp backend
   * reports it, but only once a job has failed).
   */
  private async withDeviceFacts(printers: Printer[], options: CallOptions): Promise<Printer[]> {
    const query = this.deviceQuery;
    if (query === false) return printers;
    return Promise.all(
      printers.map(async (printer) => {
        const uri = printer.connection.uri;
        if (!isIppDeviceUri(uri) || printer.driver === 'printer class') return printer;
        this.deviceTransport ??= new IppTransport({ maxResponseBytes: 1024 * 1024 });
        const facts = await queryDevice(uri, this.deviceTransport, {
          timeoutMs: query.timeoutMs,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        const offline =
          facts.reachable === false && !printer.reasons.some((r) => r.keyword === 'offline');
        return {
          ...printer,
          supplies: printer.supplies.length > 0 ? printer.supplies : [...facts.supplies],
          reasons: offline
            ? [...printer.reasons, ...normaliseReasons(['offline-report'], printer.state)]
            : printer.reasons,
        };
      }),
    );
  }

  /** The URI CUPS knows a local queue by; the host part is not used for routing. */
  private queueUri(name: string, isClass = false): string {
    return `ipp://localhost/${isClass ? 'classes' : 'printers'}/${encodeURIComponent(name)}`;
  }

  async listPrinters(options: CallOptions = {}): Promise<Printer[]> {
    return this.withDeviceFacts(await this.listCupsPrinters(options), options);
  }

  /** What CUPS says about every queue, without asking the devices. */
  private async listCupsPrinters(options: CallOptions): Promise<Printer[]> {
    const response = await this.call('listing printers', undefined, () =>
      this.client.cupsGetPrinters({ requestedAttributes: PRINTER_ATTRIBUTES }, options),
    );
    return response
      .printers()
      .map((group) => printerFromAttributes(group, this.endpoint))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async getPrinter(name: string, options: CallOptions = {}): Promise<Printer> {
    const response = await this.call(`reading printer ${name}`, { printer: name }, () =>
      this.client.getPrinterAttributes(
        this.queueUri(name),
        { requestedAttributes: PRINTER_ATTRIBUTES },
        options,
      ),
    );
    const group = response.printers()[0];
    if (group === undefined) throw this.printerNotFound(name);
    const [printer] = await this.withDeviceFacts(
      [printerFromAttributes(group, this.endpoint)],
      options,
    );
    return printer ?? printerFromAttributes(group, this.endpoint);
  }

  async listJobs(printer: string | undefined, options: ListJobsOptions = {}): Promise<Job[]> {
    // CUPS answers for every queue when the printer-uri is the server itself.
    const uri = printer === undefined ? 'ipp://localhost/' : this.queueUri(printer);
    const response = await this.call(
      printer === undefined ? 'listing jobs' : `listing jobs of ${printer}`,
      printer === undefined ? undefined : { printer },
      () =>
        this.client.getJobs(
          uri,
          { whichJobs: options.which ?? 'not-completed', requestedAttributes: JOB_ATTRIBUTES },
          options,
        ),
    );
    return response
      .jobs()
      .map((group) => jobFromAttributes(group, printer, this.endpoint))
      .filter((job): job is Job => job !== undefined);
  }

  async cancelJob(printer: string, jobId: number, options: CallOptions = {}): Promise<void> {
    await this.jobAction(printer, jobId, 'cancelling', (uri) =>
      this.client.cancelJob(uri, jobId, options),
    );
  }

  async holdJob(printer: string, jobId: number, options: CallOptions = {}): Promise<void> {
    await this.jobAction(printer, jobId, 'holding', (uri) =>
      this.client.holdJob(uri, jobId, options),
    );
  }

  async releaseJob(printer: string, jobId: number, options: CallOptions = {}): Promise<void> {
    await this.jobAction(printer, jobId, 'releasing', (uri) =>
      this.client.releaseJob(uri, jobId, options),
    );
  }

  async pausePrinter(printer: string, options: CallOptions = {}): Promise<void> {
    await this.call(`pausing ${printer}`, { printer }, () =>
      this.client.pausePrinter(this.queueUri(printer), options),
    );
  }

  async resumePrinter(printer: string, options: CallOptions = {}): Promise<void> {
    await this.call(`resuming ${printer}`, { printer }, () =>
      this.client.resumePrinter(this.queueUri(printer), options),
    );
  }

  async printTestPage(printer: string, options: CallOptions = {}): Promise<{ jobId: number }> {
    let document: Uint8Array;
    try {
      document = await readFile(this.testPagePath);
    } catch (error) {
      throw new PrintoError(
        'test-page-missing',
        `The test page is missing: ${this.testPagePath}.`,
        {
          hint: 'Reinstall Printo Help.',
          cause: error,
        },
      );
    }
    const { jobId } = await this.call(`printing a test page on ${printer}`, { printer }, () =>
      this.client.printJob(
        this.queueUri(printer),
        document,
        { jobName: 'Printo Help test page', documentFormat: 'application/pdf' },
        options,
      ),
    );
    return { jobId };
  }

  /**
   * CUPS finds a job by id alone, whatever queue the request names; check the job is on the queue
   * the caller meant so that "cancel job 12 on Office" never cancels job 12 of another queue.
   */
  private async jobAction(
    printer: string,
    jobId: number,
    verb: string,
    action: (uri: string) => Promise<unknown>,
  ): Promise<void> {
    const uri = this.queueUri(printer);
    const what = `${verb} job ${jobId} on ${printer}`;
    const response = await this.call(what, { printer, jobId }, () =>
      this.client.getJobAttributes(uri, jobId, { requestedAttributes: ['job-printer-uri'] }),
    );
    const actual = queueNameFromUri(response.jobs()[0]?.string('job-printer-uri'));
    if (actual !== undefined && actual !== printer) {
      throw new PrintoError(
        PrinterSystemErrorCode.JobNotFound,
        `Job ${jobId} is not on ${printer} (it is on ${actual}).`,
        { hint: `Use the queue the job is on: ${actual}.` },
      );
    }
    await this.call(what, { printer, jobId }, () => action(uri));
  }

  private printerNotFound(name: string): PrintoError {
    return new PrintoError(
      PrinterSystemErrorCode.PrinterNotFound,
      `There is no printer queue named ${JSON.stringify(name)} on CUPS at ${this.endpoint}.`,
      { hint: 'Run `printo-help printers` to see the queues.' },
    );
  }

  /** Runs one IPP exchange and turns its failures into PrinterSystem errors. */
  private async call<T>(
    what: string,
    target: { printer?: string; jobId?: number } | undefined,
    exchange: () => Promise<T>,
  ): Promise<T> {
    try {
      return await exchange();
    } catch (error) {
      throw this.translate(error, what, target);
    }
  }

  private translate(
    error: unknown,
    what: string,
    target: { printer?: string; jobId?: number } | undefined,
  ): unknown {
    if (error instanceof IppStatusError) {
      const detail = error.message.replace(/^[^:]+: /, '');
      switch (error.statusName) {
        case 'client-error-not-found':
          if (target?.jobId !== undefined && !/printer|destination/i.test(detail)) {
            return new PrintoError(
              PrinterSystemErrorCode.JobNotFound,
              `There is no job ${target.jobId} on ${target.printer ?? 'this computer'}.`,
              { hint: 'Run `printo-help jobs` to see the jobs.', cause: error },
            );
          }
          return target?.printer === undefined
            ? new PrintoError(
                PrinterSystemErrorCode.Failed,
                `CUPS could not find it while ${what}: ${detail}`,
              )
            : this.printerNotFound(target.printer);
        case 'client-error-not-possible':
        case 'server-error-not-accepting-jobs':
          return new PrintoError(
            PrinterSystemErrorCode.NotPossible,
            `CUPS refused ${what}: ${detail}.`,
            { cause: error },
          );
        case 'client-error-forbidden':
        case 'client-error-not-authorized':
        case 'client-error-not-authenticated':
          return new PrintoError(
            PrinterSystemErrorCode.NotAuthorized,
            `CUPS does not allow ${what} for this user: ${detail}.`,
            { hint: 'Only the job owner or a print administrator can do this.', cause: error },
          );
        default:
          return new PrintoError(PrinterSystemErrorCode.Failed, `CUPS failed ${what}: ${detail}.`, {
            cause: error,
          });
      }
    }
    if (!isPrintoError(error)) return error;
    switch (error.code) {
      case IppTransportErrorCode.Unreachable:
      case IppTransportErrorCode.ConnectionLost:
        return new PrintoError(
          PrinterSystemErrorCode.Unreachable,
          `Cannot reach the print service (CUPS) at ${this.endpoint}${this.server.source === 'default' ? '' : ` (from ${this.server.source})`}.`,
          {
            hint:
              this.server.source === 'CUPS_SERVER'
                ? 'Check the CUPS_SERVER setting, or unset it to use the local scheduler.'
                : 'Is CUPS running? Start it with `sudo systemctl start cups` (Linux) or check System Settings > Printers (macOS), or set CUPS_SERVER to the print server.',
            cause: error,
          },
        );
      case IppTransportErrorCode.Timeout:
        return new PrintoError(
          PrinterSystemErrorCode.Timeout,
          `The print service (CUPS) at ${this.endpoint} did not answer in time while ${what}.`,
          { hint: 'CUPS may be overloaded or stuck; try again, or restart it.', cause: error },
        );
      case IppTransportErrorCode.NotAuthorized:
        return new PrintoError(
          PrinterSystemErrorCode.NotAuthorized,
          `CUPS at ${this.endpoint} requires authentication for ${what}.`,
          { hint: 'Only the job owner or a print administrator can do this.', cause: error },
        );
      case IPP_MALFORMED:
      case IppTransportErrorCode.BadResponse:
      case IppTransportErrorCode.HttpStatus:
      case IppTransportErrorCode.TooLarge:
        return new PrintoError(
          PrinterSystemErrorCode.BadResponse,
          `CUPS at ${this.endpoint} sent an unusable answer while ${what}: ${error.message}`,
          { cause: error },
        );
      default:
        return error;
    }
  }
}
