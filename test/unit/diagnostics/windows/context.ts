import type { Printer } from '../../../../src-shared/model/printer.ts';
import type { CheckContext, DeviceProbe } from '../../../../src-main/diagnostics/check.ts';
import { PowerShellDiagnosticsSource } from '../../../../src-main/diagnostics/windows/source.ts';
import { WindowsPrinterSystem } from '../../../../src-main/printers/windows/windows-printer-system.ts';
import { FixtureRunner, type Scenario } from '../../printers/windows/fixture-runner.ts';

export const VERSIONS = ['ps51', 'ps7'] as const;
export type Version = (typeof VERSIONS)[number];

/** The fixed "now" of these tests: 1 March 2026, noon UTC. */
export const NOW = Date.UTC(2026, 2, 1, 12);

/** The Windows checks touch no device: a probe that says so if one ever does. */
const noDevice: DeviceProbe = {
  connect: () => Promise.reject(new Error('the Windows checks must not probe devices')),
  printerAttributes: () => Promise.reject(new Error('the Windows checks must not probe devices')),
};

export interface Harness {
  readonly context: CheckContext;
  readonly runner: FixtureRunner;
  readonly printers: readonly Printer[];
  printer(name: string): Printer;
}

/**
 * A CheckContext over the fixture runner, as the diagnostics runner builds one on Windows: the
 * printers come from WindowsPrinterSystem.listPrinters over the fixtures, the clock is fixed and
 * the signal never fires.
 */
export async function windowsContext(version: Version, scenario: Scenario = {}): Promise<Harness> {
  const runner = new FixtureRunner(version, scenario);
  const system = new WindowsPrinterSystem({ runner });
  const printers = await system.listPrinters();
  runner.calls.length = 0;
  const context: CheckContext = {
    env: {
      os: 'win32',
      system,
      windows: new PowerShellDiagnosticsSource({ runner, system }),
      now: () => NOW,
    },
    facts: { printers, printServiceError: null, jobs: [], completedJobs: [] },
    signal: new AbortController().signal,
    timeoutMs: 3000,
    stuckJobAfterMs: 10 * 60_000,
    device: noDevice,
  };
  return {
    context,
    runner,
    printers,
    printer(name) {
      const found = printers.find((printer) => printer.name === name);
      if (found === undefined) throw new Error(`no fixture printer ${name}`);
      return found;
    },
  };
}
