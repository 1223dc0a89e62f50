import { beforeAll, describe, expect, it } from 'vitest';
import { loadWideWidths } from '../../../src-shared/text/table.ts';
import type { CheckResult, DiagnosticsReport } from '../../../src-shared/model/diagnostics.ts';
import { progressReporter, renderReport } from '../../../src-main/cli/diagnose-format.ts';
import type { ProgressEvent } from '../../../src-main/diagnostics/runner.ts';

// The Unicode width tables, as every command that draws a table loads them first.
beforeAll(loadWideWidths);

const result = (over: Partial<CheckResult> & { checkId: string }): CheckResult =>
  ({
    title: over.checkId,
    printer: 'Office',
    status: 'pass',
    summary: 'fine',
    details: null,
    fixes: [],
    durationMs: 1,
    ...over,
  }) as CheckResult;

describe('diagnose progress line', () => {
  it('names the check and printer it is still waiting on, not the one that just finished', () => {
    const line = progressReporter(false);
    const started = (checkId: string, printer: string, done: number): ProgressEvent => ({
      type: 'check-started',
      checkId,
      title: checkId === 'device' ? 'Printer reachable' : 'Queue ready',
      printer,
      done,
      total: 3,
    });
    expect(line({ type: 'started', total: 3 })).toBeNull();
    line(started('device', 'Basement', 0));
    expect(line(started('queue', 'Office', 0))).toMatch(
      /0\/3 waiting on Basement · Printer reachable \(\+1 more\)$/,
    );
    const finished = line({
      type: 'check-finished',
      result: result({ checkId: 'queue', printer: 'Office' }),
      done: 1,
      total: 3,
    });
    expect(finished).toMatch(/1\/3 waiting on Basement · Printer reachable$/);
    expect(finished).not.toContain('Office');
  });

  it('fits the terminal', () => {
    const line = progressReporter(false, 40);
    const text = line({
      type: 'check-started',
      checkId: 'device',
      title: 'Printer reachable',
      printer: 'A-very-long-queue-name-on-the-fourth-floor',
      done: 0,
      total: 9,
    });
    expect(text?.length).toBeLessThan(40);
    expect(text).toMatch(/…$/);
  });
});

describe('diagnose report', () => {
  it('prints a fix that two checks share once, and refers to it the second time', () => {
    const fix = { title: 'Use the driverless setup', steps: ['Ask IT to set it up again.'] };
    const report = {
      results: [
        result({ checkId: 'driver-type', status: 'warn', fixes: [fix] }),
        result({ checkId: 'driver-match', status: 'warn', fixes: [fix] }),
        result({ checkId: 'driver-match', printer: 'Basement', status: 'warn', fixes: [fix] }),
      ],
      durationMs: 10,
    } as unknown as DiagnosticsReport;
    const text = renderReport(report, false);
    // Once per printer: Office's second check refers to it, Basement gets its own.
    expect(text.match(/Ask IT to set it up again/g)).toHaveLength(2);
    expect(text).toContain('What to do: Use the driverless setup (as above)');
  });
});
