import type { JobState } from '../model/job.ts';
import type { Printer } from '../model/printer.ts';
import { explainPrinterReason } from './knowledge.ts';

/**
 * The few words a status-table cell can hold for a printer-state-reason keyword (`media-jam` →
 * `Paper jam`), from the knowledge base. Unknown keywords are shown as they are, dashes as spaces
 * and without a vendor prefix (`com.acme-stapler-empty` → `stapler empty`).
 */
export function reasonLabel(keyword: string): string {
  // The title does not depend on the printer state; any state will do.
  return explainPrinterReason(keyword, 'unknown').title;
}

/** One short phrase for the state of a queue: `Ready`, `Printing`, `Paused`, `Paper jam`… */
export function printerStatusLabel(printer: Printer): string {
  // Worst first, judged by the keyword itself (a jam before low toner), whatever order the
  // printer happened to report them in.
  const rank = { error: 0, warning: 1, report: 2 } as const;
  const problems = printer.reasons
    .filter((r) => r.severity !== 'report' && r.keyword !== 'paused')
    .map((r, index) => ({ r, index, rank: rank[explainPrinterReason(r.raw, 'stopped').severity] }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ r }) => r);
  const base =
    printer.state === 'stopped'
      ? printer.reasons.some((r) => r.keyword === 'paused')
        ? 'Paused'
        : 'Stopped'
      : printer.state === 'processing'
        ? 'Printing'
        : printer.state === 'idle'
          ? 'Ready'
          : 'Unknown';
  const parts = [base, ...problems.map((r) => reasonLabel(r.keyword))];
  if (!printer.acceptingJobs) parts.push('Not accepting jobs');
  return parts.join(', ');
}

const JOB_STATE_LABELS: Readonly<Record<JobState, string>> = {
  pending: 'Waiting',
  'pending-held': 'Held',
  processing: 'Printing',
  'processing-stopped': 'Stopped',
  canceled: 'Cancelled',
  aborted: 'Failed',
  completed: 'Printed',
};

export function jobStateLabel(state: JobState): string {
  return JOB_STATE_LABELS[state];
}
