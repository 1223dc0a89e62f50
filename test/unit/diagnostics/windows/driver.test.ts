import { describe, expect, it } from 'vitest';
import type { WindowsDriverFacts } from '../../../../src-main/diagnostics/check.ts';
import {
  driverCheck,
  driverOutcome,
  isMicrosoftDriver,
  printServerOf,
} from '../../../../src-main/diagnostics/windows/driver.ts';
import { failing } from '../../printers/windows/fixture-runner.ts';
import { evidenceOf, rejection, single } from './assertions.ts';
import { NOW, VERSIONS, windowsContext } from './context.ts';

const BROTHER = 'Brother HL-2240 series';
const CANON = 'Canon MF740C Series';
const FINANCE = 'Finance LaserJet M507';
const FOLLOW_ME = '\\\\printsrv01.corp.example\\Follow-Me';
const RICOH = 'Marketing RICOH IM C3000';

/** One printer-driver fixture per printer, as the script answers on the fixture machine. */
const DRIVERS = {
  'printer-driver': ({ printer }: { printer: string }) =>
    ({
      [BROTHER]: 'printer-driver-brother.json',
      [CANON]: 'printer-driver-canon-ipp.json',
      [FINANCE]: 'printer-driver-hp.json',
      [FOLLOW_ME]: 'printer-driver-hp.json',
      [RICOH]: 'printer-driver-missing.json',
    })[printer] ?? failing('printer-not-found.json'),
};

describe.each(VERSIONS)('windows-driver (%s)', (version) => {
  it('finds every problem of an old, unsigned, not package-aware third-party v3 driver', async () => {
    const harness = await windowsContext(version, DRIVERS);
    const outcome = single(await driverCheck.run(harness.context, harness.printer(BROTHER)));
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toBe(
      'The driver "Brother HL-2240 series" is a third-party v3 driver, which Microsoft is phasing out; 10 years old (2016-02-02); not digitally signed; not package-aware; not usable in Windows protected print mode.',
    );
    expect(outcome.fixes?.map((fix) => fix.title)).toEqual([
      'Switch to the Microsoft IPP Class Driver',
      'Update the driver',
      'Replace it with a signed driver',
      'Use a package-aware driver',
      'Prepare this printer for Windows protected print mode',
    ]);
    const [ipp, update, sign] = outcome.fixes ?? [];
    expect(ipp?.steps.join(' ')).toMatch(/Mopria/);
    expect(ipp?.steps.join(' ')).toContain('select "Brother HL-2240 series" and choose Remove');
    expect(update?.command).toContain(
      "Set-Printer -Name 'Brother HL-2240 series' -DriverName '<new driver name>'",
    );
    expect(sign?.command).toBe("Remove-PrinterDriver -Name 'Brother HL-2240 series'");
    expect(outcome.details).toMatch(/end(ing)? servicing/);
    expect(outcome.details).toMatch(/August 2021/);
    expect(outcome.evidence).toEqual([
      { label: 'Driver', value: BROTHER },
      { label: 'Driver model', value: 'v3' },
      { label: 'Version', value: '1.1.2.0' },
      { label: 'Date', value: '2016-02-02' },
      { label: 'Manufacturer', value: 'Brother' },
      { label: 'Provider', value: 'Brother' },
      { label: 'Signed', value: false },
      { label: 'Signer', value: null },
      { label: 'Package-aware', value: false },
      {
        label: 'INF file',
        value:
          'C:\\WINDOWS\\System32\\DriverStore\\FileRepository\\brphl12a.inf_amd64_f1b9d3a4c8e2b6a0\\BRPHL12A.INF',
      },
    ]);
    expect(harness.runner.calls).toEqual([
      { script: 'printer-driver', args: { printer: BROTHER } },
    ]);
  });

  it('passes the Microsoft IPP Class Driver (v4), whatever its 2006 INF date', async () => {
    const harness = await windowsContext(version, DRIVERS);
    const outcome = single(await driverCheck.run(harness.context, harness.printer(CANON)));
    expect(outcome).toMatchObject({
      status: 'pass',
      summary:
        'The driver "Microsoft IPP Class Driver" is built into Windows and kept up to date by it.',
    });
    expect(outcome.fixes).toBeUndefined();
    expect(evidenceOf(outcome, 'Driver model')?.value).toBe('v4');
    expect(evidenceOf(outcome, 'Signed')?.value).toBe(true);
    expect(evidenceOf(outcome, 'Signer')?.value).toBe('Microsoft Windows');
  });

  it('names the end of servicing and protected print mode for a current third-party driver', async () => {
    const harness = await windowsContext(version, DRIVERS);
    const outcome = single(await driverCheck.run(harness.context, harness.printer(FINANCE)));
    expect(outcome.status).toBe('warn');
    expect(outcome.fixes?.map((fix) => fix.title)).toEqual([
      'Switch to the Microsoft IPP Class Driver',
      'Prepare this printer for Windows protected print mode',
    ]);
    // No Plug and Play device uses a TCP/IP queue's driver: its signature is unknown, not missing.
    expect(evidenceOf(outcome, 'Signed')?.value).toBeNull();
    expect(outcome.summary).not.toMatch(/signed/);
  });

  it('sends a print server connection to IT, and marks the server as an identifier', async () => {
    const harness = await windowsContext(version, DRIVERS);
    const outcome = single(await driverCheck.run(harness.context, harness.printer(FOLLOW_ME)));
    expect(outcome.fixes?.[0]).toMatchObject({
      title: 'Move the shared printer to a driver Windows supports',
    });
    expect(outcome.fixes?.[0]?.steps[0]).toMatch(/print server printsrv01\.corp\.example: ask IT/);
    expect(evidenceOf(outcome, 'Print server')).toEqual({
      label: 'Print server',
      value: 'printsrv01.corp.example',
      sensitive: 'device.identifiers',
    });
  });

  it('warns when Windows does not list the driver the printer uses', async () => {
    const harness = await windowsContext(version, DRIVERS);
    const outcome = single(await driverCheck.run(harness.context, harness.printer(RICOH)));
    expect(outcome.status).toBe('warn');
    expect(outcome.summary).toBe(
      'Windows does not list the driver "RICOH PCL6 UniversalDriver V4.36" that this printer uses.',
    );
    expect(outcome.fixes?.[0]?.title).toBe('Reinstall the printer');
  });

  it('skips a printer removed while the checks ran', async () => {
    const harness = await windowsContext(version, {
      'printer-driver': failing('printer-not-found.json'),
    });
    const outcome = single(await driverCheck.run(harness.context, harness.printer(BROTHER)));
    expect(outcome.status).toBe('skip');
  });

  it('lets a stopped spooler reach the runner as print-service-unreachable', async () => {
    const harness = await windowsContext(version, {
      'printer-driver': failing('list-printers-spooler-down.json'),
    });
    const error = await rejection(driverCheck.run(harness.context, harness.printer(BROTHER)));
    expect(error.code).toBe('print-service-unreachable');
    expect(error.message).toContain('read the driver of "Brother HL-2240 series"');
  });
});

