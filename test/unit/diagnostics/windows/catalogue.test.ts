/**
 * The whole catalogue on Windows, as `printo-help diagnose` runs it there: the real
 * WindowsPrinterSystem and diagnostics sources over recorded PowerShell output (ps51 and ps7).
 * The fixture printers have 192.0.2.x addresses, which must never be dialled here: the device
 * probe answers "unreachable" as an isolated machine would.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceProbe } from '../../../../src-main/diagnostics/check.ts';
import { allChecks } from '../../../../src-main/diagnostics/checks/index.ts';
import { createDiagnosticsEnvironment } from '../../../../src-main/diagnostics/environment.ts';
import { runDiagnostics } from '../../../../src-main/diagnostics/runner.ts';
import { WindowsPrinterSystem } from '../../../../src-main/printers/windows/windows-printer-system.ts';
import { PrintoError } from '../../../../src-shared/errors.ts';
import type { DiagnosticsReport } from '../../../../src-shared/model/diagnostics.ts';
import { FixtureRunner } from '../../printers/windows/fixture-runner.ts';
import type { Scenario } from '../../printers/windows/fixture-runner.ts';
import { NOW, VERSIONS } from './context.ts';

const isolated: DeviceProbe = {
  connect: (host, port) =>
    Promise.reject(new PrintoError('device-unreachable', `Cannot reach ${host}:${port}.`)),
  printerAttributes: () => Promise.reject(new PrintoError('ipp-unreachable', 'Cannot connect.')),
};

const drivers: Scenario = {
  'printer-driver': (args) =>
    args.printer.startsWith('Brother')
      ? 'printer-driver-brother.json'
      : args.printer.startsWith('Canon')
        ? 'printer-driver-canon-ipp.json'
        : 'printer-driver-hp.json',
};

async function diagnose(version: 'ps51' | 'ps7', scenario: Scenario): Promise<DiagnosticsReport> {
  const system = new WindowsPrinterSystem({
    runner: new FixtureRunner(version, { ...drivers, ...scenario }),
  });
  const env = createDiagnosticsEnvironment(system, { os: 'win32', now: () => NOW });
  return runDiagnostics(env, allChecks, { probe: isolated });
}

describe.each(VERSIONS)('the diagnostics catalogue on Windows (%s)', (version) => {
  it('explains offline via WorkOffline, a paper jam and a paused queue, and runs the Windows checks', async () => {
    const report = await diagnose(version, {});
    const find = (printer: string | null, checkId: string) =>
      report.results.filter((r) => r.printer === printer && r.checkId === checkId);
    expect(find('Brother HL-2240 series', 'device-condition')[0]).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/Offline/) as unknown,
    });
    expect(find("Reception's Kyocera", 'device-condition')[0]).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/Paper jam/) as unknown,
    });
    expect(find('Marketing RICOH IM C3000', 'queue-ready')[0]).toMatchObject({
      status: 'fail',
      fixes: [
        expect.objectContaining({
          action: { id: 'resume-queue', printer: 'Marketing RICOH IM C3000' },
        }),
      ],
    });
    expect(find('Brother HL-2240 series', 'windows-driver')[0]?.status).toMatch(/warn|fail/);
    expect(find(null, 'windows-spooler')[0]?.status).toBe('pass');
    expect(find(null, 'windows-point-and-print')).toHaveLength(1);
    expect(find(null, 'spool-space')[0]?.status).toBe('pass');
    // CUPS-only checks do not run on Windows; nothing crashed.
    expect(report.results.some((r) => r.checkId === 'driver-kind')).toBe(false);
    expect(report.results.filter((r) => r.status === 'error')).toEqual([]);
  });

  it('with the spooler stopped: the print service fails, the spooler check says how to start it', async () => {
    const report = await diagnose(version, {
      'list-printers': 'list-printers-spooler-down.json',
      'list-jobs': 'list-printers-spooler-down.json',
      'spooler-status': 'spooler-status-stopped.json',
    });
    expect(report.results.find((r) => r.checkId === 'print-service')).toMatchObject({
      status: 'fail',
    });
    const spooler = report.results.find((r) => r.checkId === 'windows-spooler');
    expect(spooler?.status).toBe('fail');
    expect(spooler?.fixes.map((f) => f.command).join(' ')).toMatch(/Start-Service/);
    expect(report.results.some((r) => r.printer !== null)).toBe(false);
  });
});
