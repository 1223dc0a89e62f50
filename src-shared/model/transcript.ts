/**
 * The desktop client's own copy of its support sessions and diagnostic reports (issue 9 §3):
 * the records the local transcript store keeps, the views it returns and the export format
 * (`printo-help-export/v1`, docs/privacy.md "The desktop client's copy"). The store parses every
 * argument and result with these schemas at its worker boundary.
 */
import { z } from 'zod';
import { DiagnosticsReportSchema } from './diagnostics.ts';
import {
  ActionResponsePayloadSchema,
  DataKindSchema,
  DataResponsePayloadSchema,
  PrinterFilterSchema,
  ProposedActionSchema,
  ScopeSchema,
  SessionEndedReasonSchema,
} from '../protocol/v1.ts';

const id = z.string().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true });

/** A session as it began: who helped, and what the user asked for. */
export const TranscriptSessionStartSchema = z.strictObject({
  sessionId: id,
  startedAt: isoTime,
  description: z.string().max(10_000),
  agent: z.strictObject({ id: z.string(), name: z.string() }).optional(),
});
export type TranscriptSessionStart = z.infer<typeof TranscriptSessionStartSchema>;

/** How a session ended: the relay's reasons, or the client's own when the relay could not say. */
export const TranscriptEndSchema = z.strictObject({
  endedAt: isoTime,
  reason: z.union([SessionEndedReasonSchema, z.enum(['connection-lost', 'client-exited'])]),
  message: z.string().max(10_000).optional(),
});
export type TranscriptEnd = z.infer<typeof TranscriptEndSchema>;

/** One chat message as the relay ordered it (`seq` is the authoritative order). */
export const ChatEntrySchema = z.strictObject({
  type: z.literal('chat'),
  seq: z.number().int().min(0),
  messageId: id,
  from: z.enum(['client', 'agent', 'relay']),
  name: z.string(),
  text: z.string(),
  at: isoTime,
  /** Card numbers were masked (by the relay, or by this store before writing). */
  redacted: z.boolean(),
});

/** A consent receipt: what was granted or revoked, and the notice shown with its SHA-256. */
export const ConsentEntrySchema = z.strictObject({
  type: z.literal('consent'),
  at: isoTime,
  decision: z.enum(['granted', 'denied', 'timed-out', 'revoked']),
  scopes: z.array(ScopeSchema),
  /** The agent who asked (absent for a revocation). */
  agent: z.strictObject({ id: z.string(), name: z.string() }).optional(),
  notice: z
    .strictObject({
      text: z.string(),
      retentionDays: z.number().int().positive(),
      digest: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
});

/** What the agent saw: one data request and the redacted answer exactly as it was sent. */
export const DataSharedEntrySchema = z.strictObject({
  type: z.literal('data'),
  at: isoTime,
  requestId: id,
  kind: DataKindSchema,
  printers: PrinterFilterSchema.optional(),
  sent: DataResponsePayloadSchema,
});

/** An action the agent proposed. */
export const ActionProposedEntrySchema = z.strictObject({
  type: z.literal('action.proposed'),
  at: isoTime,
  requestId: id,
  action: ProposedActionSchema,
});

/** The user's answer to a proposed action, then its result (approved, then done or failed). */
export const ActionAnswerEntrySchema = z.strictObject({
  type: z.literal('action.answer'),
  at: isoTime,
  answer: ActionResponsePayloadSchema,
});

export const TranscriptEntrySchema = z.discriminatedUnion('type', [
  ChatEntrySchema,
  ConsentEntrySchema,
  DataSharedEntrySchema,
  ActionProposedEntrySchema,
  ActionAnswerEntrySchema,
]);
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;

/** Flags the user set with their rights: restriction and objection (docs/privacy.md). */
export const RecordFlagsSchema = z.strictObject({
  /** Kept, but never sent anywhere nor included in a shared report. */
  restricted: z.boolean(),
  /** Never used for service improvement. */
  objected: z.boolean(),
});
export type RecordFlags = z.infer<typeof RecordFlagsSchema>;
/** The flags to change; the others stay as they are. */
export const RecordFlagsPatchSchema = RecordFlagsSchema.partial();
export type RecordFlagsPatch = z.infer<typeof RecordFlagsPatchSchema>;

export const TranscriptSummarySchema = z.strictObject({
  sessionId: id,
  startedAt: isoTime,
  end: TranscriptEndSchema.nullable(),
  /** When the transcript is due to be deleted (from its end, or its last record if it never ended). */
  expiresAt: isoTime,
  flags: RecordFlagsSchema,
});
export type TranscriptSummary = z.infer<typeof TranscriptSummarySchema>;

/** A correction the user appended to one of their own messages; the original stays. */
export const CorrectionSchema = z.strictObject({ at: isoTime, text: z.string() });

export const ChatViewSchema = ChatEntrySchema.omit({ type: true }).extend({
  corrected: z.boolean(),
  corrections: z.array(CorrectionSchema),
});

export const ActionViewSchema = z.strictObject({
  requestId: id,
  proposedAt: isoTime,
  action: ProposedActionSchema,
  answers: z.array(ActionAnswerEntrySchema.omit({ type: true })),
});

export const TranscriptViewSchema = TranscriptSummarySchema.extend({
  description: z.string(),
  agent: z.strictObject({ id: z.string(), name: z.string() }).nullable(),
  chat: z.array(ChatViewSchema),
  consent: z.array(ConsentEntrySchema.omit({ type: true })),
  dataShared: z.array(DataSharedEntrySchema.omit({ type: true })),
  actions: z.array(ActionViewSchema),
});
export type TranscriptView = z.infer<typeof TranscriptViewSchema>;

/** A diagnostic report the user ran, kept in its own retention category. */
export const StoredReportInputSchema = z.strictObject({
  reportId: id,
  createdAt: isoTime,
  report: DiagnosticsReportSchema,
});
export type StoredReportInput = z.infer<typeof StoredReportInputSchema>;

export const StoredReportSummarySchema = z.strictObject({
  reportId: id,
  createdAt: isoTime,
  expiresAt: isoTime,
  flags: RecordFlagsSchema,
});
export type StoredReportSummary = z.infer<typeof StoredReportSummarySchema>;

export const StoredReportViewSchema = StoredReportSummarySchema.extend({
  report: DiagnosticsReportSchema,
});
export type StoredReportView = z.infer<typeof StoredReportViewSchema>;

/** What a right applies to: one session's transcript, or one diagnostic report. */
export const RecordRefSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('session'), sessionId: id }),
  z.strictObject({ type: z.literal('report'), reportId: id }),
]);
export type RecordRef = z.infer<typeof RecordRefSchema>;

export const EXPORT_FORMAT = 'printo-help-export/v1';

/** Portability: everything the store holds about the user, or one record, as JSON. */
export const ExportSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  exportedAt: isoTime,
  sessions: z.array(TranscriptViewSchema),
  diagnosticReports: z.array(StoredReportViewSchema),
});
export type TranscriptExport = z.infer<typeof ExportSchema>;

export const PurgeResultSchema = z.strictObject({
  sessions: z.number().int().min(0),
  reports: z.number().int().min(0),
});
export type PurgeResult = z.infer<typeof PurgeResultSchema>;
