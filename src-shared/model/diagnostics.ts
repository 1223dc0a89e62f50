import { z } from 'zod';

/** Outcome of one check: fine, worth a look, broken, not applicable, or the check itself failed. */
export const CheckStatusSchema = z.enum(['pass', 'warn', 'fail', 'skip', 'error']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** Worst first: a verdict is the worst status among its results. */
export const STATUS_ORDER: readonly CheckStatus[] = ['fail', 'error', 'warn', 'pass', 'skip'];

export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'skip';
  for (const status of statuses) {
    if (STATUS_ORDER.indexOf(status) < STATUS_ORDER.indexOf(worst)) worst = status;
  }
  return worst;
}

/** Consent scopes that unlock personal or identifying data in a shared report (ARCHITECTURE.md, Consent). */
export const SensitiveScopeSchema = z.enum(['device.identifiers', 'jobs.metadata']);
export type SensitiveScope = z.infer<typeof SensitiveScopeSchema>;

/**
 * Something a check looked at. Values that identify a device or a person carry the consent scope
 * that may see them; the shareable report redacts them (and every occurrence of them in any
 * text) unless that scope was granted.
 */
export const EvidenceSchema = z.object({
  label: z.string(),
  value: z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]),
  sensitive: SensitiveScopeSchema.optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/** What the app can do itself, through PrinterSystem, when the user approves. */
export const FixActionSchema = z.discriminatedUnion('id', [
  z.object({ id: z.literal('resume-queue'), printer: z.string() }),
  z.object({
    id: z.literal('cancel-jobs'),
    printer: z.string(),
    jobIds: z.array(z.number().int().positive()).min(1),
  }),
  z.object({
    id: z.literal('release-job'),
    printer: z.string(),
    jobId: z.number().int().positive(),
  }),
  z.object({ id: z.literal('print-test-page'), printer: z.string() }),
]);
export type FixAction = z.infer<typeof FixActionSchema>;

export const FixSchema = z.object({
  title: z.string(),
  /** Steps a person can follow, in order, in plain language. */
  steps: z.array(z.string()).min(1),
  /** When the app can do it for the user. */
  action: FixActionSchema.optional(),
  /** For an IT person: the command to run (e.g. `Restart-Service Spooler`). */
  command: z.string().optional(),
});
export type Fix = z.infer<typeof FixSchema>;

export const CheckResultSchema = z.object({
  checkId: z.string(),
  title: z.string(),
  /** The queue the result is about; null for checks of the whole computer. */
  printer: z.string().nullable(),
  status: CheckStatusSchema,
  /** One line, plain language: what is wrong (or that nothing is). */
  summary: z.string(),
  details: z.string().nullable(),
  evidence: z.array(EvidenceSchema),
  fixes: z.array(FixSchema),
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().min(0),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const DiagnosticsReportSchema = z.object({
  schema: z.literal('diagnostics-report/v1'),
  id: z.uuid(),
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().min(0),
  host: z.object({
    /** Host name: an identifier (scope `device.identifiers`). */
    name: z.string(),
    os: z.object({ platform: z.string(), release: z.string(), arch: z.string() }),
    printService: z.object({ kind: z.enum(['cups', 'windows']), endpoint: z.string() }),
  }),
  app: z.object({ name: z.string(), version: z.string() }),
  options: z.object({
    checkTimeoutMs: z.number().int().positive(),
    deadlineMs: z.number().int().positive(),
    printers: z.array(z.string()).nullable(),
  }),
  verdict: CheckStatusSchema,
  printers: z.array(
    z.object({ name: z.string(), verdict: CheckStatusSchema, summary: z.string() }),
  ),
  results: z.array(CheckResultSchema),
  /** Present in a shareable copy: which sensitive scopes it was produced for. */
  sharing: z.object({ scopes: z.array(SensitiveScopeSchema) }).optional(),
});
export type DiagnosticsReport = z.infer<typeof DiagnosticsReportSchema>;
