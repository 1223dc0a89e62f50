import { isPrintoError } from '../../../src-shared/errors.ts';
import type { Evidence, Fix } from '../../../src-shared/model/diagnostics.ts';
import type { Printer } from '../../../src-shared/model/printer.ts';
import { PrinterSystemErrorCode } from '../../printers/printer-system.ts';
import type { CheckOutcome, PrinterCheck, WindowsDriverFacts } from '../check.ts';
import { day, psQuote, windowsSource } from './common.ts';

/** A driver older than this was written for an older Windows. */
export const OLD_DRIVER_YEARS = 5;
const YEAR_MS = 365.25 * 24 * 60 * 60_000;

/**
 * Microsoft's own drivers (IPP Class Driver, Print to PDF…): Windows services them, and their
 * INF date stays at 21 June 2006 by convention, so their age says nothing. In-box drivers made by
 * printer makers have Provider Microsoft but their maker as Manufacturer: they count as third-party.
 */
export function isMicrosoftDriver(driver: WindowsDriverFacts): boolean {
  const known = [driver.provider, driver.manufacturer].filter(
    (value): value is string => value !== null && value.trim() !== '',
  );
  return known.length > 0 && known.every((value) => /^microsoft\b/i.test(value.trim()));
}

/** `printsrv01.corp.example` for a connection `\\printsrv01.corp.example\Follow-Me`, else null. */
export function printServerOf(printer: string): string | null {
  const match = /^\\\\([^\\]+)\\/.exec(printer);
  return match?.[1] ?? null;
}

interface Finding {
  /** A few words for the summary. */
  readonly label: string;
  /** What it means, in plain language. */
  readonly detail: string;
  readonly fix: Fix;
}

function driverModel(majorVersion: number | null): string {
  return majorVersion === 3 || majorVersion === 4 ? `v${majorVersion}` : 'third-party';
}

function ippFix(printer: string, server: string | null): Fix {
  if (server !== null) {
    return {
      title: 'Move the shared printer to a driver Windows supports',
      steps: [
        `This printer is shared by the print server ${server}: ask IT to move it to the Microsoft IPP Class Driver or to Universal Print when the printer supports IPP.`,
        'After the change, remove the printer from this computer and connect to it again.',
      ],
    };
  }
  return {
    title: 'Switch to the Microsoft IPP Class Driver',
    steps: [
      'Check that the printer supports IPP: look for "Mopria", "IPP Everywhere" or "AirPrint" in its specifications, or find the model on mopria.org.',
      `Open Settings > Bluetooth & devices > Printers & scanners, select "${printer}" and choose Remove.`,
      'Choose "Add device" and pick the printer when it appears: Windows uses its built-in Microsoft IPP Class Driver for a Mopria printer. If it does not appear, choose "Add manually" > "Add a printer using an IP address or hostname" > "IPP Device".',
      'Print a test page. Extras of the old driver (stapling, secure print) come back with the maker\'s "Print Support App" from the Microsoft Store.',
    ],
  };
}

function findingsFor(
  printer: string,
  driver: WindowsDriverFacts,
  now: number,
  server: string | null,
): Finding[] {
  const findings: Finding[] = [];
  const thirdParty = !isMicrosoftDriver(driver);
  const model = driverModel(driver.majorVersion);

  if (thirdParty) {
    findings.push({
      label: `a third-party ${model} driver, which Microsoft is phasing out`,
      detail:
        'Microsoft is ending servicing of third-party v3 and v4 printer drivers: from 2025 no new ones are published to Windows Update, from 2026 Windows prefers its built-in Microsoft IPP Class Driver, and from 2027 they get security fixes only. Printers that support IPP (Mopria-certified models, which includes most current office printers) print with the IPP Class Driver built into Windows 10 21H2 and later, with no driver to install or keep up to date.',
      fix: ippFix(printer, server),
    });
  }

  if (thirdParty && driver.date !== null) {
    const ageMs = now - Date.parse(driver.date);
    if (ageMs > OLD_DRIVER_YEARS * YEAR_MS) {
      const years = Math.floor(ageMs / YEAR_MS);
      findings.push({
        label: `${years} years old (${day(driver.date)})`,
        detail: `The driver is dated ${day(driver.date)}, more than ${OLD_DRIVER_YEARS} years ago. Drivers that old were written for earlier versions of Windows; spooler crashes, missing options and garbled pages are more common with them, and they miss the maker's security fixes.`,
        fix: {
          title: 'Update the driver',
          steps: [
            "Look up the printer model on the maker's support website and install their current driver for this version of Windows, or switch to the Microsoft IPP Class Driver if the printer supports IPP.",
            `Open Settings > Bluetooth & devices > Printers & scanners > "${printer}" > Printer properties > Advanced, choose the new driver under "Driver", then print a test page.`,
          ],
          command: `pnputil /add-driver <driver folder>\\*.inf /install; Add-PrinterDriver -Name '<new driver name>'; Set-Printer -Name ${psQuote(printer)} -DriverName '<new driver name>'`,
        },
      });
    }
  }

  if (driver.isSigned === false) {
    findings.push({
      label: 'not digitally signed',
      detail:
        'Windows cannot tell who made an unsigned driver or whether it was changed since. Printer drivers run inside the Print Spooler with full system rights, so an unsigned one is a security risk, and package Point and Print refuses it.',
      fix: {
        title: 'Replace it with a signed driver',
        steps: [
          "Install the maker's current driver from their website or from Windows Update (Settings > Windows Update > Advanced options > Optional updates); drivers published that way are signed.",
          'Switch the printer to the new driver (Printer properties > Advanced > Driver), then remove the unsigned one.',
        ],
        command: `Remove-PrinterDriver -Name ${psQuote(driver.name)}`,
      },
    });
  }

  if (driver.isPackageAware === false) {
    findings.push({
      label: 'not package-aware',
      detail:
        'Since the August 2021 PrintNightmare fixes only administrators may install printer drivers, and Point and Print relies on package-aware drivers, which Windows installs from a signed driver package it can check. A driver that is not package-aware has to be installed by an administrator on every computer, and is refused where IT allows only package Point and Print.' +
        (server === null
          ? ''
          : ` This printer comes from the print server ${server}, so it depends on Point and Print.`),
      fix: {
        title: 'Use a package-aware driver',
        steps: [
          "Install the maker's current driver: every v4 driver, and most v3 drivers released since Windows 8, are package-aware.",
          'For a printer shared by a print server, IT installs the package-aware driver on the server and switches the shared printer to it; computers then get it through Point and Print.',
        ],
        command:
          'Get-PrinterDriver | Where-Object { -not $_.IsPackageAware } | Format-Table Name, Manufacturer, MajorVersion',
      },
    });
  }

  if (thirdParty) {
    findings.push({
      label: 'not usable in Windows protected print mode',
      detail:
        'Windows protected print mode (Windows 11 24H2 and later) loads no third-party printer drivers: turning it on removes the printers that use them, and only printers the Microsoft IPP Class Driver can drive (Mopria-certified) keep working.',
      fix: {
        title: 'Prepare this printer for Windows protected print mode',
        steps: [
          'Before Windows protected print mode is turned on (in Settings > Bluetooth & devices > Printers & scanners, or by IT through Group Policy or Intune), move this printer to the Microsoft IPP Class Driver.',
          'If the printer does not support IPP, keep protected print mode off on the computers that use it, and plan to replace the printer.',
        ],
      },
    });
  }
  return findings;
}

