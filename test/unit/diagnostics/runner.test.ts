/**
 * The runner's orchestration: concurrency, time-outs, deadline, cancellation, progress, errors.
 * The print system is a small in-memory implementation of the port (real CUPS is in
 * test/integration/diagnostics.test.ts); the checks are test checks with controlled behaviour.
 */
import { describe, expect, it } from 'vitest';
import type {
  Check,
  DiagnosticsEnvironment,
  PrinterCheck,
  SystemCheck,
} from '../../../src-main/diagnostics/check.ts';
import { runDiagnostics } from '../../../src-main/diagnostics/runner.ts';
import type { ProgressEvent } from '../../../src-main/diagnostics/runner.ts';
import type { PrinterSystem } from '../../../src-main/printers/printer-system.ts';
import { PrintoError } from '../../../src-shared/errors.ts';
import { DiagnosticsReportSchema } from '../../../src-shared/model/diagnostics.ts';
import type { Printer } from '../../../src-shared/model/printer.ts';
import { makePrinter } from '../make-printer.ts';

const printer = (name: string): Printer => makePrinter({ name });

function memorySystem(printers: Printer[] | Error): PrinterSystem {
  const list = (): Promise<Printer[]> =>
    printers instanceof Error ? Promise.reject(printers) : Promise.resolve(printers);
  const none = (): Promise<never> => Promise.reject(new Error('not used'));
  return {
    kind: 'cups',
    endpoint: 'memory',
    listPrinters: list,
    getPrinter: none,
    listJobs: () => (printers instanceof Error ? Promise.reject(printers) : Promise.resolve([])),
    cancelJob: none,
    holdJob: none,
    releaseJob: none,
    pausePrinter: none,
    resumePrinter: none,
    printTestPage: none,
    watch: none,
  };
}

const env = (printers: Printer[] | Error): DiagnosticsEnvironment => ({
  os: 'linux',
  system: memorySystem(printers),
  now: Date.now,
});

/** Never settles unless its signal aborts (a check that honours cancellation). */
const waitForAbort = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    if (signal.aborted) reject(new Error('aborted'));
    signal.addEventListener('abort', () => {
      reject(new Error('aborted'));
    });
  });

const perPrinter = (id: string, run: PrinterCheck['run'], network = true): PrinterCheck => ({
  id,
  title: id,
  description: id,
  os: ['linux'],
  scope: 'printer',
  network,
  run,
});

const system = (id: string, run: SystemCheck['run']): SystemCheck => ({
  id,
  title: id,
  description: id,
  os: ['linux', 'win32'],
  scope: 'system',
  network: false,
  run,
});

const pass: PrinterCheck['run'] = () => Promise.resolve([{ status: 'pass', summary: 'fine' }]);

describe('diagnostics runner', () => {
  it('runs each printer check once per printer and each system check once, concurrently', async () => {
    let running = 0;
    let peak = 0;
    const slow = perPrinter('slow', async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return [{ status: 'pass', summary: 'ok' }];
    });
    const report = await runDiagnostics(env([printer('A'), printer('B'), printer('C')]), [
      slow,
      system('sys', () => Promise.resolve([{ status: 'pass', summary: 'ok' }])),
    ]);
    expect(report.results.map((r) => `${r.checkId}:${r.printer ?? '-'}`).sort()).toEqual([
      'slow:A',
      'slow:B',
      'slow:C',
      'sys:-',
    ]);
    expect(peak).toBe(3);
    expect(DiagnosticsReportSchema.parse(report)).toEqual(report);
  });

  it('turns a check that throws into an error result; the run goes on', async () => {
    const report = await runDiagnostics(env([printer('A')]), [
      perPrinter('boom', () => Promise.reject(new TypeError('cannot read x of undefined'))),
      perPrinter('fine', pass),
    ]);
    expect(report.results.find((r) => r.checkId === 'boom')).toMatchObject({
      status: 'error',
      summary: expect.stringContaining('TypeError: cannot read x of undefined') as unknown,
    });
    expect(report.results.find((r) => r.checkId === 'fine')?.status).toBe('pass');
    expect(report.verdict).toBe('error');
  });

  it('gives up on a network check at its time-out even if it ignores its signal', async () => {
    const started = performance.now();
    const report = await runDiagnostics(
      env([printer('A')]),
      [perPrinter('hangs', () => new Promise(() => undefined)), perPrinter('fine', pass)],
      { networkTimeoutMs: 100 },
    );
    expect(report.results.find((r) => r.checkId === 'hangs')).toMatchObject({
      status: 'error',
      summary: expect.stringMatching(/did not finish within 600 ms/) as unknown,
    });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('stops everything at the overall deadline and says so', async () => {
    const report = await runDiagnostics(
      env([printer('A'), printer('B')]),
      [perPrinter('local-and-slow', ({ signal }) => waitForAbort(signal), false)],
      { deadlineMs: 150, localTimeoutMs: 10_000 },
    );
    expect(report.results).toHaveLength(2);
    for (const result of report.results) {
      expect(result.status).toBe('error');
      expect(result.summary).toMatch(/150 ms deadline/);
    }
  });

  it('can be cancelled by the caller', async () => {
    const controller = new AbortController();
    const pending = runDiagnostics(
      env([printer('A')]),
      [
        perPrinter(
          'waits',
          ({ signal }) => {
            controller.abort();
            return waitForAbort(signal);
          },
          false,
        ),
      ],
      { signal: controller.signal },
    );
    const report = await pending;
    expect(report.results[0]).toMatchObject({
      status: 'error',
      summary: expect.stringMatching(/cancelled/) as unknown,
    });
  });

  it('reports progress: started, then one started and one finished event per task', async () => {
    const events: ProgressEvent[] = [];
    await runDiagnostics(env([printer('A'), printer('B')]), [perPrinter('one', pass)], {
      onProgress: (event) => events.push(event),
    });
    expect(events[0]).toEqual({ type: 'started', total: 2 });
    expect(events.filter((e) => e.type === 'check-started')).toHaveLength(2);
    const finished = events.filter((e) => e.type === 'check-finished');
    expect(finished.map((e) => e.done)).toEqual([1, 2]);
  });

  it('skips printer checks when the print service is down, and reports unknown printers', async () => {
    const down = new PrintoError(
      'print-service-unreachable',
      'Cannot reach CUPS at /run/cups/cups.sock.',
    );
    const seen: (Error | null)[] = [];
    const checks: Check[] = [
      system('print-service', ({ facts }) => {
        seen.push(facts.printServiceError);
        return Promise.resolve([{ status: 'fail', summary: 'down' }]);
      }),
      perPrinter('never', pass),
    ];
    const report = await runDiagnostics(env(down), checks);
    expect(seen).toEqual([down]);
    expect(report.results.map((r) => r.checkId)).toEqual(['print-service']);

    const missing = await runDiagnostics(env([printer('A')]), [perPrinter('one', pass)], {
      printers: ['Nope'],
    });
    expect(missing.results).toEqual([
      expect.objectContaining({ checkId: 'printers-present', printer: 'Nope', status: 'fail' }),
    ]);
  });

  it('only runs checks for this OS', async () => {
    const windowsOnly: PrinterCheck = { ...perPrinter('win', pass), os: ['win32'] };
    const report = await runDiagnostics(env([printer('A')]), [
      windowsOnly,
      perPrinter('linux', pass),
    ]);
    expect(report.results.map((r) => r.checkId)).toEqual(['linux']);
  });
});
