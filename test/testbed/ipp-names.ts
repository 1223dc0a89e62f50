/** IPP names the test bed uses (RFC 8011 §5.3.7, §5.4.11; reference §2). */

export type JobState =
  | 'pending'
  | 'pending-held'
  | 'processing'
  | 'processing-stopped'
  | 'canceled'
  | 'aborted'
  | 'completed';

export type PrinterState = 'idle' | 'processing' | 'stopped';

const JOB_STATES: readonly JobState[] = [
  'pending',
  'pending-held',
  'processing',
  'processing-stopped',
  'canceled',
  'aborted',
  'completed',
];

const PRINTER_STATES: readonly PrinterState[] = ['idle', 'processing', 'stopped'];

/** job-state enum (3–9) to keyword. */
export function jobStateName(value: number): JobState {
  const name = JOB_STATES[value - 3];
  if (name === undefined) throw new Error(`Not a job-state value: ${value}`);
  return name;
}

/** printer-state enum (3–5) to keyword. */
export function printerStateName(value: number): PrinterState {
  const name = PRINTER_STATES[value - 3];
  if (name === undefined) throw new Error(`Not a printer-state value: ${value}`);
  return name;
}

/** `media-jam-report` → `media-jam`: the suffix follows the printer's state, not the problem. */
export function stripSeverity(reason: string): string {
  return reason.replace(/-(report|warning|error)$/, '');
}

/** The printer-state-reasons ippeveprinter knows; fake-print.sh can raise any of them. */
export const DEVICE_REASON_KEYWORDS: readonly string[] = [
  'other',
  'cover-open',
  'input-tray-missing',
  'marker-supply-empty',
  'marker-supply-low',
  'marker-waste-almost-full',
  'marker-waste-full',
  'media-empty',
  'media-jam',
  'media-low',
  'media-needed',
  'moving-to-paused',
  'paused',
  'spool-area-full',
  'toner-empty',
  'toner-low',
];

/**
 * A classic (non-driverless) model that ships with CUPS itself. It produces PostScript, which the
 * test bed's virtual printers accept by default.
 */
export const CLASSIC_PPD_MODEL = 'drv:///sample.drv/generic.ppd';
