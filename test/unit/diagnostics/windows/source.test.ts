import { describe, expect, it } from 'vitest';
import {
  PowerShellDiagnosticsSource,
  windowsSpoolSpace,
} from '../../../../src-main/diagnostics/windows/source.ts';
import { parseDmtfDate } from '../../../../src-main/printers/windows/schemas.ts';
import { readScriptResult } from '../../../../src-main/printers/windows/script-result.ts';
import { FixtureRunner, failing, type Scenario } from '../../printers/windows/fixture-runner.ts';
import { rejection } from './assertions.ts';
import { VERSIONS } from './context.ts';

const signal = new AbortController().signal;

function source(version: (typeof VERSIONS)[number], scenario: Scenario = {}) {
  const runner = new FixtureRunner(version, scenario);
  return { runner, source: new PowerShellDiagnosticsSource({ runner }) };
}

describe.each(VERSIONS)('PowerShellDiagnosticsSource (%s)', (version) => {
  it('reads the spooler through WindowsPrinterSystem.spoolerStatus', async () => {
    const { source: windows, runner } = source(version);
    expect(await windows.spoolerStatus({ signal })).toEqual({
      status: 'running',
      startType: 'automatic',
      running: true,
    });
    expect(runner.calls).toEqual([{ script: 'spooler-status', args: {} }]);
  });

  it('joins a driver with its signing facts, dated by DriverDate', async () => {
    const { source: windows, runner } = source(version, {
      'printer-driver': 'printer-driver-brother.json',
    });
    expect(await windows.driverFor('Brother HL-2240 series', { signal })).toEqual({
      name: 'Brother HL-2240 series',
      manufacturer: 'Brother',
      majorVersion: 3,
      version: '1.1.2.0',
      date: '2016-02-02T00:00:00.000Z',
      isPackageAware: false,
      isSigned: false,
      signer: null,
      provider: 'Brother',
      infPath:
        'C:\\WINDOWS\\System32\\DriverStore\\FileRepository\\brphl12a.inf_amd64_f1b9d3a4c8e2b6a0\\BRPHL12A.INF',
      environment: 'Windows x64',
      signatureMatchedBy: 'DeviceName',
    });
    expect(runner.calls).toEqual([
      { script: 'printer-driver', args: { printer: 'Brother HL-2240 series' } },
    ]);
  });

  it('leaves the signature unknown when no Plug and Play device uses the driver', async () => {
    const { source: windows } = source(version, { 'printer-driver': 'printer-driver-hp.json' });
    const driver = await windows.driverFor('Finance LaserJet M507', { signal });
    expect(driver).toMatchObject({
      isSigned: null,
      signer: null,
      signatureMatchedBy: null,
      // Get-PrinterDriver's local midnight (CET) of 7 March 2023.
      date: '2023-03-06T23:00:00.000Z',
    });
  });

  it('answers null for a driver Get-PrinterDriver does not list', async () => {
    const { source: windows } = source(version, {
      'printer-driver': 'printer-driver-missing.json',
    });
    expect(await windows.driverFor('Marketing RICOH IM C3000', { signal })).toBeNull();
  });

  it('says printer-not-found for an unknown or empty printer name', async () => {
    const { source: windows, runner } = source(version, {
      'printer-driver': failing('printer-not-found.json'),
    });
    expect((await rejection(windows.driverFor('Nope', { signal }))).code).toBe('printer-not-found');
    expect((await rejection(windows.driverFor('', { signal }))).code).toBe('printer-not-found');
    expect(runner.calls).toHaveLength(1);
  });

  it('reads the Point and Print policy, absent values as null', async () => {
    const { source: windows } = source(version);
    expect(await windows.pointAndPrintPolicy({ signal })).toEqual({
      restrictDriverInstallationToAdministrators: null,
      noWarningNoElevationOnInstall: null,
      updatePromptSettings: null,
      restricted: null,
      trustedServers: null,
      serverList: null,
      rpcAuthnLevelPrivacyEnabled: null,
      inForest: null,
      packagePointAndPrintOnly: null,
      packagePointAndPrintServerList: null,
      packagePointAndPrintServers: null,
    });
  });

  it('reads the approved servers, whichever way the edition printed the list', async () => {
    const { source: windows } = source(version, {
      'point-and-print': 'point-and-print-approved-servers.json',
    });
    expect(await windows.pointAndPrintPolicy({ signal })).toMatchObject({
      restrictDriverInstallationToAdministrators: 0,
      serverList: 'printsrv01.corp.example;printsrv02.corp.example',
      packagePointAndPrintOnly: 1,
      packagePointAndPrintServerList: 1,
      packagePointAndPrintServers: ['printsrv01.corp.example'],
    });
  });

  it('reads the spool folder and its free space', async () => {
    const { source: windows } = source(version);
    expect(await windows.spoolSpace({ signal })).toEqual({
      path: 'C:\\WINDOWS\\System32\\spool\\PRINTERS',
      freeBytes: 41234567168,
      totalBytes: 254721126400,
      configured: false,
      drive: 'C:\\',
    });
    const moved = source(version, { 'spool-space': 'spool-space-configured.json' });
    expect(await windows.spoolSpace({ signal })).not.toEqual(
      await moved.source.spoolSpace({ signal }),
    );
    expect(await moved.source.spoolSpace({ signal })).toMatchObject({
      path: 'D:\\Spool',
      configured: true,
      freeBytes: 52428800,
    });
  });

  it('gives DiagnosticsEnvironment a spoolSpace function; a failure is a PrintoError', async () => {
    const ok = windowsSpoolSpace(new FixtureRunner(version));
    expect((await ok({ signal })).path).toBe('C:\\WINDOWS\\System32\\spool\\PRINTERS');

    const missing = windowsSpoolSpace(
      new FixtureRunner(version, { 'spool-space': failing('spool-space-no-drive.json') }),
    );
    const error = await rejection(missing({ signal }));
    expect(error.code).toBe('print-service-error');
    expect(error.message).toMatch(
      /^Cannot read the free space of the spool folder: .*Could not find the drive 'E:\\'/,
    );
  });
});

