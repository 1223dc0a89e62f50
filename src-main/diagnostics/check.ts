/**
 * The contract between the diagnostics runner and its checks. A check is a small object with a
 * stable id; it reads what it needs from the context and returns outcomes. It never throws for
 * an expected failure (it returns `fail`); if it throws anyway, the runner records `error`.
 */
import type { CheckStatus, Evidence, Fix } from '../../src-shared/model/diagnostics.ts';
import type { Job } from '../../src-shared/model/job.ts';
import type { Printer } from '../../src-shared/model/printer.ts';
import type { PrinterSystem } from '../printers/printer-system.ts';

export type DiagnosticsOs = 'linux' | 'darwin' | 'win32';

/** What the runner fills in; a check returns the rest. */
export interface CheckOutcome {
  readonly status: CheckStatus;
  readonly summary: string;
  readonly details?: string | null;
  readonly evidence?: readonly Evidence[];
  readonly fixes?: readonly Fix[];
}

/** Windows facts the checks need beyond the PrinterSystem port (all from PowerShell scripts). */
export interface WindowsDiagnosticsSource {
  spoolerStatus(options: { signal: AbortSignal }): Promise<{
    readonly status: string;
    readonly startType: string;
  }>;
  driverFor(printer: string, options: { signal: AbortSignal }): Promise<WindowsDriverFacts | null>;
  pointAndPrintPolicy(options: { signal: AbortSignal }): Promise<PointAndPrintPolicy>;
}

export interface WindowsDriverFacts {
  readonly name: string;
  readonly manufacturer: string | null;
  /** 3 or 4. */
  readonly majorVersion: number | null;
  readonly version: string | null;
  /** ISO date of the driver, when known. */
  readonly date: string | null;
  readonly isPackageAware: boolean | null;
  readonly isSigned: boolean | null;
  readonly signer: string | null;
  readonly provider: string | null;
  readonly infPath: string | null;
}

/** HKLM\Software\Policies\Microsoft\Windows NT\Printers\PointAndPrint and RpcAuthnLevelPrivacyEnabled; null when not set. */
export interface PointAndPrintPolicy {
  readonly restrictDriverInstallationToAdministrators: number | null;
  readonly noWarningNoElevationOnInstall: number | null;
  readonly updatePromptSettings: number | null;
  readonly restricted: number | null;
  readonly trustedServers: number | null;
  readonly serverList: string | null;
  readonly rpcAuthnLevelPrivacyEnabled: number | null;
}

export interface SpoolSpace {
  /** Where jobs are spooled (`/var/spool/cups`, `C:\Windows\System32\spool\PRINTERS`). */
  readonly path: string;
  readonly freeBytes: number;
  readonly totalBytes: number;
}

/** Everything a check may use. Each adapter is a port so tests can use the real thing or fixtures. */
export interface DiagnosticsEnvironment {
  readonly os: DiagnosticsOs;
  readonly system: PrinterSystem;
  /** Present on Windows. */
  readonly windows?: WindowsDiagnosticsSource;
  /** Free space where jobs are spooled; undefined when it cannot be known (a remote CUPS). */
  readonly spoolSpace?: (options: { signal: AbortSignal }) => Promise<SpoolSpace>;
  /** Clock, injectable so that job ages are testable without waiting. */
  readonly now: () => number;
}

/** Facts gathered once per run and shared by every check. */
export interface RunFacts {
  /** Null when the print service could not be reached (the print-service check says why). */
  readonly printers: readonly Printer[] | null;
  readonly printServiceError: Error | null;
  /** Jobs not yet completed, of every queue. */
  readonly jobs: readonly Job[];
  /** Finished jobs, for aborted-job checks. */
  readonly completedJobs: readonly Job[];
}

export interface CheckContext {
  readonly env: DiagnosticsEnvironment;
  readonly facts: RunFacts;
  /** Aborts at the check's time-out, the run's deadline or the caller's cancel. */
  readonly signal: AbortSignal;
  /** This check's time budget for anything that touches the network, in ms. */
  readonly timeoutMs: number;
  /** Stuck-job threshold in ms (default 10 minutes). */
  readonly stuckJobAfterMs: number;
  /** Cached device answers, shared between checks of one run (one query per device). */
  readonly device: DeviceProbe;
}

/** Device queries shared across checks so each device is asked once per run. */
export interface DeviceProbe {
  /** TCP connect to host:port; resolves when connected, rejects with a PrintoError. */
  connect(host: string, port: number, signal: AbortSignal): Promise<void>;
  /** Get-Printer-Attributes straight to an ipp/ipps device URI (cached per URI for the run). */
  printerAttributes(uri: string, signal: AbortSignal): Promise<DeviceAttributes>;
}

/** The subset of a device's own IPP attributes the checks read. */
export interface DeviceAttributes {
  readonly state: 'idle' | 'processing' | 'stopped' | 'unknown';
  readonly reasons: readonly string[];
  readonly stateMessage: string | null;
  readonly makeAndModel: string | null;
  readonly deviceId: string | null;
  readonly documentFormats: readonly string[];
  readonly ippFeatures: readonly string[];
  readonly ippVersions: readonly string[];
  /** Raw `printer-supply` values with their descriptions. */
  readonly supplies: readonly { readonly value: string; readonly description: string | null }[];
  readonly serialNumber: string | null;
  readonly uuid: string | null;
}

export interface CheckDefinition {
  /** Stable id, e.g. `queue-ready`: scripts and the UI key on it. */
  readonly id: string;
  readonly title: string;
  /** One sentence for docs and the UI: what it looks at. */
  readonly description: string;
  readonly os: readonly DiagnosticsOs[];
  /** `system`: once per run; `printer`: once per queue. */
  readonly scope: 'system' | 'printer';
  /** Touches the network: gets the network time-out (default 3 s). */
  readonly network: boolean;
}

export interface SystemCheck extends CheckDefinition {
  readonly scope: 'system';
  run(context: CheckContext): Promise<readonly CheckOutcome[]>;
}

export interface PrinterCheck extends CheckDefinition {
  readonly scope: 'printer';
  run(context: CheckContext, printer: Printer): Promise<readonly CheckOutcome[]>;
}

export type Check = SystemCheck | PrinterCheck;
