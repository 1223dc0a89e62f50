import type { CheckContext, CheckOutcome, WindowsDiagnosticsSource } from '../check.ts';

/** A PowerShell single-quoted string: nothing inside is expanded; `'` doubles. */
export function psQuote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The Windows source, or the outcome that says it is missing (a run set up without it). */
export function windowsSource(
  context: CheckContext,
): { source: WindowsDiagnosticsSource } | { skip: CheckOutcome } {
  const source = context.env.windows;
  if (source !== undefined) return { source };
  return {
    skip: {
      status: 'skip',
      summary: 'Windows facts are not available in this run.',
      details:
        'This check reads the Windows spooler service, drivers and policies through PowerShell; the run was started without that source.',
    },
  };
}

/** `2016-02-01` from an ISO date-time. */
export function day(iso: string): string {
  return iso.slice(0, 10);
}
