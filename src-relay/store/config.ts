/**
 * The `retention` section of the relay's configuration (`DATA_DIR/config.json`, read by
 * `printo-relay serve`; docs/privacy.md, Configuring the periods):
 *
 *   { "retention": { "chatTranscriptDays": 90, "consentReceiptDays": 730, "sessionMetadataDays": 730 } }
 *
 * Every key is optional and defaults to the company default (src-shared/privacy/retention.ts).
 * Unknown keys are refused, so a misspelt key cannot silently keep the default.
 */
import { z } from 'zod';
import { PrintoError } from '../../src-shared/errors.ts';
import {
  DEFAULT_RETENTION,
  retentionDaysSchema,
  retentionOrderIssues,
} from '../../src-shared/privacy/retention.ts';
import { StoreErrorCode } from './errors.ts';
import type { RetentionPeriods } from './store.ts';

/** The relay's periods: it keeps transcripts, receipts and session rows, not diagnostic reports. */
export const RelayRetentionConfigSchema = z
  .strictObject({
    chatTranscriptDays: retentionDaysSchema('chatTranscript').default(
      DEFAULT_RETENTION.chatTranscriptDays,
    ),
    consentReceiptDays: retentionDaysSchema('consentReceipt').default(
      DEFAULT_RETENTION.consentReceiptDays,
    ),
    sessionMetadataDays: retentionDaysSchema('sessionMetadata').default(
      DEFAULT_RETENTION.sessionMetadataDays,
    ),
  })
  .superRefine((periods, ctx) => {
    for (const message of retentionOrderIssues(periods)) ctx.addIssue({ code: 'custom', message });
  });
export type RelayRetentionConfig = z.infer<typeof RelayRetentionConfigSchema>;

export const DEFAULT_RELAY_RETENTION: RetentionPeriods = Object.freeze({
  chatTranscriptDays: DEFAULT_RETENTION.chatTranscriptDays,
  consentReceiptDays: DEFAULT_RETENTION.consentReceiptDays,
  sessionMetadataDays: DEFAULT_RETENTION.sessionMetadataDays,
});

/** How often `printo-relay serve` purges what expired (docs/privacy.md, Purge). */
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The retention periods from the `retention` value of config.json (`undefined` when the key is
 * absent: all defaults). Throws a `retention-invalid` PrintoError that names every problem.
 */
export function parseRetentionConfig(value: unknown, source = 'config.json'): RetentionPeriods {
  const result = RelayRetentionConfigSchema.safeParse(value ?? {});
  if (result.success) return Object.freeze(result.data);
  const problems = result.error.issues.map((issue) =>
    issue.path.length > 0 ? `retention.${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  throw new PrintoError(
    StoreErrorCode.retentionInvalid,
    `Invalid retention periods in ${source}: ${problems.join('; ')}.`,
    {
      hint:
        'Fix the "retention" object (keys chatTranscriptDays, consentReceiptDays, ' +
        'sessionMetadataDays; whole days) or remove it to use the defaults. See docs/privacy.md.',
    },
  );
}