function driverEvidence(driver: WindowsDriverFacts, server: string | null): Evidence[] {
  const evidence: Evidence[] = [
    { label: 'Driver', value: driver.name },
    {
      label: 'Driver model',
      value:
        driver.majorVersion === 3 || driver.majorVersion === 4 ? `v${driver.majorVersion}` : null,
    },
    { label: 'Version', value: driver.version },
    { label: 'Date', value: driver.date === null ? null : day(driver.date) },
    { label: 'Manufacturer', value: driver.manufacturer },
    { label: 'Provider', value: driver.provider },
    // null: no Plug and Play device uses the driver, so Windows did not say.
    { label: 'Signed', value: driver.isSigned },
    { label: 'Signer', value: driver.signer },
    { label: 'Package-aware', value: driver.isPackageAware },
    { label: 'INF file', value: driver.infPath },
  ];
  if (server !== null) {
    evidence.push({ label: 'Print server', value: server, sensitive: 'device.identifiers' });
  }
  return evidence;
}

/** The outcome for one printer's driver, at the time `now` (ms). */
export function driverOutcome(
  printer: Printer,
  driver: WindowsDriverFacts | null,
  now: number,
): CheckOutcome {
  const server = printServerOf(printer.name);
  if (driver === null) {
    const name = printer.driver ?? 'its driver';
    return {
      status: 'warn',
      summary: `Windows does not list the driver "${name}" that this printer uses.`,
      details:
        "The driver may have been removed, or only partly installed. Printing can fail, and the printer's options may be missing.",
      ...(server === null
        ? {}
        : {
            evidence: [{ label: 'Print server', value: server, sensitive: 'device.identifiers' }],
          }),
      fixes: [
        {
          title: 'Reinstall the printer',
          steps: [
            `Open Settings > Bluetooth & devices > Printers & scanners, select "${printer.name}" and choose Remove.`,
            'Add it again with "Add device"; if it needs a driver, an administrator may have to install it.',
          ],
          command: 'Get-PrinterDriver | Format-Table Name, PrinterEnvironment, MajorVersion',
        },
      ],
    };
  }

  const evidence = driverEvidence(driver, server);
  const findings = findingsFor(printer.name, driver, now, server);
  if (findings.length === 0) {
    const kind = isMicrosoftDriver(driver)
      ? 'is built into Windows and kept up to date by it'
      : 'looks fine';
    return {
      status: 'pass',
      summary: `The driver "${driver.name}" ${kind}.`,
      evidence,
    };
  }
  return {
    status: 'warn',
    summary: `The driver "${driver.name}" is ${findings.map((finding) => finding.label).join('; ')}.`,
    details: findings.map((finding) => finding.detail).join('\n\n'),
    evidence,
    fixes: findings.map((finding) => finding.fix),
  };
}

export const driverCheck: PrinterCheck = {
  id: 'windows-driver',
  title: 'Printer driver (Windows)',
  description:
    "Looks at the printer's Windows driver: v3 or v4, Microsoft's or a third party's, its age, its signature, whether it is package-aware and whether it works in Windows protected print mode.",
  os: ['win32'],
  scope: 'printer',
  network: false,
  async run(context, printer) {
    const found = windowsSource(context);
    if ('skip' in found) return [found.skip];
    try {
      const driver = await found.source.driverFor(printer.name, { signal: context.signal });
      return [driverOutcome(printer, driver, context.env.now())];
    } catch (error) {
      if (isPrintoError(error, PrinterSystemErrorCode.PrinterNotFound)) {
        return [{ status: 'skip', summary: 'The printer was removed while the diagnostics ran.' }];
      }
      throw error;
    }
  },
};
