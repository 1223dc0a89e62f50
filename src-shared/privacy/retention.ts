/**
 * Retention rules as pure functions of a clock (ARCHITECTURE.md, Retention). The company policy
 * says personal information is kept "only for as long as necessary to fulfill the purposes for
 * which it was collected" and then "securely destroyed"; docs/privacy.md explains each period.
 *
 * Every period is whole days of 24 hours counted in UTC milliseconds from the moment the record
 * stopped growing (a session's end), so daylight-saving changes never move an expiry. A record
 * expires at exactly `from + days`; `now` at or after that instant means expired.
 */
import { z } from 'zod';

export const RETENTION_CATEGORIES = [
  'chatTranscript',
  'diagnosticReport',
  'consentReceipt',
  'sessionMetadata',
] as const;
export type RetentionCategory = (typeof RETENTION_CATEGORIES)[number];

const DAY_MS = 86_400_000;

interface CategoryRule {
  /** The configuration key of the period. */
  readonly key:
    'chatTranscriptDays' | 'diagnosticReportDays' | 'consentReceiptDays' | 'sessionMetadataDays';
  readonly defaultDays: number;
  /** Larger values are refused as a likely typo: a legal hold is the way to keep longer. */
  readonly maxDays: number;
  readonly what: string;
  readonly why: string;
}

/** Defaults and bounds per category, with the reasoning docs/privacy.md repeats. */
export const RETENTION_RULES: Readonly<Record<RetentionCategory, CategoryRule>> = {
  chatTranscript: {
    key: 'chatTranscriptDays',
    defaultDays: 90,
    maxDays: 1095,
    what: 'Chat messages of a support session and the description of the request.',
    why:
      'Long enough for follow-ups on the same fault, a reopened ticket and a quarterly managed-print ' +
      'service review, and to answer an access request (one month, GDPR Art. 12(3)) about a ' +
      'recent session; after that the conversation has served its purpose.',
  },
  diagnosticReport: {
    key: 'diagnosticReportDays',
    defaultDays: 30,
    maxDays: 365,
    what: 'Diagnostic reports of printers, queues and drivers.',
    why:
      'A report describes the state of a machine at one moment and is stale within weeks; it is ' +
      'kept only to compare with the next run while a fault is being fixed.',
  },
  consentReceipt: {
    key: 'consentReceiptDays',
    defaultDays: 730,
    maxDays: 3650,
    what: 'Consent receipts (grant, denial, time-out, revocation, end) and the audit log.',
    why:
      'Proof that data was collected with consent must outlive the data (GDPR Art. 7(1)) and ' +
      'cover a complaint or claim about a session and two yearly audits; receipts hold ids, ' +
      'times and scopes, never message text.',
  },
  sessionMetadata: {
    key: 'sessionMetadataDays',
    defaultDays: 730,
    maxDays: 3650,
    what: 'That a session happened: ids, device, agent, state, times, granted scopes, end reason.',
    why:
      'Service records for the managed-print contract and security investigations; a session ' +
      'row is what its consent receipts refer to, so it is kept at least as long as they are.',
  },
};

/** One period in days, within its category's bounds. */
export function retentionDaysSchema(category: RetentionCategory) {
  const rule = RETENTION_RULES[category];
  return z
    .number({ error: `${rule.key} must be a number of days` })
    .int({ error: `${rule.key} must be a whole number of days` })
    .min(1, { error: `${rule.key} must be at least 1 day (use a legal hold to keep data)` })
    .max(rule.maxDays, {
      error: `${rule.key} must be at most ${rule.maxDays} days (use a legal hold to keep longer)`,
    });
}

/**
 * The order the periods must keep: consent receipts are the proof for the transcript, so they
 * may not go first; a session row is what receipts and transcript refer to, so it goes last.
 */
