import { PrintoError } from '../../../src-shared/errors.ts';
import type { SpoolerStatus } from '../../../src-shared/printing/windows.ts';
import { PrinterSystemErrorCode } from '../../printers/printer-system.ts';
import type { PowerShellRunner } from '../../printers/windows/powershell-runner.ts';
import type {
  DriverDetailsRecord,
  PointAndPrintRecord,
  SpoolSpaceRecord,
} from '../../printers/windows/schemas.ts';
import { runScript } from '../../printers/windows/script-result.ts';
import { WindowsPrinterSystem, toDriver } from '../../printers/windows/windows-printer-system.ts';
import type {
  DiagnosticsEnvironment,
  PointAndPrintPolicy,
  SpoolSpace,
  WindowsDiagnosticsSource,
  WindowsDriverFacts,
} from '../check.ts';

/** What printer-driver.ps1 knows beyond WindowsDriverFacts. */
export interface WindowsDriverDetails extends WindowsDriverFacts {
  /** `Windows x64`, `Windows ARM64`, `Windows NT x86`. */
  readonly environment: string | null;
  /**
   * How the signing facts were found in Win32_PnPSignedDriver: by the device's name or by the
   * INF file name. Null when no Plug and Play device uses the driver: `isSigned` and `signer`
   * are then unknown, not "unsigned".
   */
  readonly signatureMatchedBy: 'DeviceName' | 'InfName' | null;
}

/** Point and Print settings beyond PointAndPrintPolicy, read by the same script; null when not set. */
export interface PointAndPrintExtras {
  /** PointAndPrint\InForest: only servers of this forest (Point and Print Restrictions). */
  readonly inForest: number | null;
  /** PackagePointAndPrint\PackagePointAndPrintOnly: only package-aware drivers over Point and Print. */
  readonly packagePointAndPrintOnly: number | null;
  /** PackagePointAndPrint\PackagePointAndPrintServerList: package Point and Print only from approved servers. */
  readonly packagePointAndPrintServerList: number | null;
  /** PackagePointAndPrint\ListofServers: the approved servers; null when the list does not exist. */
  readonly packagePointAndPrintServers: readonly string[] | null;
}

export type WindowsPointAndPrintPolicy = PointAndPrintPolicy & PointAndPrintExtras;

export interface WindowsSpoolSpace extends SpoolSpace {
  /** True when the registry (DefaultSpoolDirectory) moved the folder from its default. */
  readonly configured: boolean;
  /** `C:\`. */
  readonly drive: string | null;
}

function blankToNull(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value;
}

/** printer-driver.ps1's driver record → the facts the checks read. */
export function toDriverFacts(record: DriverDetailsRecord): WindowsDriverDetails {
  const driver = toDriver(record);
  const signature = record.Signature;
  return {
    name: driver.name,
    manufacturer: driver.manufacturer,
    majorVersion: driver.majorVersion,
    version: driver.version,
    // Both are the INF's DriverVer date; DriverDate keeps it as the calendar day at midnight UTC,
    // Get-PrinterDriver's as local midnight, which in UTC can fall on the day before.
    date: signature?.DriverDate ?? driver.date,
    isPackageAware: driver.isPackageAware,
    isSigned: signature?.IsSigned ?? null,
    signer: blankToNull(signature?.Signer ?? null),
    provider: driver.provider ?? blankToNull(signature?.DriverProviderName ?? null),
    infPath: driver.infPath,
    environment: driver.environment,
    signatureMatchedBy: signature?.MatchedBy ?? null,
  };
}

export function toPointAndPrintPolicy(record: PointAndPrintRecord): WindowsPointAndPrintPolicy {
  return {
    restrictDriverInstallationToAdministrators: record.RestrictDriverInstallationToAdministrators,
    noWarningNoElevationOnInstall: record.NoWarningNoElevationOnInstall,
    updatePromptSettings: record.UpdatePromptSettings,
    restricted: record.Restricted,
    trustedServers: record.TrustedServers,
    serverList: record.ServerList,
    rpcAuthnLevelPrivacyEnabled: record.RpcAuthnLevelPrivacyEnabled,
    inForest: record.InForest,
    packagePointAndPrintOnly: record.PackagePointAndPrintOnly,
    packagePointAndPrintServerList: record.PackagePointAndPrintServerList,
    packagePointAndPrintServers: record.PackagePointAndPrintServers,
  };
}

export function toSpoolSpace(record: SpoolSpaceRecord): WindowsSpoolSpace {
  return {
    path: record.Path,
    freeBytes: record.FreeBytes,
    totalBytes: record.TotalBytes,
    configured: record.Configured,
    drive: blankToNull(record.Drive),
  };
}

/** The spool folder's free space, as `DiagnosticsEnvironment['spoolSpace']` on Windows. */
export function windowsSpoolSpace(
  runner: PowerShellRunner,
): NonNullable<DiagnosticsEnvironment['spoolSpace']> {
  return async ({ signal }) =>
    toSpoolSpace(await runScript(runner, 'spool-space', {}, {}, { signal }));
}

export interface PowerShellDiagnosticsSourceOptions {
  readonly runner: PowerShellRunner;
  /** The printer system that reads the spooler service; one over `runner` when not given. */
  readonly system?: WindowsPrinterSystem;
}

/**
 * The Windows facts of the diagnostics, from the scripts in resources/windows: the spooler
 * service (spooler-status, through WindowsPrinterSystem), a printer's driver with its signing
 * facts (printer-driver), the Point and Print policy (point-and-print) and the spool folder's free
 * space (spool-space). Every failure rejects with a PrintoError from script-result (a stopped
 * spooler is print-service-unreachable, an unknown printer printer-not-found); nothing is cached,
 * so each run sees the machine as it is now.
 */
export class PowerShellDiagnosticsSource implements WindowsDiagnosticsSource {
  readonly #runner: PowerShellRunner;
  readonly #system: WindowsPrinterSystem;

  constructor(options: PowerShellDiagnosticsSourceOptions) {
    this.#runner = options.runner;
    this.#system = options.system ?? new WindowsPrinterSystem({ runner: options.runner });
  }

  spoolerStatus(options: { signal: AbortSignal }): Promise<SpoolerStatus> {
    return this.#system.spoolerStatus(options);
  }

  /** Null when Get-PrinterDriver does not list the printer's driver. */
  async driverFor(
    printer: string,
    options: { signal: AbortSignal },
  ): Promise<WindowsDriverDetails | null> {
    if (printer.length === 0) {
      throw new PrintoError(PrinterSystemErrorCode.PrinterNotFound, 'No printer name was given.');
    }
    const record = await runScript(
      this.#runner,
      'printer-driver',
      { printer },
      { printer },
      options,
    );
    return record.Driver === null ? null : toDriverFacts(record.Driver);
  }

  async pointAndPrintPolicy(options: { signal: AbortSignal }): Promise<WindowsPointAndPrintPolicy> {
    return toPointAndPrintPolicy(await runScript(this.#runner, 'point-and-print', {}, {}, options));
  }

  async spoolSpace(options: { signal: AbortSignal }): Promise<WindowsSpoolSpace> {
    return toSpoolSpace(await runScript(this.#runner, 'spool-space', {}, {}, options));
  }
}
