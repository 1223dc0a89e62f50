import type { JobState } from '../model/job.ts';
import type { Printer } from '../model/printer.ts';

/**
 * Short, plain-language labels for status tables. The full meaning and fix of each keyword
 * belong to the diagnostics knowledge base; these are the few words a table cell can hold.
 */
const REASON_LABELS: Readonly<Record<string, string>> = {
  'media-empty': 'Out of paper',
  'media-low': 'Paper low',
  'media-needed': 'Needs paper loaded',
  'media-jam': 'Paper jam',
  'toner-low': 'Toner low',
  'toner-empty': 'Out of toner',
  'marker-supply-low': 'Ink or toner low',
  'marker-supply-empty': 'Out of ink or toner',
  'marker-supply-missing': 'Cartridge missing',
  'marker-waste-almost-full': 'Waste container almost full',
  'marker-waste-full': 'Waste container full',
  'door-open': 'Door open',
  'cover-open': 'Cover open',
  'interlock-open': 'Door open',
  'input-tray-missing': 'Paper tray missing',
  'output-tray-missing': 'Output tray missing',
  'output-area-almost-full': 'Output bin almost full',
  'output-area-full': 'Output bin full',
  'spool-area-full': 'Printer memory full',
  offline: 'Offline',
  shutdown: 'Switched off',
  'connecting-to-device': 'Cannot reach the printer',
  'timed-out': 'Printer not answering',
  paused: 'Paused',
  'moving-to-paused': 'Pausing',
  stopping: 'Stopping',
  'stopped-partly': 'Partly unavailable',
  'hold-new-jobs': 'Holding new jobs',
  deactivated: 'Deactivated',
  'fuser-over-temp': 'Fuser too hot',
  'fuser-under-temp': 'Warming up',
  'opc-near-eol': 'Drum wearing out',
  'opc-life-over': 'Drum worn out',
  'developer-low': 'Developer low',
  'interpreter-resource-unavailable': 'Missing font or form',
  'cups-missing-filter': 'Driver incomplete',
  'cups-insecure-filter': 'Driver files unsafe',
  'cups-certificate-error': 'Printer certificate changed',
  'cups-waiting-for-job-completed': 'Finishing a job',
  other: 'Needs attention',
};

/** `media-jam` → `Paper jam`; unknown keywords are shown as they are, dashes as spaces. */
export function reasonLabel(keyword: string): string {
  const label = REASON_LABELS[keyword];
  if (label !== undefined) return label;
  if (keyword.startsWith('cups-ipp-')) return 'Printer firmware incomplete';
  return keyword.replaceAll('-', ' ');
}

/** One short phrase for the state of a queue: `Ready`, `Printing`, `Paused`, `Paper jam`… */
export function printerStatusLabel(printer: Printer): string {
  const problems = printer.reasons.filter((r) => r.severity !== 'report' && r.keyword !== 'paused');
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
