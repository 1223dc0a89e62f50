import type { PrinterState, Severity, StateReason } from '../model/printer.ts';

const SEVERITY_RANK: Record<Severity, number> = { report: 0, warning: 1, error: 2 };

/**
 * Default severity of a base keyword when it arrives without a suffix, or with a weaker one.
 * Keywords absent here count as `warning`. (reference/printing.md §2; PWG 5100.x keyword registry.)
 */
const DEFAULT_SEVERITY: Readonly<Record<string, Severity>> = {
  'media-jam': 'error',
  'media-empty': 'error',
  'media-needed': 'error',
  'toner-empty': 'error',
  'marker-supply-empty': 'error',
  'marker-supply-missing': 'error',
  'marker-waste-full': 'error',
  'door-open': 'error',
  'cover-open': 'error',
  'interlock-open': 'error',
  'input-tray-missing': 'error',
  'output-area-full': 'error',
  'opc-life-over': 'error',
  offline: 'error',
  shutdown: 'error',
  'spool-area-full': 'error',
  'cups-missing-filter': 'error',
  'cups-insecure-filter': 'error',
  'cups-certificate-error': 'error',
  'cups-waiting-for-job-completed': 'report',
  'cups-ipp-conformance-failure-report': 'report',
};

const SUFFIXES: readonly (readonly [string, Severity])[] = [
  ['-report', 'report'],
  ['-warning', 'warning'],
  ['-error', 'error'],
];

/** `media-jam-warning` → `['media-jam', 'warning']`; `media-jam` → `['media-jam', null]`. */
export function splitReasonSuffix(raw: string): readonly [string, Severity | null] {
  for (const [suffix, severity] of SUFFIXES) {
    if (raw.length > suffix.length && raw.endsWith(suffix)) {
      return [raw.slice(0, -suffix.length), severity];
    }
  }
  return [raw, null];
}

/**
 * Severity rule for printer-state-reasons. The spec ties the suffix to severity (RFC 8011
 * §5.4.12), but in practice the suffix follows the printer state: ippeveprinter says `-report`
 * while idle and `-warning` while printing, and CUPS turns a device's `media-empty-report` into
 * `media-empty-warning`. So: strip the suffix, take the stronger of the suffix and the keyword's
 * default, and cap at warning unless the printer is stopped (only then is it really not printing).
 */
export function reasonSeverity(raw: string, printerState: PrinterState): Severity {
  const [base, suffixSeverity] = splitReasonSuffix(raw);
  const keywordDefault = DEFAULT_SEVERITY[base] ?? 'warning';
  let severity: Severity =
    suffixSeverity !== null && SEVERITY_RANK[suffixSeverity] > SEVERITY_RANK[keywordDefault]
      ? suffixSeverity
      : keywordDefault;
  if (severity === 'error' && printerState !== 'stopped') severity = 'warning';
  return severity;
}

/** Turns raw printer-state-reasons into normalised reasons; `none` and duplicates are dropped. */
export function normaliseReasons(
  raws: readonly string[],
  printerState: PrinterState,
): StateReason[] {
  const seen = new Set<string>();
  const reasons: StateReason[] = [];
  for (const raw of raws) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed === 'none' || seen.has(trimmed)) continue;
    seen.add(trimmed);
    const [keyword] = splitReasonSuffix(trimmed);
    reasons.push({ keyword, raw: trimmed, severity: reasonSeverity(trimmed, printerState) });
  }
  return reasons;
}