export function retentionOrderIssues(periods: {
  readonly chatTranscriptDays: number;
  readonly consentReceiptDays: number;
  readonly sessionMetadataDays: number;
}): string[] {
  const issues: string[] = [];
  if (periods.consentReceiptDays < periods.chatTranscriptDays) {
    issues.push(
      `consentReceiptDays (${periods.consentReceiptDays}) must be at least chatTranscriptDays ` +
        `(${periods.chatTranscriptDays}): the proof of consent must outlive the transcript`,
    );
  }
  if (periods.sessionMetadataDays < periods.consentReceiptDays) {
    issues.push(
      `sessionMetadataDays (${periods.sessionMetadataDays}) must be at least consentReceiptDays ` +
        `(${periods.consentReceiptDays}): receipts are deleted with their session`,
    );
  }
  return issues;
}

/** All four periods, each defaulting to its category's default. */
export const RetentionPeriodsSchema = z
  .strictObject({
    chatTranscriptDays: retentionDaysSchema('chatTranscript').default(
      RETENTION_RULES.chatTranscript.defaultDays,
    ),
    diagnosticReportDays: retentionDaysSchema('diagnosticReport').default(
      RETENTION_RULES.diagnosticReport.defaultDays,
    ),
    consentReceiptDays: retentionDaysSchema('consentReceipt').default(
      RETENTION_RULES.consentReceipt.defaultDays,
    ),
    sessionMetadataDays: retentionDaysSchema('sessionMetadata').default(
      RETENTION_RULES.sessionMetadata.defaultDays,
    ),
  })
  .superRefine((periods, ctx) => {
    for (const message of retentionOrderIssues(periods)) ctx.addIssue({ code: 'custom', message });
  });
export type RetentionPeriods = z.infer<typeof RetentionPeriodsSchema>;

export const DEFAULT_RETENTION: Readonly<RetentionPeriods> = Object.freeze({
  chatTranscriptDays: RETENTION_RULES.chatTranscript.defaultDays,
  diagnosticReportDays: RETENTION_RULES.diagnosticReport.defaultDays,
  consentReceiptDays: RETENTION_RULES.consentReceipt.defaultDays,
  sessionMetadataDays: RETENTION_RULES.sessionMetadata.defaultDays,
});

/** The periods a caller keeps (the relay has no diagnostic reports); missing ones default. */
export type AnyPeriods = Readonly<Partial<Record<CategoryRule['key'], number>>>;

/** The configured period of `category` in days, or its default when the caller has none. */
export function periodDays(category: RetentionCategory, periods: AnyPeriods): number {
  const rule = RETENTION_RULES[category];
  return periods[rule.key] ?? rule.defaultDays;
}

function toMs(time: Date | string, what: string): number {
  const ms = typeof time === 'string' ? Date.parse(time) : time.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`${what} is not a valid time: ${String(time)}`);
  return ms;
}

/** When a record of `category` that ended (or was created) at `from` expires. */
export function expiresAt(
  category: RetentionCategory,
  from: Date | string,
  periods: AnyPeriods = DEFAULT_RETENTION,
): Date {
  return new Date(toMs(from, 'from') + periodDays(category, periods) * DAY_MS);
}

/** True when the record is past its retention period at `now` (the expiry instant included). */
export function isExpired(
  category: RetentionCategory,
  from: Date | string,
  now: Date | string,
  periods: AnyPeriods = DEFAULT_RETENTION,
): boolean {
  return toMs(now, 'now') >= expiresAt(category, from, periods).getTime();
}

/**
 * The latest `from` that is expired at `now`: records with `from <= cutoff` are expired. The same
 * boundary as `isExpired`, in the form a database query needs.
 */
export function expiryCutoff(
  category: RetentionCategory,
  now: Date | string,
  periods: AnyPeriods = DEFAULT_RETENTION,
): Date {
  return new Date(toMs(now, 'now') - periodDays(category, periods) * DAY_MS);
}

/** Human-readable problems of a configured set of periods, empty when it is valid. */
export function retentionProblems(value: unknown): string[] {
  const result = RetentionPeriodsSchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
}