describe('both PowerShell editions', () => {
  it('give the same facts', async () => {
    const scenario: Scenario = {
      'printer-driver': 'printer-driver-canon-ipp.json',
      'point-and-print': 'point-and-print-approved-servers.json',
    };
    const [a, b] = VERSIONS.map((version) => source(version, scenario).source);
    if (a === undefined || b === undefined) throw new Error('two sources');
    expect(await a.driverFor('Canon MF740C Series', { signal })).toEqual(
      await b.driverFor('Canon MF740C Series', { signal }),
    );
    expect(await a.pointAndPrintPolicy({ signal })).toEqual(
      await b.pointAndPrintPolicy({ signal }),
    );
    expect(await a.spoolSpace({ signal })).toEqual(await b.spoolSpace({ signal }));
  });
});

describe('point-and-print.ps1 output', () => {
  const policy = (servers: unknown) =>
    readScriptResult('point-and-print', {
      stdout: JSON.stringify([{ PackagePointAndPrintServers: servers }]),
      stderr: '',
      exitCode: 0,
    }).PackagePointAndPrintServers;

  it('takes the server list as an array, an unrolled single string, or absent', () => {
    expect(policy(['a.corp.example', 'b.corp.example'])).toEqual([
      'a.corp.example',
      'b.corp.example',
    ]);
    expect(policy('a.corp.example')).toEqual(['a.corp.example']);
    expect(policy({ value: [], Count: 0 })).toEqual([]);
    expect(policy(null)).toBeNull();
    expect(policy(undefined)).toBeNull();
  });

  it('reads DWORDs written as text, and nothing else, as numbers', () => {
    const read = (value: unknown) =>
      readScriptResult('point-and-print', {
        stdout: JSON.stringify([{ RestrictDriverInstallationToAdministrators: value }]),
        stderr: '',
        exitCode: 0,
      }).RestrictDriverInstallationToAdministrators;
    expect(read(0)).toBe(0);
    expect(read(' 1 ')).toBe(1);
    expect(read('yes')).toBeNull();
    expect(read(4294967295)).toBe(4294967295);
  });
});

describe('parseDmtfDate', () => {
  it('reads CIM datetimes, with wildcards and offsets in minutes', () => {
    expect(parseDmtfDate('20230801000000.******+000')).toBe('2023-08-01T00:00:00.000Z');
    expect(parseDmtfDate('20230801120000.500000+060')).toBe('2023-08-01T11:00:00.500Z');
    expect(parseDmtfDate('20230801000000.000000-300')).toBe('2023-08-01T05:00:00.000Z');
    expect(parseDmtfDate('2023080100****.******+***')).toBe('2023-08-01T00:00:00.000Z');
  });

  it('reads the null date as "not set" and refuses what is not a date', () => {
    expect(parseDmtfDate('16010101000000.000000+000')).toBeNull();
    expect(parseDmtfDate('20230231000000.******+000')).toBeUndefined();
    expect(parseDmtfDate('2023-08-01T00:00:00Z')).toBeUndefined();
    expect(parseDmtfDate('20230801250000.******+000')).toBeUndefined();
  });
});
