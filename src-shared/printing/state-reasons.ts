import type { PrinterState, StateReason } from '../model/printer.ts';
import { explainPrinterReason } from './knowledge.ts';

/*
 * The suffix rule and the default severities live with the keyword table in knowledge.ts, which
 * explains a reason with them; this module turns a raw list into the model's StateReason[].
 */
export { reasonSeverity, splitReasonSuffix } from './knowledge.ts';

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
    const { keyword, severity } = explainPrinterReason(trimmed, printerState);
    reasons.push({ keyword, raw: trimmed, severity });
  }
  return reasons;
}
