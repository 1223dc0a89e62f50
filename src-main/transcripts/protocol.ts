/**
 * The one contract between the transcript store's client (store.ts, main thread) and its worker
 * (worker.ts): for each method, the schema of its arguments and of its result. The worker parses
 * arguments on arrival and the client parses results, so nothing unchecked crosses the boundary
 * either way (STYLE.md 2 and 15).
 */
import { z } from 'zod';
import { ERROR_CODES } from '../../src-shared/error-codes.ts';
import {
  ExportSchema,
  PurgeResultSchema,
  RecordFlagsPatchSchema,
  RecordRefSchema,
  StoredReportInputSchema,
  StoredReportSummarySchema,
  StoredReportViewSchema,
  TranscriptEndSchema,
  TranscriptEntrySchema,
  TranscriptSessionStartSchema,
  TranscriptSummarySchema,
  TranscriptViewSchema,
} from '../../src-shared/model/transcript.ts';
import { retentionDaysSchema } from '../../src-shared/privacy/retention.ts';

const sessionId = z.string().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true });

export const METHODS = {
  startSession: { args: z.tuple([TranscriptSessionStartSchema]), result: z.null() },
  record: { args: z.tuple([sessionId, TranscriptEntrySchema]), result: z.null() },
  endSession: { args: z.tuple([sessionId, TranscriptEndSchema]), result: z.null() },
  correctMessage: {
    args: z.tuple([sessionId, z.string().min(1), z.string().max(10_000), isoTime]),
    result: z.null(),
  },
  addReport: { args: z.tuple([StoredReportInputSchema]), result: z.null() },
  listSessions: { args: z.tuple([]), result: z.array(TranscriptSummarySchema) },
  viewSession: { args: z.tuple([sessionId]), result: TranscriptViewSchema },
  listReports: { args: z.tuple([]), result: z.array(StoredReportSummarySchema) },
  viewReport: { args: z.tuple([z.string().min(1)]), result: StoredReportViewSchema },
  exportData: { args: z.tuple([isoTime, RecordRefSchema.optional()]), result: ExportSchema },
  setFlags: { args: z.tuple([RecordRefSchema, RecordFlagsPatchSchema]), result: z.null() },
  erase: { args: z.tuple([RecordRefSchema]), result: z.null() },
  eraseAll: { args: z.tuple([]), result: PurgeResultSchema },
  purge: { args: z.tuple([isoTime]), result: PurgeResultSchema },
} as const;

export type Method = keyof typeof METHODS;
export type Args<M extends Method> = z.infer<(typeof METHODS)[M]['args']>;
export type Result<M extends Method> = z.infer<(typeof METHODS)[M]['result']>;

export const RequestSchema = z.strictObject({
  id: z.number().int(),
  method: z.string(),
  args: z.unknown(),
});

export const ErrorPayloadSchema = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  hint: z.string().optional(),
});

export const ResponseSchema = z.discriminatedUnion('ok', [
  z.strictObject({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ id: z.number().int(), ok: z.literal(false), error: ErrorPayloadSchema }),
]);
export type Response = z.infer<typeof ResponseSchema>;

/** What the worker is started with (`workerData`). */
export const WorkerInitSchema = z.strictObject({
  path: z.string().min(1),
  masterKey: z.instanceof(Uint8Array),
  retention: z.strictObject({
    chatTranscriptDays: retentionDaysSchema('chatTranscript').optional(),
    diagnosticReportDays: retentionDaysSchema('diagnosticReport').optional(),
  }),
});
export type WorkerInit = z.infer<typeof WorkerInitSchema>;

/** The worker's first message: the store opened, or why not. */
export const ReadySchema = z.discriminatedUnion('ok', [
  z.strictObject({ ready: z.literal(true), ok: z.literal(true) }),
  z.strictObject({ ready: z.literal(true), ok: z.literal(false), error: ErrorPayloadSchema }),
]);
