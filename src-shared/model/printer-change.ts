import { z } from 'zod';

/**
 * What changed on the print system, as `PrinterSystem.watch` reports it: enough for a UI to
 * refetch only what changed (one printer with `getPrinter`, one queue's jobs with `listJobs`).
 *
 * - `printer-added`, `printer-changed` (state, reasons, accepting, configuration), `printer-deleted`
 * - `job-created`, `job-changed` (held, released, processing, stopped…), `job-completed`
 *   (completed, canceled or aborted: it left the list of waiting jobs)
 * - `resync`: events may have been missed (the scheduler restarted, the subscription was lost);
 *   refetch everything. `printer` is absent only here.
 */
export const PrinterChangeKindSchema = z.enum([
  'printer-added',
  'printer-changed',
  'printer-deleted',
  'job-created',
  'job-changed',
  'job-completed',
  'resync',
]);
export type PrinterChangeKind = z.infer<typeof PrinterChangeKindSchema>;

export const PrinterChangeSchema = z.object({
  kind: PrinterChangeKindSchema,
  /** The queue concerned; absent for `resync`. */
  printer: z.string().min(1).optional(),
  /** The job concerned, for `job-*` kinds. */
  jobId: z.number().int().positive().optional(),
  /** When the adapter learned of the change (ISO 8601, UTC). */
  at: z.iso.datetime({ offset: true }),
});
export type PrinterChange = z.infer<typeof PrinterChangeSchema>;
