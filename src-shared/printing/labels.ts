import type { Job, JobState } from '../model/job.ts';
import type { Printer } from '../model/printer.ts';
import { explainJobReason, explainPrinterReason } from './knowledge.ts';

/**
 * The few words a status-table cell can hold for a printer-state-reason keyword (`media-jam` →
 * `Paper jam`), from the knowledge base. Unknown keywords are shown as they are, dashes as spaces
 * and without a vendor prefix (`com.acme-stapler-empty` → `stapler empty`).
 */
export function reasonLabel(keyword: string): string {
  // The title does not depend on the printer state; any state will do.
  return explainPrinterReason(keyword, 'unknown').title;
}

export interface PrinterStatus {
  /**
   * One status, worst first: the worst problem when the printer cannot print because of it
   * (`Paper jam`, `Offline`), else `Paused`, `Stopped`, `Printing`, `Ready` or `Unknown`.
   */
  readonly label: string;
  /** How bad it is now, by the knowledge base's severity rule: for colour and sorting. */
  readonly tone: 'ok' | 'warning' | 'error';
  /** Everything else wrong, worst first, without the status itself: `Toner low`, `Paused`. */
  readonly problems: readonly string[];
}

const RANK = { error: 0, warning: 1, report: 2 } as const;

/**
 * The status of a queue and its other problems, consistent with each other: a printer with a
 * paper jam is not `Ready`, whatever state the queue is in (CUPS keeps an idle queue idle while
 * its device reports a jam). A reason whose keyword means the printer cannot print (default
 * severity error in the knowledge base, before the rule caps it while the queue is not stopped)
 * becomes the status; lesser ones are problems beside it.
 */
export function printerStatus(printer: Printer): PrinterStatus {
  const ranked = printer.reasons
    .filter((r) => r.severity !== 'report' && r.keyword !== 'paused')
    .map((r, index) => ({
      r,
      index,
      // Judged by the keyword itself (a jam before low toner), not by the order reported.
      intrinsic: explainPrinterReason(r.raw, 'stopped').severity,
    }))
    .sort((a, b) => RANK[a.intrinsic] - RANK[b.intrinsic] || a.index - b.index);
  const paused = printer.reasons.some((r) => r.keyword === 'paused');
  const base =
    printer.state === 'stopped'
      ? paused
        ? 'Paused'
        : 'Stopped'
      : printer.state === 'processing'
        ? 'Printing'
        : printer.state === 'idle'
          ? 'Ready'
          : 'Unknown';
  const worst = ranked[0];
  const blocking = worst?.intrinsic === 'error';
  const label = blocking ? reasonLabel(worst.r.keyword) : base;
  const problems = ranked.map(({ r }) => reasonLabel(r.keyword));
  if (blocking && paused) problems.push('Paused');
  if (!printer.acceptingJobs) problems.push('Not accepting jobs');
  const tone =
    printer.state === 'stopped' || printer.reasons.some((r) => r.severity === 'error')
      ? 'error'
      : ranked.length > 0 || !printer.acceptingJobs
        ? 'warning'
        : 'ok';
  return { label, tone, problems: [...new Set(problems)].filter((p) => p !== label) };
}

/**
 * The queue's state message when it says more than the status does. A message that only names a
 * state (`Idle.`, `Ready to print.`) is left out: CUPS copies it from the device and keeps it
 * while the queue prints, so it would contradict the status shown beside it.
 */
export function stateMessageWorthShowing(printer: Printer): string | null {
  const message = printer.stateMessage?.trim() ?? '';
  if (message === '') return null;
  if (/^(idle|ready|ready to print|printing|processing|stopped|paused)\.?$/i.test(message)) {
    return null;
  }
  return message;
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

/**
 * A job's state in plain words, with what its reasons add: `Held`, `Printed with warnings`,
 * `Waiting (Printer stopped)`. Progress reasons (`job-printing`, `processing-to-stop-point`) and
 * reasons that repeat the state are left out; the raw keywords are in the JSON output.
 */
export function jobStatusLabel(job: Pick<Job, 'state' | 'reasons'>): string {
  let label = jobStateLabel(job.state);
  const extra: string[] = [];
  for (const keyword of job.reasons) {
    const reason = explainJobReason(keyword);
    // Progress only: nothing to act on, and often stale (CUPS keeps them on finished jobs).
    if (reason.known && reason.fix === null) continue;
    if (reason.title === label) continue;
    // `Printed` + `Printed with warnings` → `Printed with warnings`.
    if (reason.title.startsWith(`${label} `)) label = reason.title;
    else if (!extra.includes(reason.title)) extra.push(reason.title);
  }
  return extra.length === 0 ? label : `${label} (${extra.join(', ')})`;
}