describe('both PowerShell editions', () => {
  it('give the same driver outcomes', async () => {
    const [a, b] = await Promise.all(VERSIONS.map((version) => windowsContext(version, DRIVERS)));
    if (a === undefined || b === undefined) throw new Error('two harnesses');
    for (const name of [BROTHER, CANON, FINANCE, FOLLOW_ME, RICOH]) {
      expect(await driverCheck.run(a.context, a.printer(name))).toEqual(
        await driverCheck.run(b.context, b.printer(name)),
      );
    }
  });
});

describe('driverOutcome', () => {
  const driver: WindowsDriverFacts = {
    name: 'Brother HL-2240 series',
    manufacturer: 'Brother',
    majorVersion: 3,
    version: '1.1.2.0',
    date: '2016-02-02T00:00:00.000Z',
    isPackageAware: true,
    isSigned: true,
    signer: 'Microsoft Windows Hardware Compatibility Publisher',
    provider: 'Brother',
    infPath: null,
  };
  const printer = {
    name: 'Brother HL-2240 series',
    description: null,
    location: null,
    makeAndModel: null,
    driver: 'Brother HL-2240 series',
    connection: { uri: null, port: 'USB001' },
    isDefault: false,
    isShared: false,
    state: 'idle' as const,
    reasons: [],
    stateMessage: null,
    supplies: [],
    acceptingJobs: true,
    jobCount: 0,
  };

  it('measures the age against the context clock', () => {
    const young = driverOutcome(printer, driver, Date.UTC(2020, 0, 1));
    expect(young.fixes?.map((fix) => fix.title)).not.toContain('Update the driver');
    const old = driverOutcome(printer, driver, NOW);
    expect(old.fixes?.map((fix) => fix.title)).toContain('Update the driver');
  });

  it('calls a v4 third-party driver by its model', () => {
    const outcome = driverOutcome(printer, { ...driver, majorVersion: 4, date: null }, NOW);
    expect(outcome.summary).toBe(
      'The driver "Brother HL-2240 series" is a third-party v4 driver, which Microsoft is phasing out; not usable in Windows protected print mode.',
    );
  });

  it('quotes printer names for PowerShell', () => {
    const outcome = driverOutcome({ ...printer, name: "Reception's Kyocera" }, driver, NOW);
    expect(outcome.fixes?.find((fix) => fix.title === 'Update the driver')?.command).toContain(
      "Set-Printer -Name 'Reception''s Kyocera'",
    );
  });
});

describe('isMicrosoftDriver', () => {
  const base = { provider: 'Microsoft', manufacturer: 'Microsoft' } as WindowsDriverFacts;
  it("tells Microsoft's own drivers from in-box drivers made by printer makers", () => {
    expect(isMicrosoftDriver(base)).toBe(true);
    expect(isMicrosoftDriver({ ...base, manufacturer: 'HP' })).toBe(false);
    expect(isMicrosoftDriver({ ...base, provider: null })).toBe(true);
    expect(isMicrosoftDriver({ ...base, provider: null, manufacturer: null })).toBe(false);
  });
});

describe('printServerOf', () => {
  it('reads the server of a connection and nothing else', () => {
    expect(printServerOf(FOLLOW_ME)).toBe('printsrv01.corp.example');
    expect(printServerOf(BROTHER)).toBeNull();
  });
});
